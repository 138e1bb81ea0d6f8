package input

import (
	"fmt"
	"slices"
	"time"
)

// GapError is returned for a wall-clock time that does not happen in its
// zone because the clocks jump over it (02:30 on the night summer time
// starts in New York). Before and After are the nearest times that do
// happen, in the zone: the last minute before the jump (01:59) and the
// first moment after it (03:00).
type GapError struct {
	Before, After time.Time
}

func (e *GapError) Error() string {
	return fmt.Sprintf("input: that time does not happen in %s: the clocks go from %s to %s",
		e.After.Location(), e.Before.Format("2006-01-02 15:04 MST"), e.After.Format("2006-01-02 15:04 MST"))
}

// Unwrap makes a GapError an ErrWhen: what was typed is not a time that
// happens.
func (e *GapError) Unwrap() error { return ErrWhen }

// Local is the instant at which clocks in loc read y-m-d h:min: the one
// rule for turning a wall-clock time someone typed into an instant. A date
// or time that does not exist on the calendar (2月30日, 25:00) is ErrWhen; a
// time the clocks jump over is a *GapError naming the nearest times that
// happen; a time the clocks show twice (the hour repeated when they go back)
// is the earlier of the two, and Ambiguous tells the caller so.
//
// time.Date leaves both cases unspecified (and in practice picks the later
// instant in Berlin and the earlier in New York), so Local never relies on
// it.
func Local(y int, m time.Month, d, h, min int, loc *time.Location) (time.Time, error) {
	if m < time.January || m > time.December || d < 1 || d > daysIn(y, m) || h < 0 || h > 23 || min < 0 || min > 59 {
		return time.Time{}, ErrWhen
	}
	wall := time.Date(y, m, d, h, min, 0, 0, time.UTC)
	if at := instants(wall, loc); len(at) > 0 {
		return at[0], nil
	}
	if gap := gapAround(wall, loc); gap != nil {
		return time.Time{}, gap
	}
	return time.Time{}, ErrWhen // no zone period shows it and none jumps over it: not seen in real zones
}

// Ambiguous reports whether the clocks in t's location show t's reading
// twice (the repeated hour when they go back), and other, the instant with
// the same reading that is not t.
func Ambiguous(t time.Time) (other time.Time, ok bool) {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	for _, at := range instants(wall, t.Location()) {
		if !at.Equal(t) {
			return at, true
		}
	}
	return time.Time{}, false
}

// window bounds the search for the instants of a reading: UTC offsets lie
// within −12h and +14h (a few minutes more for old local mean times), so
// every instant showing a reading is within a day of it read as UTC.
const window = 26 * time.Hour

// instants are the instants, earliest first, at which clocks in loc show
// wall (a reading given in UTC's fields): none in a gap, two in a repeated
// hour, one otherwise. It tries the offset of every zone period that
// starts within the window.
func instants(wall time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	end := wall.Add(window)
	for t := wall.Add(-window); t.Before(end); {
		lt := t.In(loc)
		_, off := lt.Zone()
		at := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameReading(at, wall) && !slices.ContainsFunc(out, at.Equal) {
			out = append(out, at)
		}
		_, next := lt.ZoneBounds()
		if next.IsZero() || !next.After(t) { // a fixed zone, or the last period
			break
		}
		t = next
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// gapAround finds the jump of loc's clocks that skips wall, if one does.
func gapAround(wall time.Time, loc *time.Location) *GapError {
	end := wall.Add(window)
	for t := wall.Add(-window); t.Before(end); {
		lt := t.In(loc)
		_, before := lt.Zone()
		_, jump := lt.ZoneBounds()
		if jump.IsZero() || !jump.After(t) {
			return nil
		}
		_, after := jump.In(loc).Zone()
		// Clocks read jump+before just before the jump and jump+after from
		// it on: the readings in between are skipped.
		from := jump.Add(time.Duration(before) * time.Second).UTC()
		to := jump.Add(time.Duration(after) * time.Second).UTC()
		if after > before && !wall.Before(from) && wall.Before(to) {
			return &GapError{Before: jump.Add(-time.Minute).In(loc), After: jump.In(loc)}
		}
		t = jump
	}
	return nil
}

// sameReading reports whether clocks show wall's fields at t.
func sameReading(t, wall time.Time) bool {
	y, m, d := t.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && t.Hour() == wall.Hour() && t.Minute() == wall.Minute() && t.Second() == wall.Second()
}

// daysIn is the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
