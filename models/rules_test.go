package models_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
)

func TestEventValidate(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
	next := now.Add(7 * 24 * time.Hour)
	deadline := func(d time.Duration) *time.Time { x := next.Add(d); return &x }
	ok := models.Event{Kind: models.EventMeeting, Title: "月度例会", StartAt: next, Audience: "branch:Town"}
	for _, c := range []struct {
		name string
		edit func(e *models.Event)
		want error
	}{
		{"ok", func(e *models.Event) {}, nil},
		{"member day yearly", func(e *models.Event) {
			e.StartAt, e.RRule = now.AddDate(0, -6, 0), "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=29"
		}, nil},
		{"daily is the most", func(e *models.Event) { e.RRule = "FREQ=DAILY" }, nil},
		{"kind", func(e *models.Event) { e.Kind = "party" }, models.ErrEventKind},
		{"no title", func(e *models.Event) { e.Title = "  " }, models.ErrEventTitle},
		{"long title", func(e *models.Event) { e.Title = string(make([]rune, 201)) }, models.ErrEventTitle},
		{"capacity", func(e *models.Event) { e.Capacity = -1 }, models.ErrEventCapacity},
		{"past", func(e *models.Event) { e.StartAt = now.Add(-time.Minute) }, models.ErrEventPast},
		{"audience", func(e *models.Event) { e.Audience = "people" }, models.ErrBadAudience},
		{"organizers", func(e *models.Event) { e.Audience = "organizers:Town" }, models.ErrBadAudience},
		{"listed members", func(e *models.Event) { e.Audience = "members:3,4" }, nil},
		{"hourly", func(e *models.Event) { e.RRule = "FREQ=HOURLY" }, models.ErrEventRRule},
		{"daily with BYHOUR", func(e *models.Event) { e.RRule = "FREQ=DAILY;BYHOUR=8,9,10" }, models.ErrEventTooFrequent},
		{"never", func(e *models.Event) { e.RRule = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30" }, models.ErrEventNeverOccurs},
		{"ended", func(e *models.Event) { e.StartAt, e.RRule = now.AddDate(-1, 0, 0), "FREQ=WEEKLY;COUNT=3" }, models.ErrEventNeverOccurs},
		{"huge count", func(e *models.Event) { e.RRule = "FREQ=DAILY;COUNT=100000" }, models.ErrEventRRule},
		{"deadline after start", func(e *models.Event) { e.RSVPDeadline = deadline(time.Hour) }, models.ErrDeadlineAfterStart},
		{"deadline passed", func(e *models.Event) { e.RSVPDeadline = deadline(-8 * 24 * time.Hour) }, models.ErrDeadlinePast},
		{"deadline recurring", func(e *models.Event) { e.RRule, e.RSVPDeadline = "FREQ=WEEKLY", deadline(-time.Hour) }, models.ErrDeadlineRecurring},
		{"duration", func(e *models.Event) { e.DurationMin = 8 * 24 * 60 }, models.ErrEventDuration},
	} {
		e := ok
		c.edit(&e)
		if err := e.Validate(sh, now); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// The bounds the store reads events by.
	e := ok
	e.Validate(sh, now)
	if e.LastStartAt == nil || !e.LastStartAt.Equal(next) {
		t.Fatalf("a one-off event's last start %v", e.LastStartAt)
	}
	e.RRule = "FREQ=WEEKLY;COUNT=3"
	e.Validate(sh, now)
	if want := next.AddDate(0, 0, 14); e.LastStartAt == nil || !e.LastStartAt.Equal(want) {
		t.Fatalf("last of three weekly %v, want %v", e.LastStartAt, want)
	}
	e.RRule = "FREQ=MONTHLY;BYDAY=1MO"
	e.Validate(sh, now)
	if e.LastStartAt != nil {
		t.Fatalf("a rule without end has a last start %v", e.LastStartAt)
	}
}

func TestCallbackRoundTripAndForgeries(t *testing.T) {
	occ := time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC)
	for _, c := range []models.Callback{
		{Action: models.ActRSVP, Event: 12, Occ: occ, Op: "y"},
		{Action: models.ActCheckIn, Event: 12, Occ: occ, ID: 7},
		{Action: models.ActRate, Event: 12, Occ: occ, Op: "5"},
		{Action: models.ActJoinDecide, Op: "a", ID: 3},
		{Action: models.ActJoinBrowse},
		{Action: models.ActNewEvent, Op: "a", Arg: "b:4"},
		{Action: models.ActBroadcast, Op: "x"},
		{Action: models.ActLang, Op: "zh-Hant"},
		{Action: models.ActJoin},
	} {
		got, err := models.ParseCallback(c.Encode())
		if err != nil || got != c {
			t.Errorf("%q read back as %+v, %v", c.Encode(), got, err)
		}
	}
	for _, bad := range []string{"", "rv", "rv:1:2", "rv:0:29400000:y", "rv:1:29400000:x", "rv:1:-5:y", "rv:1:99999999999999:y",
		"rt:1:29400000:6", "jr:z:1", "jr:a:0", "jc:", "jc:99999999999", "ck:1:2", "zz:1", "ic:1:2", "rv:1:29400000:y:extra",
		string(make([]byte, 65))} {
		if c, err := models.ParseCallback(bad); err == nil {
			t.Errorf("%q accepted as %+v", bad, c)
		}
	}
}

func TestScopeCanReach(t *testing.T) {
	town := models.Scope{Paths: []string{"Town"}}
	admin := models.Scope{Admin: true}
	for _, c := range []struct {
		s     models.Scope
		a     models.Audience
		paths []string
		want  bool
	}{
		{town, models.BranchAudience("Town/Village"), nil, true},
		{town, models.BranchAudience("Townhall"), nil, false},
		{town, models.Everyone(), nil, false},
		{town, models.TagAudience("volunteer"), nil, false},
		{town, models.MembersAudience(1, 2), []string{"Town", "Town/V"}, true},
		{town, models.MembersAudience(1, 2), []string{"Town", ""}, false},
		{town, models.MembersAudience(1, 2), []string{"Town"}, false},
		{town, models.OrganizersAudience("Town/V"), nil, true},
		{models.Scope{}, models.BranchAudience("Town"), nil, false},
		{admin, models.Everyone(), nil, true},
	} {
		if got := c.s.CanReach(c.a, c.paths); got != c.want {
			t.Errorf("%+v reaching %s (%v) = %v", c.s, c.a, c.paths, got)
		}
	}
}

func TestAudienceParseAndIncludes(t *testing.T) {
	village := &models.Member{ID: 3, Branch: &models.Branch{Path: "Town/Village"}, Tags: []models.MemberTag{{Tag: "away"}}}
	for s, want := range map[string]bool{"all": true, "branch:Town": true, "branch:Town/Village": true, "branch:Tow": false,
		"tag:away": true, "tag:board": false, "members:1,3": true, "members:1": false} {
		a, err := models.ParseAudience(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if a.String() != s {
			t.Errorf("%s written back as %s", s, a)
		}
		if got := a.Includes(village); got != want {
			t.Errorf("%s includes the village member: %v", s, got)
		}
	}
	for _, bad := range []string{"", "everyone", "branch:", "tag:", "branch:A//B", "all:x", "members:", "members:1,x", "members:0"} {
		if _, err := models.ParseAudience(bad); err == nil {
			t.Errorf("audience %q accepted", bad)
		}
	}
}

// FuzzParseCallback: whatever a client sends, the parser neither panics nor
// accepts what Encode would not write back.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"rv:1:29400000:y", "ck:1:29400000:2", "ne:a:b:1", "bc:a:t:volunteer", "jb:0", "lang:en", "join"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := models.ParseCallback(s)
		if err != nil {
			return
		}
		again, err := models.ParseCallback(c.Encode())
		if err != nil || again != c {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, c, c.Encode(), again, err)
		}
	})
}

func TestDisplayPhone(t *testing.T) {
	for in, want := range map[string]string{"+8613900000009": "139 0000 0009", "+8613800138000": "138 0013 8000", "+12015550123": "+1 201-555-0123", "x": "x"} {
		if got := models.DisplayPhone(in); got != want {
			t.Errorf("DisplayPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSeveralBranches: a notice to several branches reaches each (with
// those below it), names a branch inside another once, reads back as
// written, and is an organizer's only if every branch is theirs.
func TestSeveralBranches(t *testing.T) {
	a := models.BranchesAudience("Town/East", "Town/West", "Town/East/Row 3")
	if a.String() != "branches:Town/East|Town/West" {
		t.Fatalf("audience %s", a)
	}
	back, err := models.ParseAudience(a.String())
	if err != nil || back.String() != a.String() {
		t.Fatalf("read back %v %v", back, err)
	}
	if one := models.BranchesAudience("Town/East", "Town/East/Row 3"); one.String() != "branch:Town/East" {
		t.Fatalf("one branch: %s", one)
	}
	in := func(path string) *models.Member {
		return &models.Member{Status: models.StatusActive, Branch: &models.Branch{Path: path}}
	}
	if !a.Includes(in("Town/West")) || !a.Includes(in("Town/East/Row 3")) || a.Includes(in("Town")) || a.Includes(in("Other")) {
		t.Fatal("membership")
	}
	town := models.Scope{Paths: []string{"Town"}}
	east := models.Scope{Paths: []string{"Town/East"}}
	if !town.CanReach(a, nil) || east.CanReach(a, nil) {
		t.Fatal("reach")
	}
	for _, bad := range []string{"branches:", "branches:Town", "branches:A||B"} {
		if _, err := models.ParseAudience(bad); err == nil {
			t.Errorf("%q read", bad)
		}
	}
}

// TestParseQuarterAsWritten: a quarter as organizers write it.
func TestParseQuarterAsWritten(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]models.Quarter{
		"2026Q3": {Year: 2026, Q: 3}, "2026q4": {Year: 2026, Q: 4}, "2026 Q1": {Year: 2026, Q: 1},
		"2026年第三季度": {Year: 2026, Q: 3}, "2026年3季度": {Year: 2026, Q: 3}, "２０２６年第２季度": {Year: 2026, Q: 2},
		"第四季度": {Year: 2026, Q: 4}, "三季度": {Year: 2026, Q: 3}, "": {Year: 2026, Q: 4},
	} {
		if got, err := models.ParseQuarter(in, now); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"2026年第五季度", "2026Q0", "Q3", "三月", "1999Q1"} {
		if got, err := models.ParseQuarter(bad, now); err == nil {
			t.Errorf("%q read as %v", bad, got)
		}
	}
}

// TestTopPaths: a branch below another given is in that one already, and
// a path given twice counts once; /stats and a several-branch notice both
// read their branches so.
func TestTopPaths(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{nil, nil},
		{[]string{"Town/East", "Town"}, []string{"Town"}},
		{[]string{"Town/East", "Town/West", "Town/East"}, []string{"Town/East", "Town/West"}},
		{[]string{"Town/Eastside", "Town/East"}, []string{"Town/East", "Town/Eastside"}}, // a prefix is not a parent
	} {
		if got := models.TopPaths(c.in); !slices.Equal(got, c.want) {
			t.Errorf("TopPaths(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
