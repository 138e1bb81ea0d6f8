package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/store"
)

// TestCLITimesAcrossClockChanges: in New York, 02:30 on 14 March 2027
// does not happen (the clocks go from 01:59 EST to 03:00 EDT): event add
// and broadcast --at refuse it with those two times, exit 2 and store
// nothing. 01:30 on 7 November happens twice: it is taken as the first
// (EDT) and a line says so.
func TestCLITimesAcrossClockChanges(t *testing.T) {
	db := t.TempDir() + "/c.db"
	env := func(k string) string {
		return map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_TZ": "America/New_York"}[k]
	}
	if code, _, errOut := runCLI(t, env, "", "member", "add", "--name", "Ann", "--phone", "13800000001", "--branch", "Town", "--new-branch"); code != 0 {
		t.Fatalf("member add: %s", errOut)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.LinkByPhone(context.Background(), "13800000001", 501, 501); err != nil { // a notice needs someone to reach
		t.Fatal(err)
	}
	event := func(extra ...string) []string {
		return append([]string{"event", "add", "--kind", "meeting", "--title", "Meeting", "--audience", "branch:Town"}, extra...)
	}
	for _, args := range [][]string{
		event("--start", "2027-03-14 02:30"),
		event("--start", "2027-03-14 01:00", "--end", "2027-03-14 02:15"),
		event("--start", "2027-03-15 09:00", "--rsvp-deadline", "2027-03-14 02:00"),
		{"broadcast", "--audience", "all", "--text", "Hello", "--at", "2027-03-14 02:30"},
	} {
		code, out, errOut := runCLI(t, env, "", args...)
		if code != 2 || !strings.Contains(errOut, "does not happen in America/New_York") ||
			!strings.Contains(errOut, "2027-03-14 01:59 EST (UTC-05:00) and 2027-03-14 03:00 EDT (UTC-04:00)") {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", args, code, out, errOut)
		}
	}
	if es, err := st.AllEvents(context.Background()); err != nil || len(es) != 0 {
		t.Fatalf("refused times stored events: %+v %v", es, err)
	}
	if b, err := st.BroadcastByID(context.Background(), 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused --at stored a broadcast: %+v %v", b, err)
	}

	first := time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC) // 01:30 EDT; 06:30 UTC is 01:30 EST
	code, out, errOut := runCLI(t, env, "", event("--start", "2027-11-07 01:30")...)
	if code != 0 || !strings.Contains(errOut, "--start 2027-11-07 01:30 happens twice in America/New_York") ||
		!strings.Contains(errOut, "taken as the first, 2027-11-07 01:30 EDT (UTC-04:00), not 2027-11-07 01:30 EST (UTC-05:00)") {
		t.Fatalf("event add at the repeated 01:30: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	es, err := st.AllEvents(context.Background())
	if err != nil || len(es) != 1 || !es[0].StartAt.Equal(first) {
		t.Fatalf("stored %+v %v, want one event at %v", es, err, first)
	}
	code, out, errOut = runCLI(t, env, "", "broadcast", "--audience", "all", "--text", "Hello", "--at", "2027-11-07 01:30")
	if code != 0 || !strings.Contains(errOut, "--at 2027-11-07 01:30 happens twice") {
		t.Fatalf("broadcast at the repeated 01:30: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if b, err := st.BroadcastByID(context.Background(), 1); err != nil || !b.SendAt.Equal(first) {
		t.Fatalf("broadcast %+v %v, want sent from %v", b, err, first)
	}
	// An hour that happens once says nothing more.
	if code, _, errOut := runCLI(t, env, "", event("--start", "2027-11-07 09:00")...); code != 0 || errOut != "" {
		t.Fatalf("an ordinary time: exit %d, stderr %q", code, errOut)
	}
}
