package outbox

import (
	"fmt"
	"time"
)

// QuietHours is a daily window (e.g. 21:00–08:00, across midnight) when
// non-urgent messages wait. The zero value is "off".
type QuietHours struct {
	on         bool
	start, end int // minutes after midnight
}

// ParseQuietHours reads "HH:MM-HH:MM" or "off".
func ParseQuietHours(s string) (QuietHours, error) {
	if s == "off" || s == "" {
		return QuietHours{}, nil
	}
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil ||
		h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM or off", s)
	}
	q := QuietHours{on: true, start: h1*60 + m1, end: h2*60 + m2}
	if q.start == q.end {
		return QuietHours{}, nil
	}
	return q, nil
}

// Contains reports whether t (in its own location) is inside the window.
func (q QuietHours) Contains(t time.Time) bool {
	if !q.on {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	if q.start < q.end {
		return m >= q.start && m < q.end
	}
	return m >= q.start || m < q.end
}

// End is the first moment after t, in t's location, when the window is over.
func (q QuietHours) End(t time.Time) time.Time {
	end := time.Date(t.Year(), t.Month(), t.Day(), q.end/60, q.end%60, 0, 0, t.Location())
	if !end.After(t) {
		end = time.Date(t.Year(), t.Month(), t.Day()+1, q.end/60, q.end%60, 0, 0, t.Location())
	}
	return end
}

// Deliver is when a message ready at t goes out to a member in zone: at t,
// or, unless urgent, when the quiet hours around t end.
func (q QuietHours) Deliver(t time.Time, urgent bool, zone *time.Location) time.Time {
	local := t.In(zone)
	if urgent || !q.Contains(local) {
		return t
	}
	return q.End(local)
}
