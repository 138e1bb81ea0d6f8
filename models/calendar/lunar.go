package calendar

import (
	"fmt"
	"sync"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// Lunar is a day of the lunar calendar without its year: a month (1–12)
// and a day (1–30), such as 08-15 for the Mid-Autumn Festival. It names a
// yearly date, such as a festival or a member's lunar birthday.
type Lunar struct {
	Month, Day int
}

// ParseLunar reads a lunar day written "MM-DD" or "M-D", such as "08-15" or
// "1-1". The month is 1–12 and the day 1–30. Anything else is an error:
// spaces, signs, other text, a month or day out of range.
func ParseLunar(s string) (Lunar, error) {
	var l Lunar
	m, d, ok := cut(s)
	if ok {
		l.Month, ok = number(m)
	}
	if ok {
		l.Day, ok = number(d)
	}
	if !ok || l.Month < 1 || l.Month > 12 || l.Day < 1 || l.Day > 30 {
		return Lunar{}, fmt.Errorf("calendar: %q is not a lunar day MM-DD (month 1–12, day 1–30)", s)
	}
	return l, nil
}

// cut splits s at its only '-'.
func cut(s string) (before, after string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// number reads one or two ASCII digits.
func number(s string) (int, bool) {
	if len(s) < 1 || len(s) > 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// String writes the lunar day as ParseLunar reads it, with two digits each:
// "01-01".
func (l Lunar) String() string {
	return fmt.Sprintf("%02d-%02d", l.Month, l.Day)
}

// In is the solar calendar date (its UTC midnight) of the lunar day in
// lunarYear: in its month, never in a leap month of the same number. A
// lunar month has 29 or 30 days; day 30 of a 29-day month is the month's
// last day (12-30, New Year's Eve, is the eve of the Spring Festival every
// year). l must be valid, as ParseLunar returns it.
func (l Lunar) In(lunarYear int) time.Time {
	key := lunarKey{l, lunarYear}
	if d, ok := solarDays.Load(key); ok {
		return d.(time.Time)
	}
	d := l.Day
	if n := calendar.NewLunarYear(lunarYear).GetMonth(l.Month).GetDayCount(); d > n {
		d = n
	}
	s := calendar.NewLunarFromYmd(lunarYear, l.Month, d).GetSolar()
	day := time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, time.UTC)
	solarDays.Store(key, day)
	return day
}

// solarDays remembers In's answers: a lunar year is an astronomical
// computation of milliseconds (the new moons and solar terms), and its
// dates never change. A few notices over a few years keep it small.
var solarDays sync.Map // lunarKey → time.Time

type lunarKey struct {
	l    Lunar
	year int
}

// Next is the next n solar dates of the lunar day, in order, strictly
// after the calendar date of after (its year, month and day; the time and
// location are ignored). A lunar year begins in January or February, so
// its last months fall in the next solar year: the search starts with the
// lunar year before after's.
func (l Lunar) Next(after time.Time, n int) []time.Time {
	if n <= 0 {
		return nil
	}
	from := time.Date(after.Year(), after.Month(), after.Day(), 0, 0, 0, 0, time.UTC)
	days := make([]time.Time, 0, n)
	for y := after.Year() - 1; len(days) < n; y++ {
		if d := l.In(y); d.After(from) {
			days = append(days, d)
		}
	}
	return days
}
