package input_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/input"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLocal: readings in zones whose clocks jump forward (a gap), go back
// (a repeated hour, Lord Howe's by half an hour) and never change.
func TestLocal(t *testing.T) {
	utc := func(s string) time.Time {
		u, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for _, c := range []struct {
		zone    string
		reading string
		want    string // the instant in UTC; "" for a gap
		second  string // the other instant of a repeated reading
		before  string // a gap's nearest times, in UTC
		after   string
	}{
		// New York: 02:00 EST → 03:00 EDT on 14 March, 02:00 EDT → 01:00 EST on 7 November.
		{zone: "America/New_York", reading: "2027-03-14 01:59", want: "2027-03-14 06:59"},
		{zone: "America/New_York", reading: "2027-03-14 02:00", before: "2027-03-14 06:59", after: "2027-03-14 07:00"},
		{zone: "America/New_York", reading: "2027-03-14 02:30", before: "2027-03-14 06:59", after: "2027-03-14 07:00"},
		{zone: "America/New_York", reading: "2027-03-14 02:59", before: "2027-03-14 06:59", after: "2027-03-14 07:00"},
		{zone: "America/New_York", reading: "2027-03-14 03:00", want: "2027-03-14 07:00"},
		{zone: "America/New_York", reading: "2027-11-07 00:59", want: "2027-11-07 04:59"},
		{zone: "America/New_York", reading: "2027-11-07 01:00", want: "2027-11-07 05:00", second: "2027-11-07 06:00"},
		{zone: "America/New_York", reading: "2027-11-07 01:30", want: "2027-11-07 05:30", second: "2027-11-07 06:30"},
		{zone: "America/New_York", reading: "2027-11-07 01:59", want: "2027-11-07 05:59", second: "2027-11-07 06:59"},
		{zone: "America/New_York", reading: "2027-11-07 02:00", want: "2027-11-07 07:00"},
		// Berlin: 02:00 CET → 03:00 CEST on 28 March, 03:00 CEST → 02:00 CET on 31 October
		// (where time.Date happens to pick the later instant).
		{zone: "Europe/Berlin", reading: "2027-03-28 02:30", before: "2027-03-28 00:59", after: "2027-03-28 01:00"},
		{zone: "Europe/Berlin", reading: "2027-03-28 03:00", want: "2027-03-28 01:00"},
		{zone: "Europe/Berlin", reading: "2027-10-31 02:30", want: "2027-10-31 00:30", second: "2027-10-31 01:30"},
		{zone: "Europe/Berlin", reading: "2027-10-31 03:00", want: "2027-10-31 02:00"},
		// Lord Howe moves by half an hour: 02:00 +10:30 → 02:30 +11 on 3 October,
		// 02:00 +11 → 01:30 +10:30 on 4 April.
		{zone: "Australia/Lord_Howe", reading: "2027-10-03 01:59", want: "2027-10-02 15:29"},
		{zone: "Australia/Lord_Howe", reading: "2027-10-03 02:15", before: "2027-10-02 15:29", after: "2027-10-02 15:30"},
		{zone: "Australia/Lord_Howe", reading: "2027-10-03 02:30", want: "2027-10-02 15:30"},
		{zone: "Australia/Lord_Howe", reading: "2027-04-04 01:29", want: "2027-04-03 14:29"},
		{zone: "Australia/Lord_Howe", reading: "2027-04-04 01:45", want: "2027-04-03 14:45", second: "2027-04-03 15:15"},
		{zone: "Australia/Lord_Howe", reading: "2027-04-04 02:00", want: "2027-04-03 15:30"},
		// Shanghai keeps one offset.
		{zone: "Asia/Shanghai", reading: "2027-03-14 02:30", want: "2027-03-13 18:30"},
		{zone: "Asia/Shanghai", reading: "2027-11-07 01:30", want: "2027-11-06 17:30"},
		// Chile's clocks skip midnight: the start of that day is 01:00.
		{zone: "America/Santiago", reading: "2027-09-05 00:30", before: "2027-09-05 03:59", after: "2027-09-05 04:00"},
		{zone: "America/Santiago", reading: "2027-09-05 01:00", want: "2027-09-05 04:00"},
	} {
		loc := zone(t, c.zone)
		r := utc(c.reading)
		got, err := input.Local(r.Year(), r.Month(), r.Day(), r.Hour(), r.Minute(), loc)
		name := c.zone + " " + c.reading
		if c.want == "" {
			var gap *input.GapError
			if !errors.As(err, &gap) || !errors.Is(err, input.ErrWhen) {
				t.Errorf("%s: %v %v, want a gap", name, got, err)
				continue
			}
			if !gap.Before.Equal(utc(c.before)) || !gap.After.Equal(utc(c.after)) || gap.Before.Location() != loc || gap.After.Location() != loc {
				t.Errorf("%s: gap %v – %v, want %s – %s UTC", name, gap.Before, gap.After, c.before, c.after)
			}
			continue
		}
		if err != nil || !got.Equal(utc(c.want)) || got.Location() != loc {
			t.Errorf("%s: %v %v, want %s UTC", name, got, err, c.want)
			continue
		}
		other, twice := input.Ambiguous(got)
		switch {
		case c.second == "" && twice:
			t.Errorf("%s: called repeated, other %v", name, other)
		case c.second != "" && (!twice || !other.Equal(utc(c.second))):
			t.Errorf("%s: other %v %v, want %s UTC", name, other, twice, c.second)
		case twice:
			// Asked about the later one, Ambiguous names the earlier.
			if first, ok := input.Ambiguous(other); !ok || !first.Equal(got) {
				t.Errorf("%s: from the second, %v %v", name, first, ok)
			}
		}
	}
}

// TestLocalRefusesWhatTheCalendarLacks: Local does not roll 30 February
// into March, as time.Date would.
func TestLocalRefusesWhatTheCalendarLacks(t *testing.T) {
	for _, c := range [][5]int{{2027, 2, 29, 9, 0}, {2028, 2, 30, 9, 0}, {2027, 13, 1, 9, 0}, {2027, 0, 1, 9, 0},
		{2027, 4, 31, 9, 0}, {2027, 1, 0, 9, 0}, {2027, 1, 1, 24, 0}, {2027, 1, 1, 9, 60}, {2027, 1, 1, -1, 0}} {
		if got, err := input.Local(c[0], time.Month(c[1]), c[2], c[3], c[4], shanghai); !errors.Is(err, input.ErrWhen) {
			t.Errorf("Local%v = %v %v, want ErrWhen", c, got, err)
		}
	}
	if got, err := input.Local(2028, 2, 29, 9, 0, shanghai); err != nil || got.Day() != 29 {
		t.Errorf("29 February 2028: %v %v", got, err)
	}
}

// TestWhenAcrossClockChanges: typed times go through Local — refused in
// a gap, the earlier of a repeated hour — and a day whose midnight is
// skipped can still be named.
func TestWhenAcrossClockChanges(t *testing.T) {
	ny, santiago := zone(t, "America/New_York"), zone(t, "America/Santiago")
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, ny)
	var gap *input.GapError
	for _, in := range []string{"2027-03-14 02:30", "3月14日 2点半", "3-14 2:30am"} {
		if got, err := input.When(in, now, ny); !errors.As(err, &gap) {
			t.Errorf("When(%q) = %v %v, want a gap", in, got, err)
		}
	}
	got, err := input.When("11月7日 1点半", now, ny)
	if err != nil || !got.Equal(time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC)) {
		t.Errorf("the repeated 01:30: %v %v, want 05:30 UTC (EDT)", got, err)
	}
	if _, twice := input.Ambiguous(got); !twice {
		t.Errorf("the repeated 01:30 is not called so")
	}
	// The day after is a day of 25 hours: 明天 counts days, not hours.
	if got, err := input.When("明天 9点", time.Date(2027, 11, 6, 20, 0, 0, 0, ny), ny); err != nil || !got.Equal(time.Date(2027, 11, 7, 9, 0, 0, 0, ny)) {
		t.Errorf("明天 on the eve: %v %v", got, err)
	}
	if got, err := input.When("后天 9点", time.Date(2027, 11, 6, 20, 0, 0, 0, ny), ny); err != nil || !got.Equal(time.Date(2027, 11, 8, 9, 0, 0, 0, ny)) {
		t.Errorf("后天 over the change: %v %v", got, err)
	}
	// Santiago skips from 00:00 to 01:00 on 5 September 2027.
	sNow := time.Date(2027, 9, 1, 12, 0, 0, 0, santiago)
	for _, in := range []string{"2027-09-05 09:00", "9月5日 9点", "9-5 09:00"} {
		if got, err := input.When(in, sNow, santiago); err != nil || !got.Equal(time.Date(2027, 9, 5, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("When(%q) in Santiago = %v %v, want 09:00 -03", in, got, err)
		}
	}
	if day, _, err := input.Day("2027-09-05", sNow, santiago); err != nil || day.Hour() != 1 || day.Day() != 5 {
		t.Errorf("the day that starts at 01:00: %v %v", day, err)
	}
	if got, err := input.When("后天 9点", time.Date(2027, 9, 3, 12, 0, 0, 0, santiago), santiago); err != nil || got.Day() != 5 || got.Hour() != 9 {
		t.Errorf("后天 onto the skipped midnight: %v %v", got, err)
	}
}

// FuzzLocal checks Local and Ambiguous against a plain search: every
// quarter-hour offset from −14h to +14h, and which of them show the
// reading.
func FuzzLocal(f *testing.F) {
	zones := []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Shanghai", "America/Santiago",
		"Pacific/Apia", "Asia/Kathmandu", "Europe/London", "America/St_Johns", "UTC"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = zone(f, z)
	}
	f.Add(uint8(0), 2027, uint8(3), uint8(14), uint8(2), uint8(30))
	f.Add(uint8(0), 2027, uint8(11), uint8(7), uint8(1), uint8(30))
	f.Add(uint8(1), 2027, uint8(10), uint8(31), uint8(2), uint8(30))
	f.Add(uint8(2), 2027, uint8(4), uint8(4), uint8(1), uint8(45))
	f.Add(uint8(4), 2027, uint8(9), uint8(5), uint8(0), uint8(0))
	f.Add(uint8(5), 2011, uint8(12), uint8(30), uint8(12), uint8(0))
	f.Fuzz(func(t *testing.T, z uint8, y int, m, d, h, min uint8) {
		loc := locs[int(z)%len(locs)]
		if y < 1980 || y >= 2130 {
			y = 1980 + (y%150+150)%150 // within zone rules and their extension; old local mean times have odd seconds
		}
		got, err := input.Local(y, time.Month(m), int(d), int(h), int(min), loc)
		if m < 1 || m > 12 || d < 1 || int(d) > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() || h > 23 || min > 59 {
			if !errors.Is(err, input.ErrWhen) {
				t.Fatalf("no such reading, got %v %v", got, err)
			}
			return
		}
		wall := time.Date(y, time.Month(m), int(d), int(h), int(min), 0, 0, time.UTC)
		var shows []time.Time
		for off := 14 * time.Hour; off >= -14*time.Hour; off -= 15 * time.Minute { // earliest instant first
			at := wall.Add(-off).In(loc)
			if at.Format("2006-01-02 15:04:05") == wall.Format("2006-01-02 15:04:05") {
				shows = append(shows, at)
			}
		}
		var gap *input.GapError
		switch {
		case len(shows) == 0:
			if !errors.As(err, &gap) {
				t.Fatalf("%v in %v happens nowhere, got %v %v", wall, loc, got, err)
			}
			if !gap.Before.Before(gap.After) || gap.After.Sub(gap.Before) != time.Minute {
				t.Fatalf("gap %v – %v", gap.Before, gap.After)
			}
			// The reading falls between the two readings of the jump.
			rb := time.Date(gap.Before.Year(), gap.Before.Month(), gap.Before.Day(), gap.Before.Hour(), gap.Before.Minute(), 0, 0, time.UTC)
			ra := time.Date(gap.After.Year(), gap.After.Month(), gap.After.Day(), gap.After.Hour(), gap.After.Minute(), 0, 0, time.UTC)
			if wall.Before(rb.Add(time.Minute)) || !wall.Before(ra) {
				t.Fatalf("%v is not in the jump %v – %v", wall, gap.Before, gap.After)
			}
		case err != nil:
			t.Fatalf("%v in %v happens at %v, got %v", wall, loc, shows, err)
		case !got.Equal(shows[0]):
			t.Fatalf("%v in %v: got %v, want the earliest of %v", wall, loc, got, shows)
		default:
			other, twice := input.Ambiguous(got)
			if twice != (len(shows) > 1) || twice && !other.Equal(shows[1]) {
				t.Fatalf("%v in %v: Ambiguous %v %v, shows %v", wall, loc, other, twice, shows)
			}
		}
	})
}
