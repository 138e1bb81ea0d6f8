package models

import (
	"errors"
	"time"
)

// VisitKind is a kind of home visit a cadre makes (SPEC C14), each with
// its rule for when.
type VisitKind string

// The kinds of visit.
const (
	// VisitNewborn: within 7 days of a birth, and again around the 28th
	// day (NewbornWindows).
	VisitNewborn VisitKind = "newborn"
	// VisitCare: a family in difficulty, in the four weeks before the
	// Spring Festival (CareWindow), and before 六一 where its branch wants
	// (ChildrensDayWindow).
	VisitCare VisitKind = "care"
	// VisitFollowup: every N months (Visit.EveryMonths), the next one
	// planned when one is done or missed.
	VisitFollowup VisitKind = "followup"
	// VisitOnce: one visit an organizer assigns, by a date.
	VisitOnce VisitKind = "once"
)

// VisitKinds lists the kinds.
func VisitKinds() []VisitKind { return []VisitKind{VisitNewborn, VisitCare, VisitFollowup, VisitOnce} }

// Valid reports whether k is a known kind.
func (k VisitKind) Valid() bool {
	for _, v := range VisitKinds() {
		if k == v {
			return true
		}
	}
	return false
}

// VisitState is where a visit stands.
type VisitState string

// The states.
const (
	VisitOpen      VisitState = "open"      // to be made in its window
	VisitDone      VisitState = "done"      // made
	VisitMissed    VisitState = "missed"    // its window passed undone
	VisitCancelled VisitState = "cancelled" // no longer wanted (the family left)
)

// Visit is one visit to one family, in a window of days, by a cadre: the
// family's centre household when it has one on Telegram, else the
// organizers of the family's branch (AssigneeID nil).
type Visit struct {
	ID       uint      `gorm:"primaryKey"`
	Kind     VisitKind `gorm:"size:16;not null;uniqueIndex:idx_visits_slot,priority:2"`
	FamilyID uint      `gorm:"not null;uniqueIndex:idx_visits_slot,priority:1"`
	// Slot tells a kind's visits to one family apart: the birth's date and
	// "/1" or "/28" for a birth's, the Spring Festival's year for care, a
	// date otherwise.
	Slot        string     `gorm:"size:32;not null;uniqueIndex:idx_visits_slot,priority:3"`
	BranchID    *uint      `gorm:"index"` // the family's branch when assigned
	AssigneeID  *uint      `gorm:"index"`
	From        Day        `gorm:"column:from_day;not null"`
	By          Day        `gorm:"column:by_day;not null"`
	EveryMonths int        `gorm:"not null;default:0"` // a follow-up's interval
	State       VisitState `gorm:"size:16;not null;index"`
	DoneOn      *Day
	DoneBy      *uint
	Note        string `gorm:"size:1200;not null;default:''"`
	Gave        string `gorm:"size:400;not null;default:''"` // what was given: 大米 1 袋, 现金 500 元
	PhotoFileID string `gorm:"size:200;not null;default:''"`
	// MissedTold: the organizers were told it was missed.
	MissedTold bool `gorm:"not null;default:false"`
	CreatedBy  *uint
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Visit limits.
const (
	MaxVisitNote = 300
	MaxVisitGave = 100
)

// Why a visit is refused.
var (
	ErrVisitKind     = errors.New("a visit's kind is newborn, care, followup or once")
	ErrVisitNotYours = errors.New("the visit is not yours to close")
	ErrVisitClosed   = errors.New("the visit is done, missed or cancelled already")
	ErrVisitNotYet   = errors.New("the visit's window has not begun")
	ErrVisitWindow   = errors.New("a visit is due from a day to a later one, not in the past")
)

// Window is a visit's span of days, From to By inclusive.
type Window struct {
	Slot     string
	From, By Day
}

// NewbornWindows are a birth's two visits: within 7 days, and around the
// 28th day (days 25 to 31).
func NewbornWindows(birth Day) []Window {
	b := birth.Format("2006-01-02")
	return []Window{
		{Slot: b + "/1", From: birth, By: birth.AddDate(0, 0, 7)},
		{Slot: b + "/28", From: birth.AddDate(0, 0, 25), By: birth.AddDate(0, 0, 31)},
	}
}

// NewbornDays is how long after a birth its visits run: a birth recorded
// within them is the family's current one (👶 does not replace it).
const NewbornDays = 31

// CareWeeks is how long before the Spring Festival care visits begin.
const CareWeeks = 4

// CareWindow is the care visit's window before the Spring Festival on
// festival: the four weeks before it, slot its year.
func CareWindow(festival Day) Window {
	return Window{Slot: festival.Format("2006"), From: festival.AddDate(0, 0, -7*CareWeeks), By: festival.AddDate(0, 0, -1)}
}

// ChildrensDayWindow is the care visit's window before 六一 (1 June) of
// year, for the branches that want it: the four weeks before, slot the
// day.
func ChildrensDayWindow(year int) Window {
	day := time.Date(year, time.June, 1, 0, 0, 0, 0, time.UTC)
	return Window{Slot: day.Format("2006-01-02"), From: day.AddDate(0, 0, -7*CareWeeks), By: day.AddDate(0, 0, -1)}
}

// FollowupWindow is the next follow-up every months after day: a week
// either side.
func FollowupWindow(after Day, months int) Window {
	due := addMonths(after, months)
	return Window{Slot: due.Format("2006-01-02"), From: due.AddDate(0, 0, -7), By: due.AddDate(0, 0, 7)}
}

// OnceWindow is a one-off visit from today by by.
func OnceWindow(today, by Day) Window {
	return Window{Slot: by.Format("2006-01-02"), From: today, By: by}
}

// Due reports whether the visit is open and its window has begun on today.
func (v *Visit) Due(today Day) bool { return v.State == VisitOpen && !today.Before(v.From) }

// Late reports whether the open visit's window ended before today.
func (v *Visit) Late(today Day) bool { return v.State == VisitOpen && today.After(v.By) }
