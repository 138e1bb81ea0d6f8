// Package calendar knows the dates of China's calendar the association
// keeps: the lunar ones, computed (the Spring Festival moves every year),
// and the statutory holidays with their make-up working days, from the
// State Council's notices, both by github.com/6tail/lunar-go.
package calendar

import (
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// SpringFestival is the Spring Festival (春节, the first day of the first
// lunar month) of the lunar year that begins in year, as a calendar date
// (its UTC midnight, like models.Day).
func SpringFestival(year int) time.Time {
	s := calendar.NewLunarFromYmd(year, 1, 1).GetSolar()
	return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, time.UTC)
}

// NextSpringFestival is the first Spring Festival after day (on the day
// itself, the next year's: its visits are over).
func NextSpringFestival(day time.Time) time.Time {
	if f := SpringFestival(day.Year()); f.After(day) {
		return f
	}
	return SpringFestival(day.Year() + 1)
}
