package models

import (
	"errors"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Day { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

// TestNextDueKeepsTheMonth: a quarterly check done on 31 August is due on
// 30 November (not 1 December); 29 February a year on is 28 February.
func TestNextDueKeepsTheMonth(t *testing.T) {
	cases := []struct {
		every string
		done  Day
		want  Day
	}{
		{"3m", d(2026, 8, 31), d(2026, 11, 30)},
		{"1m", d(2027, 1, 31), d(2027, 2, 28)},
		{"12m", d(2028, 2, 29), d(2029, 2, 28)},
		{"3m", d(2026, 11, 15), d(2027, 2, 15)},
		{"90d", d(2026, 12, 1), d(2027, 3, 1)},
	}
	for _, c := range cases {
		k := PlanKind{Every: c.every}
		got, err := k.NextDue(c.done, c.done)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s after %s = %s %v, want %s", c.every, c.done.Format(time.DateOnly), got.Format(time.DateOnly), err, c.want.Format(time.DateOnly))
		}
	}
}

// TestRecurrenceDates: a weekly duty's next Friday, whatever zone a driver
// read the date in; the period a quarterly duty's date ends.
func TestRecurrenceDates(t *testing.T) {
	fri := PlanKind{RRule: "FREQ=WEEKLY;BYDAY=FR", Offsets: "-1,0"}
	shanghai := time.FixedZone("CST", 8*3600)
	due := d(2026, 11, 27) // a Friday
	for _, in := range []Day{due, due.In(shanghai)} {
		got, err := fri.NextDue(in, in)
		if err != nil || !got.Equal(d(2026, 12, 4)) {
			t.Fatalf("next Friday after %v = %v %v", in, got, err)
		}
	}
	// Done late, on Monday the 7th: the next date is after the day done.
	if got, _ := fri.NextDue(d(2026, 12, 7), d(2026, 12, 4)); !got.Equal(d(2026, 12, 11)) {
		t.Fatalf("done late: %v", got)
	}
	if got, _ := fri.FirstDue(d(2026, 11, 27)); !got.Equal(d(2026, 11, 27)) {
		t.Fatalf("first due on the day itself: %v", got)
	}
	q := PlanKind{RRule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1", Offsets: "-14,0"}
	if got, _ := q.PeriodStart(d(2026, 12, 31)); !got.Equal(d(2026, 9, 30)) {
		t.Fatalf("quarter before 31 December starts %v", got)
	}
	if got, _ := q.FirstDue(d(2026, 11, 29)); !got.Equal(d(2026, 12, 31)) {
		t.Fatalf("first end of quarter %v", got)
	}
	if got, _ := (&PlanKind{Every: "3m"}).PeriodStart(d(2026, 11, 30)); !got.Equal(d(2026, 8, 30)) {
		t.Fatalf("interval period start %v", got)
	}
}

// TestPlanKindValidate: what an admin can and cannot define.
func TestPlanKindValidate(t *testing.T) {
	base := PlanKind{Key: "weekly_report", For: ForDuty, NameZhHans: "周报", NameZhHant: "週報", NameEn: "Weekly report", Offsets: "-1,0"}
	good := []func(*PlanKind){
		func(k *PlanKind) { k.RRule = "FREQ=WEEKLY;BYDAY=FR" },
		func(k *PlanKind) { k.Every = "3m" },
		func(k *PlanKind) { k.Every = "90d"; k.Offsets = "-7,0,3,7" },
	}
	for i, f := range good {
		k := base
		f(&k)
		if err := k.Validate(); err != nil {
			t.Errorf("good %d: %v", i, err)
		}
	}
	bad := map[string]func(*PlanKind){
		"no rule":       func(k *PlanKind) {},
		"both":          func(k *PlanKind) { k.Every, k.RRule = "3m", "FREQ=WEEKLY" },
		"count":         func(k *PlanKind) { k.RRule = "FREQ=WEEKLY;COUNT=3" },
		"until":         func(k *PlanKind) { k.RRule = "FREQ=WEEKLY;UNTIL=20270101T000000Z" },
		"interval":      func(k *PlanKind) { k.RRule = "FREQ=WEEKLY;INTERVAL=2" },
		"never":         func(k *PlanKind) { k.RRule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" },
		"zero every":    func(k *PlanKind) { k.Every = "0m" },
		"unit":          func(k *PlanKind) { k.Every = "3y" },
		"offsets order": func(k *PlanKind) { k.Every = "3m"; k.Offsets = "0,-7" },
		"offsets range": func(k *PlanKind) { k.Every = "3m"; k.Offsets = "-90,0" },
		"offsets empty": func(k *PlanKind) { k.Every = "3m"; k.Offsets = "" },
		"key":           func(k *PlanKind) { k.Every = "3m"; k.Key = "Weekly Report" },
		"name":          func(k *PlanKind) { k.Every = "3m"; k.NameEn = " " },
	}
	for name, f := range bad {
		k := base
		f(&k)
		err := k.Validate()
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrPlanKindRule) && !errors.Is(err, ErrPlanKindOffsets) && !errors.Is(err, ErrPlanKindKey) && !errors.Is(err, ErrPlanKindNames) {
			t.Errorf("%s: %v is not one of the kind's errors", name, err)
		}
	}
}

// TestWorkdaysMoveOffHolidays: a kind due on working days moves a due date
// on a statutory holiday or a weekend to the next working day, a make-up
// Sunday counting as one; other kinds keep their dates.
func TestWorkdaysMoveOffHolidays(t *testing.T) {
	day := func(y, m, d int) Day { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	friday := PlanKind{RRule: "FREQ=WEEKLY;BYDAY=FR", Workdays: true}
	// Friday 2026-10-02 is in the National Day holiday (1–7 October): the
	// next working day is Thursday 2026-10-08.
	if got, err := friday.FirstDue(day(2026, 9, 29)); err != nil || !got.Equal(day(2026, 10, 8)) {
		t.Fatalf("the report after 2026-09-29: %v %v", got, err)
	}
	saturday := PlanKind{RRule: "FREQ=WEEKLY;BYDAY=SA", Workdays: true}
	// Saturday 2027-01-30; Sunday 2027-01-31 is a make-up working day.
	if got, _ := saturday.FirstDue(day(2027, 1, 28)); !got.Equal(day(2027, 1, 31)) {
		t.Fatalf("a Saturday's due date: %v, want the make-up Sunday", got)
	}
	plain := friday
	plain.Workdays = false
	if got, _ := plain.FirstDue(day(2026, 9, 29)); !got.Equal(day(2026, 10, 2)) {
		t.Fatalf("without --workdays: %v", got)
	}
	every := PlanKind{Every: "7d", Workdays: true}
	// 7 days after 2027-02-01 is in the Spring Festival holiday (5–13
	// February): due on Sunday 2027-02-14, a make-up working day.
	if got, _ := every.NextDue(day(2027, 2, 1), day(2027, 2, 1)); !got.Equal(day(2027, 2, 14)) {
		t.Fatalf("7 days after 2027-02-01: %v, want the make-up Sunday 2027-02-14", got)
	}
}
