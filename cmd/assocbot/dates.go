package main

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
)

// cliDay reads a flag's date as the import reads a spreadsheet's
// (roster.ParseDate: 2026-12-20, 2026/12/20, 2026.12.20, 2026年12月20日 …).
// A value written like a date that names no day (2027-02-30) is a bad
// date, not a bad format.
func cliDay(flag, v string) (models.Day, error) {
	if d, ok := roster.ParseDate(v); ok {
		return d, nil
	}
	if noSuchDay(v) {
		return models.Day{}, usageError{fmt.Sprintf("--%s %s is a bad date: there is no such day", flag, strings.TrimSpace(v))}
	}
	return models.Day{}, usageError{fmt.Sprintf(`--%s %q: want a date, e.g. 2026-12-20 or 2026/12/20`, flag, v)}
}

// wallClock reads a flag's "YYYY-MM-DD HH:MM", the date in any form cliDay
// takes (2026/12/20 09:30), as a wall-clock time: its fields, in UTC.
func wallClock(flag, v string) (time.Time, error) {
	want := usageError{fmt.Sprintf(`--%s %q: want "YYYY-MM-DD HH:MM"`, flag, v)}
	parts := strings.Fields(v)
	if len(parts) != 2 {
		return time.Time{}, want
	}
	hm, err := time.Parse("15:04", parts[1])
	if err != nil {
		return time.Time{}, want
	}
	d, ok := roster.ParseDate(parts[0])
	if !ok {
		if noSuchDay(parts[0]) {
			return time.Time{}, usageError{fmt.Sprintf("--%s %s is a bad date: there is no such day", flag, strings.TrimSpace(v))}
		}
		return time.Time{}, want
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hm.Hour(), hm.Minute(), 0, 0, time.UTC), nil
}

var number = regexp.MustCompile(`[0-9]+`)

// noSuchDay reports whether v is written as roster.ParseDate reads a date
// but one of its numbers is out of range (February 30th, a 13th month):
// with that number made 1 (a year 2000), it reads.
func noSuchDay(v string) bool {
	for _, at := range number.FindAllStringIndex(v, -1) {
		n := at[1] - at[0]
		one := strings.Repeat("0", n-1) + "1"
		if n == 4 {
			one = "2000"
		}
		if _, ok := roster.ParseDate(v[:at[0]] + one + v[at[1]:]); ok {
			return true
		}
	}
	return false
}
