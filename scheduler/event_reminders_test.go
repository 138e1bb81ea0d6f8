package scheduler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

func TestEventRemindersAtOffsetsOnceAndNotToNo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sh, _ := time.LoadLocation("Asia/Shanghai")
		member := func(name, phone, branch string, tg int64) *models.Member {
			if _, err := st.AddMember(ctx, store.NewMember{Name: name, Phone: phone, Branch: branch}); err != nil {
				t.Fatal(err)
			}
			m, err := st.LinkByPhone(ctx, phone, tg, tg)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		member("A", "13800000001", "Town/Village", 1)
		b := member("B", "13800000002", "Town", 2)
		member("C", "13800000003", "Town/Village/Team", 3)
		member("D", "13800000004", "Other", 4)
		created := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
		occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
		e := &models.Event{Kind: models.EventMeeting, Title: "月度例会", StartAt: occ, Audience: "branch:Town", RSVP: true}
		if _, err := st.CreateEvent(ctx, e, sh, created); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetRSVP(ctx, e.ID, occ, b, models.AnswerNo, 0, sh, created); err != nil {
			t.Fatal(err)
		}
		reminders := func() []outbox.Row {
			out, err := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventReminder})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		job := &scheduler.EventReminders{Store: st, Location: sh}
		step := func(j *scheduler.EventReminders, at time.Time, wantNew int) {
			t.Helper()
			c, err := j.Run(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			if c["enqueued"] != wantNew {
				t.Fatalf("at %s: %v, want %d new", at.Format("01-02 15:04"), c, wantNew)
			}
		}
		step(job, occ.Add(-24*time.Hour-time.Minute), 0)
		step(job, occ.Add(-24*time.Hour), 2) // A and C; B said no, D is elsewhere
		step(job, occ.Add(-24*time.Hour+time.Minute), 0)
		step(&scheduler.EventReminders{Store: st, Location: sh}, occ.Add(-23*time.Hour), 0) // a restart: dedupe holds
		step(job, occ.Add(-2*time.Hour), 2)
		step(&scheduler.EventReminders{Store: st, Location: sh}, occ.Add(time.Minute), 0) // after the start: nothing
		rs := reminders()
		if len(rs) != 4 {
			t.Fatalf("%d reminders, want 4", len(rs))
		}
		for _, r := range rs {
			if *r.MemberID == b.ID {
				t.Fatal("a reminder to a member who said no")
			}
			if r.ExpiresAt == nil || !r.ExpiresAt.Equal(occ) || r.TemplateKey != "event.reminder" || !strings.Contains(r.Markup, "rv:") ||
				r.EventID == nil || *r.EventID != e.ID || r.Occurrence == nil || !r.Occurrence.Equal(occ) {
				t.Fatalf("row %+v", r)
			}
			if fire := r.NotBefore; !fire.Equal(occ.Add(-24*time.Hour)) && !fire.Equal(occ.Add(-2*time.Hour)) {
				t.Fatalf("not before %v", fire)
			}
		}
	})
}

func TestEventRemindersCatchUpOnceAfterDowntime(t *testing.T) {
	st, _ := storetest.New(t)
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	st.AddMember(ctx, store.NewMember{Name: "A", Phone: "13800000001", Branch: "Town", TZ: "Europe/Berlin"})
	st.LinkByPhone(ctx, "13800000001", 1, 1)
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
	e := &models.Event{Kind: models.EventActivityDay, Title: "会员活动日", StartAt: occ, Audience: "all", RSVP: true}
	st.CreateEvent(ctx, e, sh, occ.Add(-10*24*time.Hour))
	// Down from five days before until twelve hours before: both the 3-day
	// and the 1-day reminder fell due meanwhile; one reminder goes out, the
	// latest due: the 1-day one.
	c, err := (&scheduler.EventReminders{Store: st, Location: sh}).Run(ctx, occ.Add(-12*time.Hour))
	if err != nil || c["enqueued"] != 1 {
		t.Fatalf("catch-up %v %v, want one reminder", c, err)
	}
	rows, _ := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventReminder})
	if len(rows) != 1 || !rows[0].NotBefore.Equal(occ.Add(-24*time.Hour)) || !strings.Contains(rows[0].DedupeKey, ":s1440:") {
		t.Fatalf("caught up %+v, want the 1-day reminder", rows)
	}
	// Rendered at send time in the member's zone (working in Berlin).
	cat, _ := locales.New()
	be, _ := time.LoadLocation("Europe/Berlin")
	text, _, err := planner.Text(cat, locales.En, be, occ, &rows[0])
	if err != nil || !strings.Contains(text, "Mon 7 Dec 02:30") {
		t.Fatalf("reminder in Berlin time: %q %v", text, err)
	}
}

func TestDeadlineNudgeToMaybeAndSilentOnly(t *testing.T) {
	st, _ := storetest.New(t)
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	var ms []*models.Member
	for i, phone := range []string{"13800000001", "13800000002", "13800000003", "13800000004"} {
		st.AddMember(ctx, store.NewMember{Name: phone, Phone: phone, Branch: "Town"})
		m, _ := st.LinkByPhone(ctx, phone, int64(i+1), int64(i+1))
		ms = append(ms, m)
	}
	occ := time.Date(2026, 12, 20, 9, 0, 0, 0, sh)
	deadline := time.Date(2026, 12, 15, 18, 0, 0, 0, sh)
	e := &models.Event{Kind: models.EventTraining, Title: "培训", StartAt: occ, Audience: "all", RSVP: true, RSVPDeadline: &deadline}
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, sh)
	st.CreateEvent(ctx, e, sh, created)
	st.SetRSVP(ctx, e.ID, occ, ms[0], models.AnswerYes, 0, sh, created)
	st.SetRSVP(ctx, e.ID, occ, ms[1], models.AnswerNo, 0, sh, created)
	st.SetRSVP(ctx, e.ID, occ, ms[2], models.AnswerMaybe, 0, sh, created)
	job := &scheduler.EventReminders{Store: st, Location: sh}
	if c, _ := job.Run(ctx, deadline.Add(-deadlineLead-time.Minute)); c["deadline"] != 0 {
		t.Fatalf("early: %v", c)
	}
	if c, _ := job.Run(ctx, deadline.Add(-deadlineLead)); c["deadline"] != 2 {
		t.Fatalf("at the lead: %v, want the maybe and the silent member", c)
	}
	if c, _ := (&scheduler.EventReminders{Store: st, Location: sh}).Run(ctx, deadline.Add(-time.Hour)); c["deadline"] != 0 {
		t.Fatalf("again: %v", c)
	}
}

const deadlineLead = 24 * time.Hour
