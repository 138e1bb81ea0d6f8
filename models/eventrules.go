package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// The limits of an event (SPEC C3), the same for the CLI, the bot and the store.
const (
	MaxTitleRunes     = 200
	MaxPlaceRunes     = 200
	MaxCapacity       = 100000
	MaxGuests         = 3 // a member's +1s
	MaxDuration       = 7 * 24 * time.Hour
	DefaultDuration   = 2 * time.Hour // when an event gives none
	maxOccurrencesPer = 400           // in any coming year: a daily event fits, an hourly one does not
	neverHorizon      = 10            // years: a rule with no occurrence in them never occurs
)

// Why Validate refuses an event; callers turn each into their own words.
var (
	ErrEventKind          = errors.New("unknown kind of event")
	ErrEventTitle         = errors.New("the title must be 1 to 200 characters")
	ErrEventPlace         = errors.New("the place must be at most 200 characters")
	ErrEventCapacity      = errors.New("the capacity must be between 0 (no limit) and 100000")
	ErrEventDuration      = errors.New("the end must be after the start, within 7 days")
	ErrEventPast          = errors.New("the start has passed")
	ErrEventRRule         = errors.New("bad recurrence rule")
	ErrEventTooFrequent   = errors.New("the recurrence yields more than 400 occurrences in a year")
	ErrEventNeverOccurs   = errors.New("the recurrence has no coming occurrence")
	ErrDeadlineRecurring  = errors.New("an answer deadline is for one-off events")
	ErrDeadlineAfterStart = errors.New("the answer deadline must be before the start")
	ErrDeadlinePast       = errors.New("the answer deadline has passed")
)

// Validate checks a new event as of now, with its times in loc (the
// association's zone, where a recurrence is anchored), and sets LastStartAt.
// The CLI, the bot's dialog and one-line form, and the store all call it.
func (e *Event) Validate(loc *time.Location, now time.Time) error {
	e.Title = strings.TrimSpace(e.Title)
	e.Location = strings.TrimSpace(e.Location)
	e.RRule = strings.TrimPrefix(strings.TrimSpace(e.RRule), "RRULE:")
	switch {
	case !e.Kind.Valid():
		return ErrEventKind
	case e.Title == "" || len([]rune(e.Title)) > MaxTitleRunes:
		return ErrEventTitle
	case len([]rune(e.Location)) > MaxPlaceRunes:
		return ErrEventPlace
	case !ValidText(e.Title, false) || !ValidText(e.Location, false) || !ValidText(e.Description, true):
		return ErrBadText
	case e.Capacity < 0 || e.Capacity > MaxCapacity:
		return ErrEventCapacity
	case e.DurationMin < 0 || time.Duration(e.DurationMin)*time.Minute > MaxDuration:
		return ErrEventDuration
	}
	a, err := ParseAudience(e.Audience)
	if err != nil {
		return err
	}
	if _, ok := a.IsOrganizers(); ok {
		// Whether someone is an organizer of a branch is the store's to
		// know, not the event's: an event reaches members.
		return fmt.Errorf("%w: an event is for members (all, a branch, a tag, or listed members)", ErrBadAudience)
	}
	if err := ParseRRule(e.RRule); err != nil {
		return err
	}
	if e.RRule == "" && !e.StartAt.After(now) {
		return ErrEventPast
	}
	if e.RRule != "" {
		if err := e.checkRecurrence(loc, now); err != nil {
			return err
		}
	}
	if d := e.RSVPDeadline; d != nil {
		switch {
		case e.RRule != "":
			return ErrDeadlineRecurring
		case d.After(e.StartAt):
			return ErrDeadlineAfterStart
		case !d.After(now):
			return ErrDeadlinePast
		}
	}
	last, err := e.LastStart(loc)
	if err != nil {
		return err
	}
	e.LastStartAt = last
	return nil
}

// checkRecurrence refuses a rule that yields too many occurrences in any of
// the coming years, or none in the next ten.
func (e *Event) checkRecurrence(loc *time.Location, now time.Time) error {
	from := now
	if e.StartAt.After(from) {
		from = e.StartAt
	}
	// Expanded up to the horizon only: a rule that never matches would
	// otherwise be searched to the year 9999.
	opt, err := rrule.StrToROption(e.RRule)
	if err != nil {
		return ErrEventRRule
	}
	opt.Dtstart = e.StartAt.In(loc)
	if horizon := from.AddDate(neverHorizon, 0, 0); opt.Until.IsZero() || opt.Until.After(horizon) {
		opt.Until = horizon
	}
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return ErrEventRRule
	}
	if next := r.After(from.Add(-time.Nanosecond), true); next.IsZero() {
		return ErrEventNeverOccurs
	}
	n := 0
	next := r.Iterator()
	limit := from.AddDate(1, 0, 0)
	for t, ok := next(); ok && t.Before(limit); t, ok = next() {
		if t.Before(from) {
			continue
		}
		if n++; n > maxOccurrencesPer {
			return ErrEventTooFrequent
		}
	}
	return nil
}

// LastStart is the start of the last occurrence, or nil when the event
// recurs without end. For a rule ending at UNTIL it is UNTIL itself: no
// occurrence starts later, which is all the store needs.
func (e *Event) LastStart(loc *time.Location) (*time.Time, error) {
	if e.RRule == "" {
		t := e.StartAt.UTC()
		return &t, nil
	}
	opt, err := rrule.StrToROption(e.RRule)
	if err != nil {
		return nil, ErrEventRRule
	}
	switch {
	case !opt.Until.IsZero():
		t := opt.Until.UTC()
		return &t, nil
	case opt.Count > 0:
		r, err := e.rule(loc)
		if err != nil {
			return nil, ErrEventRRule
		}
		var last time.Time
		next := r.Iterator()
		for t, ok := next(); ok; t, ok = next() {
			last = t
		}
		if last.IsZero() {
			return nil, ErrEventNeverOccurs
		}
		last = last.UTC()
		return &last, nil
	}
	return nil, nil
}

// Duration is how long an occurrence lasts (DefaultDuration when unknown).
func (e *Event) Duration() time.Duration {
	if e.DurationMin > 0 {
		return time.Duration(e.DurationMin) * time.Minute
	}
	return DefaultDuration
}

// Occurs reports whether an occurrence of the event starts exactly at occ.
func (e *Event) Occurs(loc *time.Location, occ time.Time) bool {
	found, err := e.Occurrences(loc, occ, occ.Add(time.Second))
	return err == nil && len(found) == 1 && found[0].Equal(occ)
}

// Check-in (SPEC C4: organizers check members in on the day) opens on the
// occurrence's day, in the association's zone (or CheckInLead before its
// start, if that is earlier: an early-morning session), and closes
// CheckInAfter after its start, for an organizer who ticks the list at home
// the day after. The bot's check-in, the store's SetCheckIn and what counts
// as held (Held: /stats, /records, the record questions, the duty of a
// quarterly activity) all follow CheckInWindow.
const (
	CheckInLead  = 3 * time.Hour
	CheckInAfter = 24 * time.Hour
)

// Why a check-in is refused at a time outside its window.
var (
	ErrCheckInNotYet = errors.New("check-in has not opened yet")
	ErrCheckInOver   = errors.New("check-in has closed")
)

// CheckInWindow is when members can be checked in to the occurrence that
// starts at occ, with days in loc: [open, close).
func CheckInWindow(occ time.Time, loc *time.Location) (open, close time.Time) {
	local := occ.In(loc)
	open = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	if early := occ.Add(-CheckInLead); early.Before(open) {
		open = early
	}
	return open, occ.Add(CheckInAfter)
}

// CheckInAt reports whether a check-in to the occurrence starting at occ
// may be recorded at now: nil inside its window, else why not.
func CheckInAt(occ, now time.Time, loc *time.Location) error {
	open, close := CheckInWindow(occ, loc)
	switch {
	case now.Before(open):
		return ErrCheckInNotYet
	case !now.Before(close):
		return ErrCheckInOver
	}
	return nil
}

// Held reports whether the occurrence starting at occ was held by now:
// someone was checked in, and its check-in has opened (a check-in recorded
// before its window, as the bot allowed before this rule, counts from the
// day on).
func Held(occ time.Time, anyCheckedIn bool, now time.Time, loc *time.Location) bool {
	open, _ := CheckInWindow(occ, loc)
	return anyCheckedIn && !now.Before(open)
}

// HeldStartsBy is the latest start of an occurrence whose check-in has
// opened by now: Held's rule as a bound for the store's queries
// (rsvps.occurrence <= HeldStartsBy), the end of now's day or CheckInLead
// after now, whichever is later. TestHeldIsOneRule runs the query and Held
// over the same cases.
func HeldStartsBy(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	endOfDay := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
	if lead := now.Add(CheckInLead); lead.After(endOfDay) {
		return lead
	}
	return endOfDay
}
