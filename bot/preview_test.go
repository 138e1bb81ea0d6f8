package bot_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/robfig/cron/v3"
)

// TestPreviewListsWhatIsThenSent: the preview of the next four days, taken
// on Monday 23 November at 10:00, is compared with what the jobs then send
// when time is stepped through those days (the jobs run when their cron
// specs say) with the dispatcher sending: the same messages, to the same
// members, at the same minutes. Over those days come the weekly digests
// (11:00), a deadline nudge, an activity's reminder and day-after survey,
// the record question of an activity held this morning, the meeting's two
// reminders and its day-after survey, the overdue list and a duty's two
// reminders.
func TestPreviewListsWhatIsThenSent(t *testing.T) {
	quiet, _ := outbox.ParseQuietHours("21:00-08:00")
	withQuiet := retrying
	withQuiet.Quiet = quiet
	d := newDesk(t, bottest.WithDispatcher(withQuiet))
	h := d.h
	loc := bottest.Shanghai
	jobs := scheduler.Jobs(h.St, loc, nil)
	now := h.Clock()
	// The every-minute job has been running: its last run was a minute ago.
	for _, e := range jobs {
		if due(e, now.Add(-time.Minute)) {
			if _, err := e.Job.Run(ctx, now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := d.member(d.orgA)
	deadline := at(11, 25, 10, 0).UTC()
	fair := &models.Event{Kind: models.EventActivityDay, Title: "Health fair", Location: "West square", StartAt: at(11, 25, 15, 0).UTC(),
		DurationMin: 90, Audience: "branch:Town", RSVP: true, RSVPDeadline: &deadline, CreatedBy: &a.ID}
	if _, err := h.St.CreateEvent(ctx, fair, loc, now); err != nil {
		t.Fatal(err)
	}
	d.answer(fair, fair.StartAt, d.w1, models.AnswerYes)
	// An activity of Town/West this morning, W1 already checked in (its
	// check-in opened at midnight): held, so its record is asked for (the
	// fair has nobody checked in yet, and the preview cannot know whether
	// it will).
	cleanup := &models.Event{Kind: models.EventActivityDay, Title: "Clean-up", Location: "West lane", StartAt: at(11, 23, 11, 0).UTC(),
		Audience: "branch:Town/West", RSVP: true, CreatedBy: &a.ID}
	if _, err := h.St.CreateEvent(ctx, cleanup, loc, now); err != nil {
		t.Fatal(err)
	}
	if err := h.St.SetCheckIn(ctx, cleanup.ID, cleanup.StartAt, d.member(d.w1).ID, true, a, loc, now); err != nil {
		t.Fatal(err)
	}
	// A meeting at 07:30: its reminder the day before falls in the quiet
	// hours and waits until 08:00; the one two hours before would wait
	// past the start, and is never sent.
	early := &models.Event{Kind: models.EventMeeting, Title: "Early meeting", Location: "Town office", StartAt: at(11, 25, 7, 30).UTC(),
		DurationMin: 60, Audience: "branch:Town/East", RSVP: true, CreatedBy: &a.ID}
	if _, err := h.St.CreateEvent(ctx, early, loc, now); err != nil {
		t.Fatal(err)
	}
	d.settle()

	until := now.Add(4 * 24 * time.Hour)
	preview := &scheduler.Previewer{Store: h.St, Entries: jobs, Location: loc, DefaultLang: locales.ZhHans, Quiet: quiet}
	items, err := preview.Preview(ctx, models.Scope{Admin: true}, now, until)
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]time.Time{}
	for _, it := range items {
		planned[it.Row.DedupeKey] = it.At
	}

	// What A sees: the same, for Town's members, as a message and a file.
	n := len(h.API.Messages(d.orgA.ID))
	h.API.SendText(d.orgA, "/preview 4")
	summary := h.Nth(d.orgA.ID, n+1)
	file := h.Nth(d.orgA.ID, n+2)
	if file.Document == nil || !strings.Contains(summary.Text, h.T(locales.En, "preview.about", "Kind", h.T(locales.En, "preview.kind.event.reminder"), "About", "Health fair")) {
		t.Fatalf("/preview:\n%s", summary.Text)
	}
	rows := readXLSX(t, file.Document.Data)
	town := 0
	for _, it := range items {
		if strings.HasPrefix(it.Member.BranchPath(), "Town") {
			town++
		}
	}
	if len(rows)-1 != town || town == len(items) {
		t.Fatalf("A's file lists %d recipients; Town's are %d of %d", len(rows)-1, town, len(items))
	}

	// Now let the time run.
	before := map[string]bool{}
	old, _ := h.St.Outbox(ctx, store.OutboxQuery{})
	for _, r := range old {
		before[r.DedupeKey] = true
	}
	// Every five minutes: each moment something falls due in this fixture
	// is on one, and the every-minute jobs catch up between runs.
	for t0 := now.Truncate(time.Minute).Add(5 * time.Minute); !t0.After(until); t0 = t0.Add(5 * time.Minute) {
		h.SetNow(t0)
		for _, e := range jobs {
			if due(e, t0.In(loc)) {
				if _, err := e.Job.Run(ctx, t0); err != nil {
					t.Fatalf("%s at %s: %v", e.Job.Name(), t0, err)
				}
			}
		}
		d.settle() // sent before they expire
	}
	d.settle()
	after, _ := h.St.Outbox(ctx, store.OutboxQuery{})
	sent := map[string]time.Time{}
	stale := 0
	for _, r := range after {
		if before[r.DedupeKey] || r.Status == outbox.Pending && r.NextAttemptAt.After(until) {
			continue
		}
		switch {
		case r.Status == outbox.Stale && r.Kind == "event.reminder":
			stale++ // the early meeting's last reminder
			continue
		case r.Status != outbox.Sent:
			t.Errorf("%s was not sent: %s %s", r.DedupeKey, r.Status, r.Reason)
		}
		sent[r.DedupeKey] = *r.SentAt
	}
	if stale != 2 {
		t.Errorf("%d reminders went stale; want the early meeting's to its two members on Telegram", stale)
	}
	var missing, extra, moved []string
	for k, at := range planned {
		got, ok := sent[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case got.Before(at) || got.After(at.Add(5*time.Minute)):
			// Sent at the first step of the clock at or after its time.
			moved = append(moved, fmt.Sprintf("%s: preview %s, sent %s", k, at.In(loc).Format("01-02 15:04"), got.In(loc).Format("01-02 15:04")))
		}
	}
	for k := range sent {
		if _, ok := planned[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra)+len(moved) > 0 {
		t.Fatalf("preview and sends differ:\nin the preview only: %v\nsent only: %v\nat another time: %v", missing, extra, moved)
	}
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.Row.Kind]++
	}
	for _, k := range []string{"digest.weekly", "event.deadline", "event.reminder", "survey.ask", "record.ask", "check.overdue", "check.reminder"} {
		if kinds[k] == 0 {
			t.Errorf("the fixture has no %s (kinds %v)", k, kinds)
		}
	}
	t.Logf("%d messages previewed and sent: %v", len(items), kinds)
}

// due reports whether the entry runs at minute t (in t's location), as
// cron would: the tests step time through the jobs with it.
func due(e scheduler.Entry, t time.Time) bool {
	sched, err := cron.ParseStandard(e.Spec)
	if err != nil {
		panic(fmt.Sprintf("bad spec %q: %v", e.Spec, err))
	}
	t = t.Truncate(time.Minute)
	return sched.Next(t.Add(-time.Second)).Equal(t)
}
