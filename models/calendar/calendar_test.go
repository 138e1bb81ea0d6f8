package calendar_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/calendar"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestSpringFestival(t *testing.T) {
	for year, want := range map[int]time.Time{2026: day(2026, 2, 17), 2027: day(2027, 2, 6), 2028: day(2028, 1, 26)} {
		if got := calendar.SpringFestival(year); !got.Equal(want) {
			t.Errorf("%d: %v, want %v", year, got, want)
		}
	}
	if got := calendar.NextSpringFestival(day(2026, 12, 4)); !got.Equal(day(2027, 2, 6)) {
		t.Errorf("next after 2026-12-04: %v", got)
	}
	if got := calendar.NextSpringFestival(day(2027, 2, 5)); !got.Equal(day(2027, 2, 6)) {
		t.Errorf("the day before: %v", got)
	}
	if got := calendar.NextSpringFestival(day(2027, 2, 6)); !got.Equal(day(2028, 1, 26)) {
		t.Errorf("on the day: %v, want the next year's", got)
	}
}
