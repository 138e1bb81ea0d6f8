package models

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/models/calendar"
	"github.com/teambition/rrule-go"
)

// Health checks and organizers' duties are due-date cycles (SPEC C5): a
// plan gives one member (or organizer) one kind of check or duty, with the
// next date it is due; doing it moves the date on.

// PlanFor is whom a kind of plan is for.
type PlanFor string

// Members get checks; organizers get duties.
const (
	ForMember PlanFor = "member"
	ForDuty   PlanFor = "duty"
)

// AutoBranchActivity closes a duty by itself when the organizer's branch
// held an activity with at least one check-in in the duty's period.
const AutoBranchActivity = "branch_activity"

// PlanKind is a kind of check or duty: its names, whom it is for, when it
// is next due, and when it is reminded.
type PlanKind struct {
	ID         uint    `gorm:"primaryKey"`
	Key        string  `gorm:"size:50;not null;uniqueIndex"`
	For        PlanFor `gorm:"column:for_role;size:16;not null"`
	NameZhHans string  `gorm:"size:100;not null"`
	NameZhHant string  `gorm:"size:100;not null"`
	NameEn     string  `gorm:"size:100;not null"`
	// Every is the interval from the date done to the next due date, "3m"
	// (months) or "90d" (days); RRule instead fixes the due dates (every
	// Friday, the 30th, the end of each quarter).
	Every string `gorm:"size:16"`
	RRule string `gorm:"size:200"`
	// Offsets are the reminders, in days from the due date, e.g. "-7,0,3,7";
	// after the last the plan is overdue.
	Offsets string `gorm:"size:100;not null"`
	// Certificate: a member working away may send a photo of a certificate
	// instead of coming in.
	Certificate bool   `gorm:"not null;default:false"`
	AutoClose   string `gorm:"size:32"`
	// Figures are the numbers a report duty's organizer gives when it is
	// done, "KEY:名称:name:名稱,…" (ParseFigures; "" for none).
	Figures string `gorm:"size:1000;not null;default:''"`
	// Workdays: a due date on a day off (a weekend, a statutory holiday)
	// moves to the next working day, a make-up working day (调休) counting
	// as one (calendar.Workday).
	Workdays  bool `gorm:"not null;default:false"`
	CreatedAt time.Time
}

// Name is the kind's name in a language (zh-Hans, zh-Hant, en).
func (k *PlanKind) Name(lang string) string {
	switch lang {
	case "zh-Hant":
		return k.NameZhHant
	case "en":
		return k.NameEn
	}
	return k.NameZhHans
}

// Names are the kind's names by language, for a message's arguments.
func (k *PlanKind) Names() map[string]string {
	return map[string]string{"zh-Hans": k.NameZhHans, "zh-Hant": k.NameZhHant, "en": k.NameEn}
}

// Why a kind is refused.
var (
	ErrPlanKindKey     = errors.New("a kind's key is 2 to 50 of a-z 0-9 _")
	ErrPlanKindFor     = errors.New("a kind is for member (a check) or duty (an organizer's)")
	ErrPlanKindNames   = errors.New("a kind needs a name in each of zh-Hans, zh-Hant and en (at most 100 characters)")
	ErrPlanKindRule    = errors.New("a kind needs either an interval (like 3m or 90d) or a recurrence (RRULE), not both")
	ErrPlanKindOffsets = errors.New("reminders are days from the due date, ascending, between -60 and 60, like -7,0,3,7")
)

var kindKey = regexp.MustCompile(`^[a-z0-9_]{2,50}$`)

// Validate checks a kind.
func (k *PlanKind) Validate() error {
	if !kindKey.MatchString(k.Key) {
		return ErrPlanKindKey
	}
	if k.For != ForMember && k.For != ForDuty {
		return ErrPlanKindFor
	}
	for _, n := range []string{k.NameZhHans, k.NameZhHant, k.NameEn} {
		if strings.TrimSpace(n) == "" || len([]rune(n)) > 100 {
			return ErrPlanKindNames
		}
		if !ValidText(n, false) {
			return fmt.Errorf("%w: %w", ErrPlanKindNames, ErrBadText)
		}
	}
	if (k.Every == "") == (k.RRule == "") {
		return ErrPlanKindRule
	}
	if k.Every != "" {
		if _, _, err := ParseEvery(k.Every); err != nil {
			return err
		}
	} else {
		if err := ParseRRule(k.RRule); err != nil {
			return fmt.Errorf("%w: %v", ErrPlanKindRule, err)
		}
		// Dates recur for good and are anchored on the calendar, not on a
		// first date: no COUNT, UNTIL or INTERVAL; and the rule must give a
		// date within a year.
		upper := strings.ToUpper(k.RRule)
		if strings.Contains(upper, "COUNT=") || strings.Contains(upper, "UNTIL=") || strings.Contains(upper, "INTERVAL=") {
			return fmt.Errorf("%w: no COUNT, UNTIL or INTERVAL in a kind's recurrence", ErrPlanKindRule)
		}
		today := DayOf(time.Now(), time.UTC)
		if next, err := k.nextOccurrence(today); err != nil || next.After(today.AddDate(1, 0, 0)) {
			return fmt.Errorf("%w: the recurrence gives no date within a year", ErrPlanKindRule)
		}
	}
	if _, err := k.Slots(); err != nil {
		return err
	}
	if _, err := ParseFigures(k.Figures); err != nil {
		return err
	}
	if k.Figures != "" && k.For != ForDuty {
		return fmt.Errorf("%w: only a duty (a report) asks for figures", ErrFigures)
	}
	return nil
}

// ParseEvery reads "3m" (months) or "90d" (days).
func ParseEvery(s string) (months, days int, err error) {
	if len(s) < 2 {
		return 0, 0, ErrPlanKindRule
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 || n > 1000 {
		return 0, 0, ErrPlanKindRule
	}
	switch s[len(s)-1] {
	case 'm':
		return n, 0, nil
	case 'd':
		return 0, n, nil
	}
	return 0, 0, ErrPlanKindRule
}

// Slots are the reminder offsets in days.
func (k *PlanKind) Slots() ([]int, error) {
	var out []int
	for _, f := range strings.Split(k.Offsets, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < -60 || n > 60 || (len(out) > 0 && n <= out[len(out)-1]) {
			return nil, ErrPlanKindOffsets
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, ErrPlanKindOffsets
	}
	return out, nil
}

// Recurs reports whether the kind's due dates are fixed by a recurrence
// (a missed one is missed, and the next comes) rather than counted from the
// date done (a missed one stays due).
func (k *PlanKind) Recurs() bool { return k.RRule != "" }

// Day is a calendar date, kept as midnight UTC.
type Day = time.Time

// DayOf is the date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ParseDay reads YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	return time.Parse("2006-01-02", strings.TrimSpace(s))
}

// FirstDue is when a plan of the kind is first due if assigned on day:
// the next date of a recurrence, or day itself plus two weeks for an
// interval (the first reminder comes a week later, not at once).
func (k *PlanKind) FirstDue(day Day) (Day, error) {
	day = day.UTC()
	if k.Recurs() {
		return k.onWorkday(k.nextOccurrence(day.Add(-time.Nanosecond)))
	}
	return k.onWorkday(day.AddDate(0, 0, 14), nil)
}

// onWorkday moves a due date of a Workdays kind off a day off, to the
// next working day (a year of days off at most: the holiday table ends).
func (k *PlanKind) onWorkday(due Day, err error) (Day, error) {
	if err != nil || !k.Workdays {
		return due, err
	}
	for i := 0; i < 366 && !calendar.Workday(due); i++ {
		due = due.AddDate(0, 0, 1)
	}
	return due, nil
}

// NextDue is the due date after a plan of the kind was done on done, for an
// interval; for a recurrence, the first date after the current due date
// (after) and after done.
func (k *PlanKind) NextDue(done, after Day) (Day, error) {
	done, after = done.UTC(), after.UTC()
	if !k.Recurs() {
		months, days, err := ParseEvery(k.Every)
		if err != nil {
			return Day{}, err
		}
		return k.onWorkday(addMonths(done, months).AddDate(0, 0, days), nil)
	}
	from := after
	if done.After(from) {
		from = done
	}
	return k.onWorkday(k.nextOccurrence(from))
}

// addMonths moves a date by months, keeping it in its month: 31 August and
// three months is 30 November, not 1 December.
func addMonths(d Day, months int) Day {
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, months, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d.Day(), last), 0, 0, 0, 0, time.UTC)
}

// PeriodStart is where the cycle that ends on due began: the kind's date
// before it, or due less the interval.
func (k *PlanKind) PeriodStart(due Day) (Day, error) {
	due = due.UTC()
	if !k.Recurs() {
		months, days, err := ParseEvery(k.Every)
		if err != nil {
			return Day{}, err
		}
		return addMonths(due, -months).AddDate(0, 0, -days), nil
	}
	opt, err := rrule.StrToROption(k.RRule)
	if err != nil {
		return Day{}, ErrPlanKindRule
	}
	opt.Dtstart = time.Date(due.Year()-2, 1, 1, 0, 0, 0, 0, time.UTC)
	opt.Until = due
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return Day{}, ErrPlanKindRule
	}
	prev := r.Before(due, false)
	if prev.IsZero() {
		return due.AddDate(-1, 0, 0), nil
	}
	return DayOf(prev, time.UTC), nil
}

// nextOccurrence is the recurrence's first date after t.
func (k *PlanKind) nextOccurrence(t Day) (Day, error) {
	t = t.UTC()
	opt, err := rrule.StrToROption(k.RRule)
	if err != nil {
		return Day{}, ErrPlanKindRule
	}
	// Anchored on the first of January before, so that monthly and yearly
	// rules have their months; bounded so that a rule that never matches
	// ends.
	opt.Dtstart = time.Date(t.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	opt.Until = t.AddDate(10, 0, 0)
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return Day{}, ErrPlanKindRule
	}
	next := r.After(t, false)
	if next.IsZero() {
		return Day{}, ErrPlanKindRule
	}
	return DayOf(next, time.UTC), nil
}

// PlanState is where a plan's current cycle stands.
type PlanState string

// The states.
const (
	PlanOpen      PlanState = "open"      // due on NextDue, reminded at its slots
	PlanSubmitted PlanState = "submitted" // the member said it is done; an organizer confirms
	PlanClosed    PlanState = "closed"    // no longer assigned
)

// Plan is one member's (or organizer's) cycle of one kind.
type Plan struct {
	ID       uint      `gorm:"primaryKey"`
	KindID   uint      `gorm:"not null;uniqueIndex:idx_plans_member_kind,priority:2"`
	Kind     *PlanKind `gorm:"constraint:OnDelete:RESTRICT"`
	MemberID uint      `gorm:"not null;uniqueIndex:idx_plans_member_kind,priority:1"`
	Member   *Member   `gorm:"constraint:OnDelete:CASCADE"`
	State    PlanState `gorm:"size:16;not null"`
	NextDue  Day       `gorm:"not null"`
	LastDone *Day
	// Cycle counts the plan's cycles: each has its own reminders.
	Cycle int `gorm:"not null;default:0"`
	// Slot is the next of the kind's reminders to send this cycle (all sent:
	// len(offsets)), NextRemindAt when: the planner's index.
	Slot         int `gorm:"not null;default:0"`
	NextRemindAt *time.Time
	SnoozeAt     *time.Time // "remind me tomorrow"
	OverdueSince *Day       // set when the last reminder of the cycle went out undone
	// OverdueTold: the organizers (or admins) were told it is overdue.
	OverdueTold bool `gorm:"not null;default:false"`
	AssignedBy  *uint
	// Once: a one-off duty (a campaign's self-check by a date): reminded
	// and escalated like any, closed when done, never renewed.
	Once      bool `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Recurs reports whether the plan's dates follow its kind's recurrence: a
// one-off plan's do not.
func (p *Plan) Recurs(k *PlanKind) bool { return k.Recurs() && !p.Once }

// RemindHour is the hour of the day, in the assignee's zone, when plan
// reminders go out.
const RemindHour = 9

// SlotTime is when the plan's reminder at offset days from its due date goes
// out: 09:00 in zone.
func SlotTime(due Day, offset int, zone *time.Location) time.Time {
	d := due.UTC().AddDate(0, 0, offset) // a date is its UTC midnight, whatever zone a driver read it in
	return time.Date(d.Year(), d.Month(), d.Day(), RemindHour, 0, 0, 0, zone)
}

// Overdue reports whether the plan is overdue.
func (p *Plan) Overdue() bool { return p.OverdueSince != nil && p.State != PlanClosed }

// CheckStatus is what became of a report that a cycle was done.
type CheckStatus string

// The statuses.
const (
	CheckPending  CheckStatus = "pending"  // the member said so; an organizer decides
	CheckApproved CheckStatus = "approved" // confirmed (or recorded by an organizer)
	CheckRejected CheckStatus = "rejected" // not accepted: the plan stays open
	CheckMissed   CheckStatus = "missed"   // a recurring duty's date passed undone
)

// CheckRecord is the record of one cycle's completion (or its miss): the
// history of a plan. A certificate is kept by its Telegram file id only.
type CheckRecord struct {
	ID          uint        `gorm:"primaryKey"`
	PlanID      uint        `gorm:"not null;index"`
	Cycle       int         `gorm:"not null"`
	DoneOn      Day         `gorm:"not null"`
	Status      CheckStatus `gorm:"size:16;not null"`
	ByMemberID  *uint       // who recorded or decided
	PhotoFileID string      `gorm:"size:200"`
	Note        string      `gorm:"size:500"` // an organizer's words on a rejection
	CreatedAt   time.Time
	DecidedAt   *time.Time
}
