package models_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
)

func zone(t *testing.T, name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestMemberDayRecursYearly(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	e := models.Event{ID: 1, StartAt: time.Date(2026, 5, 29, 9, 0, 0, 0, sh), RRule: "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=29"}
	next, ok := e.NextOccurrence(sh, time.Date(2026, 11, 23, 12, 0, 0, 0, sh))
	if want := time.Date(2027, 5, 29, 9, 0, 0, 0, sh); !ok || !next.Equal(want) {
		t.Fatalf("next member day %v, want %v", next, want)
	}
	if next.In(sh).Format("2006-01-02 15:04 -0700") != "2027-05-29 09:00 +0800" {
		t.Fatalf("in Shanghai: %s", next.In(sh).Format("2006-01-02 15:04 -0700"))
	}
}

func TestFirstMondayAcrossZones(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	e := models.Event{ID: 2, StartAt: time.Date(2026, 12, 7, 9, 30, 0, 0, sh), RRule: "FREQ=MONTHLY;BYDAY=1MO"}
	occ, err := e.Occurrences(sh, time.Date(2026, 12, 1, 0, 0, 0, 0, sh), time.Date(2027, 3, 1, 0, 0, 0, 0, sh))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range occ {
		got = append(got, o.In(sh).Format("2006-01-02 15:04 Mon"))
	}
	want := []string{"2026-12-07 09:30 Mon", "2027-01-04 09:30 Mon", "2027-02-01 09:30 Mon"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	// A branch meeting in Berlin (members working away): 09:00 local on the
	// first Monday before and after the switch to summer time (29 March 2027).
	be := zone(t, "Europe/Berlin")
	m := models.Event{ID: 3, StartAt: time.Date(2027, 3, 1, 9, 0, 0, 0, be), RRule: "FREQ=MONTHLY;BYDAY=1MO"}
	occ, _ = m.Occurrences(be, time.Date(2027, 3, 1, 0, 0, 0, 0, be), time.Date(2027, 5, 1, 0, 0, 0, 0, be))
	if len(occ) != 2 {
		t.Fatalf("Berlin occurrences %v", occ)
	}
	if a, b := occ[0].UTC().Format("01-02 15:04"), occ[1].UTC().Format("01-02 15:04"); a != "03-01 08:00" || b != "04-05 07:00" {
		t.Fatalf("Berlin in UTC: %s and %s, want 03-01 08:00 (CET) and 04-05 07:00 (CEST)", a, b)
	}
	for _, o := range occ {
		if o.In(be).Hour() != 9 || o.In(be).Weekday() != time.Monday {
			t.Fatalf("not 09:00 on a Monday in Berlin: %v", o.In(be))
		}
	}
}

func TestParseRRule(t *testing.T) {
	for _, ok := range []string{"", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=29", "RRULE:FREQ=MONTHLY;BYDAY=1MO", "FREQ=WEEKLY;COUNT=4"} {
		if err := models.ParseRRule(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"FREQ=SOMETIMES", "BYDAY=1MO", "DTSTART:20260101T000000Z\nFREQ=DAILY", "nonsense", "FREQ=SECONDLY"} {
		if err := models.ParseRRule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzRRule(f *testing.F) {
	for _, s := range []string{"FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=29", "FREQ=MONTHLY;BYDAY=1MO", "FREQ=DAILY;INTERVAL=0", "FREQ=WEEKLY;BYDAY=-1FR;COUNT=3"} {
		f.Add(s)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	f.Fuzz(func(t *testing.T, s string) {
		if models.ParseRRule(s) != nil {
			return
		}
		e := models.Event{StartAt: time.Date(2026, 1, 1, 9, 0, 0, 0, sh), RRule: s}
		e.NextOccurrence(sh, time.Date(2026, 6, 1, 0, 0, 0, 0, sh))
		e.Occurrences(sh, time.Date(2026, 1, 1, 0, 0, 0, 0, sh), time.Date(2026, 3, 1, 0, 0, 0, 0, sh))
	})
}
