package calendar_test

import (
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/calendar"
)

func TestHolidayOn(t *testing.T) {
	h, ok := calendar.HolidayOn(day(2027, 2, 8))
	if !ok || h.Key != "spring_festival" || h.Name != "春节" || h.Work || !h.Day.Equal(day(2027, 2, 8)) {
		t.Errorf("2027-02-08: %+v, %v", h, ok)
	}
	if calendar.Workday(day(2027, 2, 8)) {
		t.Error("2027-02-08 (a Monday off) is a workday")
	}
	if h, ok := calendar.HolidayOn(day(2027, 2, 15)); ok {
		t.Errorf("2027-02-15: %+v", h)
	}
	if !calendar.Workday(day(2027, 2, 15)) {
		t.Error("2027-02-15 (a Monday) is not a workday")
	}
	// Make-up working days on a Sunday.
	for d, key := range map[time.Time]string{
		day(2026, 9, 20): "national_day",
		day(2027, 1, 31): "spring_festival",
	} {
		if d.Weekday() != time.Sunday {
			t.Fatalf("%v is a %v", d, d.Weekday())
		}
		if h, ok := calendar.HolidayOn(d); !ok || !h.Work || h.Key != key {
			t.Errorf("%v: %+v, %v", d, h, ok)
		}
		if !calendar.Workday(d) {
			t.Errorf("%v (a make-up working day) is not a workday", d)
		}
	}
	if h, ok := calendar.HolidayOn(day(2026, 10, 1)); !ok || h.Key != "national_day" || h.Work {
		t.Errorf("2026-10-01: %+v, %v", h, ok)
	}
	if h, ok := calendar.HolidayOn(day(2026, 9, 25)); !ok || h.Key != "mid_autumn" {
		t.Errorf("2026-09-25: %+v, %v", h, ok)
	}
	// 2025's National Day and Mid-Autumn fell together: 国庆中秋.
	if h, ok := calendar.HolidayOn(day(2025, 10, 3)); !ok || h.Key != "national_day" || h.Name != "国庆中秋" {
		t.Errorf("2025-10-03: %+v, %v", h, ok)
	}
	// Any time of day and location: the calendar date counts.
	if h, ok := calendar.HolidayOn(time.Date(2027, 2, 8, 23, 59, 0, 0, time.FixedZone("CST", 8*3600))); !ok || !h.Day.Equal(day(2027, 2, 8)) {
		t.Errorf("2027-02-08 23:59 CST: %+v, %v", h, ok)
	}
	if d := day(2026, 3, 7); d.Weekday() != time.Saturday || calendar.Workday(d) {
		t.Errorf("%v (an ordinary %v) is a workday", d, d.Weekday())
	}
}

func TestFix(t *testing.T) {
	through := calendar.HolidayDataThrough()
	if through < 2027 {
		t.Fatalf("holiday data through %d", through)
	}
	for _, bad := range []string{
		"2030010101203001",                     // short
		"203001010120300101x",                  // one too many
		"2031010101203101012030010101203001",   // not a multiple
		"203101010120310101203a010120300101",   // a letter in a day
		"203101010120310101203002300120300101", // February 30
		"203101019120310101",                   // festival 9
		"203101010220310101",                   // work flag 2
		"20310101012031010x",                   // festival day
		"203101010120310101203101010120310101", // a day twice
		"2031010101203101012030-1010120300101", // a sign
		"２０３１０１０１０１２０３１０１０１",                   // full-width digits
	} {
		if err := calendar.Fix(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	if h, ok := calendar.HolidayOn(day(2031, 1, 1)); ok {
		t.Errorf("a refused fix changed 2031-01-01: %+v", h)
	}
	if got := calendar.HolidayDataThrough(); got != through {
		t.Errorf("a refused fix moved the data to %d", got)
	}

	// A made-up 2030 New Year's Day, a record a line.
	if err := calendar.LoadFix(strings.NewReader("203001010120300101\n203001050020300101\n")); err != nil {
		t.Fatal(err)
	}
	if h, ok := calendar.HolidayOn(day(2030, 1, 1)); !ok || h.Key != "new_year" || h.Work {
		t.Errorf("2030-01-01 after the fix: %+v, %v", h, ok)
	}
	if d := day(2030, 1, 5); d.Weekday() != time.Saturday || !calendar.Workday(d) {
		t.Errorf("2030-01-05 (%v) is not a make-up working day", d.Weekday())
	}
	if got := calendar.HolidayDataThrough(); got != 2030 {
		t.Errorf("data through %d after the fix, want 2030", got)
	}
	// A change: 2030-01-01 becomes a working day; then both go.
	if err := calendar.Fix("203001010020300101"); err != nil {
		t.Fatal(err)
	}
	if h, ok := calendar.HolidayOn(day(2030, 1, 1)); !ok || !h.Work {
		t.Errorf("2030-01-01 after the change: %+v, %v", h, ok)
	}
	if err := calendar.Fix("20300101~020300101 20300105~020300101"); err != nil {
		t.Fatal(err)
	}
	if h, ok := calendar.HolidayOn(day(2030, 1, 1)); ok {
		t.Errorf("2030-01-01 after the removal: %+v", h)
	}
	if got := calendar.HolidayDataThrough(); got != through {
		t.Errorf("data through %d after the removal, want %d", got, through)
	}
	if err := calendar.Fix(" \n"); err != nil {
		t.Errorf("empty fix: %v", err)
	}
}

func TestHolidayConcurrent(t *testing.T) {
	done := make(chan bool)
	go func() {
		for i := 0; i < 20; i++ {
			calendar.Workday(day(2027, 2, 8))
		}
		done <- true
	}()
	if err := calendar.Fix("203201010120320101"); err != nil {
		t.Error(err)
	}
	<-done
	if err := calendar.Fix("20320101~020320101"); err != nil {
		t.Error(err)
	}
}
