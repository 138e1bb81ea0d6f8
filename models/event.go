package models

import (
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// EventKind sets an event's icon and default reminder offsets (SPEC C3).
type EventKind string

// The event kinds.
const (
	EventActivityDay  EventKind = "activity_day"
	EventMeeting      EventKind = "meeting"
	EventCheckSession EventKind = "health_check_session"
	EventTraining     EventKind = "training"
	EventOther        EventKind = "other"
)

// EventKinds lists the kinds in the order organizers see them.
func EventKinds() []EventKind {
	return []EventKind{EventActivityDay, EventMeeting, EventCheckSession, EventTraining, EventOther}
}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool {
	for _, x := range EventKinds() {
		if k == x {
			return true
		}
	}
	return false
}

// maxCount bounds an RRULE's COUNT.
const maxCount = 1000

// ReminderOffsets are how long before an occurrence its reminders go out.
func (k EventKind) ReminderOffsets() []time.Duration {
	switch k {
	case EventActivityDay:
		return []time.Duration{72 * time.Hour, 24 * time.Hour}
	case EventMeeting:
		return []time.Duration{24 * time.Hour, 2 * time.Hour}
	case EventTraining, EventCheckSession:
		return []time.Duration{48 * time.Hour, 2 * time.Hour}
	}
	return []time.Duration{24 * time.Hour}
}

// Event statuses.
const (
	EventScheduled = "scheduled"
	EventCancelled = "cancelled"
)

// Event is an activity day, meeting, check session or training; with an
// RRULE it recurs, and each occurrence has its own answers.
type Event struct {
	ID           uint      `gorm:"primaryKey"`
	Kind         EventKind `gorm:"size:32;not null"`
	Title        string    `gorm:"size:200;not null"`
	Description  string    `gorm:"type:text"`
	Location     string    `gorm:"size:200"`
	StartAt      time.Time `gorm:"not null"` // the first occurrence, UTC
	DurationMin  int       // 0: unknown
	Audience     string    `gorm:"size:200;not null"` // all, branch:Town/Village, tag:T
	RSVP         bool      `gorm:"not null;default:true"`
	Capacity     int       // 0: unlimited
	AllowGuests  bool
	RSVPDeadline *time.Time // answers close then (one-off events)
	RRule        string     `gorm:"size:500"` // RFC 5545 RRULE without DTSTART
	// LastStartAt bounds the occurrences: none starts after it (nil: the
	// event recurs without end). With StartAt it lets the store read only the
	// events with an occurrence in a window.
	LastStartAt *time.Time
	// Revision counts the changes announced to members: each change notice
	// is a message of its own.
	Revision  int    `gorm:"not null;default:0"`
	Status    string `gorm:"size:16;not null;default:scheduled"`
	CreatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Answer is a member's reply to an event.
type Answer string

// The answers.
const (
	AnswerYes   Answer = "yes"
	AnswerNo    Answer = "no"
	AnswerMaybe Answer = "maybe"
)

// RSVP is one member's answer for one occurrence.
type RSVP struct {
	EventID    uint      `gorm:"primaryKey;autoIncrement:false"`
	Occurrence time.Time `gorm:"primaryKey"` // the occurrence's start, UTC
	MemberID   uint      `gorm:"primaryKey;autoIncrement:false;index"`
	Answer     Answer    `gorm:"size:8;not null"`
	Guests     int       `gorm:"not null;default:0"`
	Waitlisted bool      `gorm:"not null;default:false"`
	CheckedIn  bool      `gorm:"not null;default:false"`
	// UpdatedAt orders the waitlist; set by the store from its clock.
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

// ParseRRule checks the form of an RRULE (without DTSTART) like
// FREQ=MONTHLY;BYDAY=1MO; Validate checks what it yields.
func ParseRRule(s string) error {
	s = strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")
	if s == "" {
		return nil
	}
	if strings.Contains(strings.ToUpper(s), "DTSTART") {
		return fmt.Errorf("%w: give the start separately, not DTSTART", ErrEventRRule)
	}
	opt, err := rrule.StrToROption(s)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrEventRRule, err)
	}
	// Hourly and finer make no sense for association events, and would let
	// one rule produce millions of occurrences.
	if opt.Freq > rrule.DAILY {
		return fmt.Errorf("%w: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY", ErrEventRRule)
	}
	if opt.Count > maxCount {
		return fmt.Errorf("%w: COUNT is at most %d", ErrEventRRule, maxCount)
	}
	return nil
}

// rule is the event's recurrence anchored at its first start in loc, or nil
// for a one-off event.
func (e Event) rule(loc *time.Location) (*rrule.RRule, error) {
	if e.RRule == "" {
		return nil, nil
	}
	opt, err := rrule.StrToROption(strings.TrimPrefix(e.RRule, "RRULE:"))
	if err != nil {
		return nil, fmt.Errorf("event %d: %w", e.ID, err)
	}
	opt.Dtstart = e.StartAt.In(loc)
	return rrule.NewRRule(*opt)
}

// Occurrences lists the starts of the event's occurrences in [from, to), in
// loc's wall time: a 09:00 meeting stays at 09:00 across daylight-saving
// changes of loc.
func (e Event) Occurrences(loc *time.Location, from, to time.Time) ([]time.Time, error) {
	r, err := e.rule(loc)
	if err != nil {
		return nil, err
	}
	if r == nil {
		start := e.StartAt.In(loc)
		if !start.Before(from) && start.Before(to) {
			return []time.Time{start}, nil
		}
		return nil, nil
	}
	var out []time.Time
	for _, t := range r.Between(from, to, true) {
		if t.Before(to) {
			out = append(out, t)
		}
	}
	return out, nil
}

// InHand is how long after its start an occurrence is still the one its
// organizers read and open: the event picker, /attendees, the event's card
// and the console all show it until then, rather than the next one.
const InHand = 12 * time.Hour

// OccurrenceInHand is the occurrence organizers read at now: one that
// started within InHand, else the next.
func (e Event) OccurrenceInHand(loc *time.Location, now time.Time) (time.Time, bool) {
	return e.NextOccurrence(loc, now.Add(-InHand))
}

// NextOccurrence is the first occurrence starting at or after t.
func (e Event) NextOccurrence(loc *time.Location, t time.Time) (time.Time, bool) {
	r, err := e.rule(loc)
	if err != nil {
		return time.Time{}, false
	}
	if r == nil {
		start := e.StartAt.In(loc)
		return start, !start.Before(t)
	}
	next := r.After(t, true)
	return next, !next.IsZero()
}
