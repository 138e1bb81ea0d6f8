package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/assocbot/assocbot/models/calendar"
)

// Notice is a recurring notice (SPEC C15): a text to an audience on each
// date of a rule, yearly on a date (3·8, 5·29), yearly on a lunar date (the
// Spring Festival, computed each year), monthly or weekly. Each occurrence
// becomes a broadcast of its own (Broadcast.NoticeID, Broadcast.Occurrence),
// planned once however many replicas or restarts.
type Notice struct {
	ID       uint   `gorm:"primaryKey"`
	Audience string `gorm:"size:500;not null"`
	// Texts is the notice by language, JSON {"zh-Hans": "…", "en": "…"}:
	// each member reads theirs, else the Simplified Chinese one.
	Texts string `gorm:"type:text;not null"`
	// RRule (without DTSTART; the rule's dates from Start) or Lunar
	// ("01-01"): one of the two.
	RRule string    `gorm:"size:200;not null;default:''"`
	Lunar string    `gorm:"size:5;not null;default:''"`
	Start time.Time // the first day the rule counts from (UTC midnight)
	// AtMinute is the time of day it goes out, in minutes after midnight in
	// the association's zone; BeforeDays moves it that many days before
	// each date (an early-March notice for 3·8).
	AtMinute    int    `gorm:"not null;default:540"`
	BeforeDays  int    `gorm:"not null;default:0"`
	PhotoFileID string `gorm:"size:200;not null;default:''"`
	// CalendarKey names the entry of the association's year this notice is
	// (nil: one an organizer or admin made).
	CalendarKey *string `gorm:"size:40;uniqueIndex"`
	Enabled     bool    `gorm:"not null;default:true"`
	CreatedBy   *uint
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Notice limits and errors.
const (
	MaxNoticeBefore = 60 // days
	// NoticeCatchUp is how late an occurrence is still sent (the bot was
	// down at its time); older ones are skipped.
	NoticeCatchUp = 24 * time.Hour
)

var (
	ErrNoticeRule   = errors.New("a notice needs a rule: yearly, monthly or weekly, or a lunar date")
	ErrNoticeText   = errors.New("a notice needs a text")
	ErrNoticeBefore = fmt.Errorf("a notice can go out at most %d days before its date", MaxNoticeBefore)
	ErrNoticeAt     = errors.New("the time of day is HH:MM")
)

// NoticeTexts decodes Texts.
func (n Notice) NoticeTexts() map[string]string {
	var m map[string]string
	if json.Unmarshal([]byte(n.Texts), &m) != nil {
		return map[string]string{}
	}
	return m
}

// TextFor is the notice's text for a reader of lang (TextIn).
func (n Notice) TextFor(lang string) string { return TextIn(n.NoticeTexts(), lang) }

// TextIn is the one rule of a text written in several languages: the
// reader's, else the Simplified Chinese one, else any (in the order
// zh-Hant, en), so that a text written in one language reaches everyone.
func TextIn(byLang map[string]string, lang string) string {
	for _, l := range []string{lang, "zh-Hans", "zh-Hant", "en"} {
		if t := byLang[l]; t != "" {
			return t
		}
	}
	return ""
}

// SetTexts encodes byLang into Texts, dropping empty texts.
func (n *Notice) SetTexts(byLang map[string]string) {
	clean := map[string]string{}
	for l, t := range byLang {
		if t = strings.TrimSpace(t); t != "" {
			clean[l] = t
		}
	}
	b, _ := json.Marshal(clean)
	n.Texts = string(b)
}

// At is the time of day as HH:MM.
func (n Notice) At() string { return fmt.Sprintf("%02d:%02d", n.AtMinute/60, n.AtMinute%60) }

// ParseAt reads HH:MM into minutes after midnight.
func ParseAt(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, ErrNoticeAt
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Validate checks the notice's rule, text and times.
func (n Notice) Validate() error {
	if (n.RRule == "") == (n.Lunar == "") {
		return ErrNoticeRule
	}
	if n.Lunar != "" {
		if _, err := calendar.ParseLunar(n.Lunar); err != nil {
			return fmt.Errorf("%w: %v", ErrNoticeRule, err)
		}
	} else if err := checkNoticeRule(n.RRule); err != nil {
		return err
	}
	texts := n.NoticeTexts()
	if len(texts) == 0 {
		return ErrNoticeText
	}
	for _, t := range texts {
		if !ValidText(t, true) {
			return ErrBadText
		}
	}
	if n.BeforeDays < 0 || n.BeforeDays > MaxNoticeBefore {
		return ErrNoticeBefore
	}
	if n.AtMinute < 0 || n.AtMinute >= 24*60 {
		return ErrNoticeAt
	}
	return nil
}

// checkNoticeRule accepts a YEARLY, MONTHLY or WEEKLY RRULE without DTSTART.
func checkNoticeRule(s string) error {
	if strings.Contains(strings.ToUpper(s), "DTSTART") {
		return fmt.Errorf("%w: give no DTSTART", ErrNoticeRule)
	}
	opt, err := rrule.StrToROption(strings.TrimPrefix(s, "RRULE:"))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoticeRule, err)
	}
	if opt.Freq != rrule.YEARLY && opt.Freq != rrule.MONTHLY && opt.Freq != rrule.WEEKLY {
		return fmt.Errorf("%w: FREQ must be YEARLY, MONTHLY or WEEKLY", ErrNoticeRule)
	}
	return nil
}

// Dates are the notice's next n dates (UTC midnights) strictly after the
// calendar day after.
func (n Notice) Dates(after Day, count int) ([]Day, error) {
	after = after.UTC()
	if n.Lunar != "" {
		l, err := calendar.ParseLunar(n.Lunar)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoticeRule, err)
		}
		return l.Next(after, count), nil
	}
	opt, err := rrule.StrToROption(strings.TrimPrefix(n.RRule, "RRULE:"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoticeRule, err)
	}
	opt.Dtstart = n.Start.UTC()
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoticeRule, err)
	}
	var out []Day
	for t := r.After(after, false); !t.IsZero() && len(out) < count; t = r.After(t, false) {
		out = append(out, DayOf(t, time.UTC))
	}
	return out, nil
}

// SendAt is when the occurrence of date goes out, in loc: its time of day,
// BeforeDays earlier.
func (n Notice) SendAt(date Day, loc *time.Location) time.Time {
	d := date.UTC().AddDate(0, 0, -n.BeforeDays)
	return time.Date(d.Year(), d.Month(), d.Day(), n.AtMinute/60, n.AtMinute%60, 0, 0, loc)
}

// Due lists the dates whose sending time is in (from, to], in loc: the
// occurrences a run at to plans that a run at from had not. None is from
// before the notice was made or last changed (UpdatedAt): one switched on
// does not send what fell due while it was off — the planner and the
// preview both.
func (n Notice) Due(from, to time.Time, loc *time.Location) ([]Day, error) {
	if n.UpdatedAt.After(from) {
		from = n.UpdatedAt
	}
	// A date goes out BeforeDays before it: look from there. Runs are at
	// most a few days apart; weekly, that is a handful of dates.
	first := DayOf(from, loc).AddDate(0, 0, n.BeforeDays-1)
	count := 16 // weekly: a few weeks' dates
	if n.Lunar != "" || strings.Contains(strings.ToUpper(n.RRule), "FREQ=YEARLY") {
		count = 2 // a year's date, and the next
	}
	dates, err := n.Dates(first, count)
	if err != nil {
		return nil, err
	}
	var due []Day
	for _, d := range dates {
		at := n.SendAt(d, loc)
		if at.After(to) {
			break
		}
		if at.After(from) {
			due = append(due, d)
		}
	}
	return due, nil
}
