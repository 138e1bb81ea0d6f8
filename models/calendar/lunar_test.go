package calendar_test

import (
	"testing"

	lc "github.com/6tail/lunar-go/calendar"

	"github.com/assocbot/assocbot/models/calendar"
)

func TestParseLunar(t *testing.T) {
	good := map[string]calendar.Lunar{
		"01-01": {1, 1}, "1-1": {1, 1}, "8-15": {8, 15}, "08-15": {8, 15},
		"12-30": {12, 30}, "5-05": {5, 5}, "10-3": {10, 3},
	}
	for s, want := range good {
		got, err := calendar.ParseLunar(s)
		if err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{
		"", "-", "01", "0101", "01/01", "00-01", "13-01", "01-00", "01-31",
		"-1-01", "01--1", "+1-01", " 01-01", "01-01 ", "01 -01", "01- 01",
		"001-01", "01-001", "01-01-01", "01-01x", "x01-01", "１-１", "01-1a",
	} {
		if l, err := calendar.ParseLunar(s); err == nil {
			t.Errorf("%q: accepted as %v", s, l)
		}
	}
	if s := (calendar.Lunar{1, 1}).String(); s != "01-01" {
		t.Errorf("String: %q", s)
	}
	if s := (calendar.Lunar{12, 30}).String(); s != "12-30" {
		t.Errorf("String: %q", s)
	}
}

func TestLunarIn(t *testing.T) {
	for l, want := range map[calendar.Lunar]string{
		{1, 1}:  "2027-02-06", // 春节
		{1, 15}: "2027-02-20", // 元宵
		{5, 5}:  "2027-06-09", // 端午
		{8, 15}: "2027-09-15", // 中秋
	} {
		if got := l.In(2027).Format("2006-01-02"); got != want {
			t.Errorf("%v in 2027: %s, want %s", l, got, want)
		}
	}
	// The twelfth month of lunar year 2026 has 29 days: 12-30 is its 29th,
	// the eve of the Spring Festival 2027.
	if n := lc.NewLunarYear(2026).GetMonth(12).GetDayCount(); n != 29 {
		t.Fatalf("the library gives the 12th month of 2026 %d days", n)
	}
	eve := calendar.Lunar{12, 30}.In(2026)
	if want := calendar.SpringFestival(2027).AddDate(0, 0, -1); !eve.Equal(want) {
		t.Errorf("12-30 in 2026: %v, want %v", eve, want)
	}
	if got := (calendar.Lunar{12, 29}).In(2026); !got.Equal(eve) {
		t.Errorf("12-29 in 2026: %v, want %v", got, eve)
	}
	// In 2023 it has 30.
	if got, want := (calendar.Lunar{12, 30}).In(2023), calendar.SpringFestival(2024).AddDate(0, 0, -1); !got.Equal(want) {
		t.Errorf("12-30 in 2023: %v, want %v", got, want)
	}
}

func TestLunarNext(t *testing.T) {
	got := calendar.Lunar{1, 1}.Next(day(2026, 12, 4), 3)
	want := []string{"2027-02-06", "2028-01-26", "2029-02-13"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].Format("2006-01-02") != want[i] {
			t.Errorf("%d: %v, want %s", i, got[i], want[i])
		}
	}
	// Strictly after: on the day itself, the next year's.
	if got := (calendar.Lunar{1, 1}).Next(day(2027, 2, 6), 1); len(got) != 1 || !got[0].Equal(day(2028, 1, 26)) {
		t.Errorf("on the day: %v", got)
	}
	// 12-xx of lunar year 2026 falls in January 2027.
	if got := (calendar.Lunar{12, 8}).Next(day(2027, 1, 1), 2); len(got) != 2 || !got[0].Equal(day(2027, 1, 15)) || !got[1].Equal(day(2028, 1, 4)) {
		t.Errorf("12-08 after 2027-01-01: %v", got)
	}
	if got := (calendar.Lunar{1, 1}).Next(day(2026, 12, 4), 0); got != nil {
		t.Errorf("n = 0: %v", got)
	}
}

func FuzzParseLunar(f *testing.F) {
	for _, s := range []string{"01-01", "1-1", "12-30", "8-15", "00-01", "13-01", "01-31", "-1-1", "01-01x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := calendar.ParseLunar(s)
		if err != nil {
			return
		}
		back, err := calendar.ParseLunar(l.String())
		if err != nil || back != l {
			t.Fatalf("%q: %v does not round-trip: %v, %v", s, l, back, err)
		}
		d := l.In(2027)
		if m := lc.NewLunarFromDate(d).GetMonth(); m != l.Month {
			t.Fatalf("%v in 2027 is %v, lunar month %d", l, d, m)
		}
	})
}
