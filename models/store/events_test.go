package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestWaitlistPromotesTheFirstPartyThatFits: guests count against capacity,
// and a freed place goes to the first waitlisted member whose whole party
// fits.
func TestWaitlistPromotesTheFirstPartyThatFits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
		var ms []*models.Member
		for _, p := range []string{"13800000001", "13800000002", "13800000003", "13800000004"} {
			m := mustAdd(t, st, store.NewMember{Name: p, Phone: p, Branch: "Town"})
			ms = append(ms, m)
		}
		occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
		e := &models.Event{Kind: models.EventOther, Title: "Trip", StartAt: occ, Audience: "branch:Town", RSVP: true, Capacity: 3, AllowGuests: true}
		if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
			t.Fatal(err)
		}
		set := func(i int, a models.Answer, guests int) *store.RSVPResult {
			t.Helper()
			now = now.Add(time.Minute)
			res, err := st.SetRSVP(ctx, e.ID, occ, ms[i], a, guests, sh, now)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if r := set(0, models.AnswerYes, 1); r.RSVP.Waitlisted {
			t.Fatal("first party of two waitlisted")
		}
		if r := set(1, models.AnswerYes, 0); r.RSVP.Waitlisted {
			t.Fatal("third place waitlisted")
		}
		if r := set(2, models.AnswerYes, 1); !r.RSVP.Waitlisted || r.Position != 1 {
			t.Fatalf("a party of two on a full event: %+v", r)
		}
		if r := set(3, models.AnswerYes, 0); !r.RSVP.Waitlisted || r.Position != 2 {
			t.Fatalf("fourth: %+v", r)
		}
		// A confirmed member asking for a guest who does not fit keeps their
		// own place.
		if _, err := st.SetRSVP(ctx, e.ID, occ, ms[1], models.AnswerYes, 1, sh, now); !errors.Is(err, store.ErrNoRoomForGuest) {
			t.Fatalf("+1 on a full event: %v", err)
		}
		if r, _ := st.RSVPOf(ctx, e.ID, occ, ms[1].ID); r.Waitlisted || r.Guests != 0 {
			t.Fatalf("the member lost their place: %+v", r)
		}
		// Tapping the same answer again changes nothing.
		if r := set(3, models.AnswerYes, 0); r.Changed || r.Position != 2 {
			t.Fatalf("double tap: %+v", r)
		}
		// One place frees up: the party of two does not fit, the single does.
		r := set(1, models.AnswerNo, 0)
		if len(r.Promoted) != 1 || r.Promoted[0].MemberID != ms[3].ID {
			t.Fatalf("promoted %+v, want the fourth member", r.Promoted)
		}
		c, _ := st.RSVPCounts(ctx, e.ID, occ)
		if c["yes"] != 2 || c["waitlist"] != 1 || c["no"] != 1 {
			t.Fatalf("counts %v", c)
		}
		// Outside the audience, a wrong occurrence, after the start: refused.
		out := mustAdd(t, st, store.NewMember{Name: "x", Phone: "13800000009", Branch: "Other"})
		if _, err := st.SetRSVP(ctx, e.ID, occ, out, models.AnswerYes, 0, sh, now); !errors.Is(err, models.ErrNotInAudience) {
			t.Fatalf("outside: %v", err)
		}
		if _, err := st.SetRSVP(ctx, e.ID, occ.Add(time.Hour), ms[0], models.AnswerYes, 0, sh, now); !errors.Is(err, models.ErrBadOccurrence) {
			t.Fatalf("wrong occurrence: %v", err)
		}
		if _, err := st.SetRSVP(ctx, e.ID, occ, ms[0], models.AnswerNo, 0, sh, occ); !errors.Is(err, models.ErrEventStarted) {
			t.Fatalf("after the start: %v", err)
		}
	})
}

// TestCancelAndEditReachPendingMessages: a reminder held by quiet hours is
// withdrawn when the event is cancelled, and rewritten when it moves.
func TestCancelAndEditReachPendingMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
		mustAdd(t, st, store.NewMember{Name: "A", Phone: "13800000001", Branch: "Town"})
		st.LinkByPhone(ctx, "13800000001", 1, 1)
		occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
		mk := func(title string) *models.Event {
			e := &models.Event{Kind: models.EventMeeting, Title: title, Location: "Hall", StartAt: occ, Audience: "all", RSVP: true}
			if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
				t.Fatal(err)
			}
			return e
		}
		moved, cancelled := mk("Moved"), mk("Cancelled")
		newTime := occ.Add(24 * time.Hour)
		if _, _, err := st.UpdateEvent(ctx, moved.ID, store.EventChange{StartAt: &newTime}, sh, now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CancelEvent(ctx, cancelled.ID, now); err != nil {
			t.Fatal(err)
		}
		rows, _ := st.Outbox(ctx, store.OutboxQuery{EventID: moved.ID})
		if len(rows) != 1 {
			t.Fatalf("moved event's rows: %+v", rows)
		}
		o := rows[0]
		args, _ := planner.DecodeArgs(o.Args)
		if o.Status != outbox.Pending || !args.Times["StartAt"].Equal(newTime) || !o.Occurrence.Equal(newTime) || !o.ExpiresAt.Equal(newTime) {
			t.Fatalf("moved event's announcement %+v (args %+v)", o, args)
		}
		rows, _ = st.Outbox(ctx, store.OutboxQuery{EventID: cancelled.ID})
		if len(rows) != 1 || rows[0].Status != outbox.Skipped || rows[0].Reason != outbox.ReasonWithdrawn {
			t.Fatalf("cancelled event's announcement %+v", rows)
		}
	})
}

// TestMovedEventReplansItsReminders: a reminder waiting for the old start is
// withdrawn when a one-off event moves, and the planner times it again for
// the new start under the new occurrence's key; a check-in for a cancelled
// event is refused.
func TestMovedEventReplansItsReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
		org := mustAdd(t, st, store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer})
		m := mustAdd(t, st, store.NewMember{Name: "A", Phone: "13800000001", Branch: "Town"})
		st.LinkByPhone(ctx, "13800000001", 1, 1)
		occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
		e := &models.Event{Kind: models.EventMeeting, Title: "M", StartAt: occ, Audience: "branch:Town", RSVP: true}
		if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Enqueue(ctx, planner.Reminder(e, occ, 24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		moved := occ.Add(48 * time.Hour)
		if _, _, err := st.UpdateEvent(ctx, e.ID, store.EventChange{StartAt: &moved}, sh, now); err != nil {
			t.Fatal(err)
		}
		rows, _ := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventReminder})
		if len(rows) != 1 || rows[0].Status != outbox.Skipped || rows[0].Reason != outbox.ReasonWithdrawn {
			t.Fatalf("the old reminder %+v", rows)
		}
		e, _ = st.EventByID(ctx, e.ID)
		if _, err := st.Enqueue(ctx, planner.Reminder(e, moved, 24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		rows, _ = st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventReminder, Status: outbox.Pending})
		if len(rows) != 1 || !rows[0].Occurrence.Equal(moved) || !rows[0].NotBefore.Equal(moved.Add(-24*time.Hour)) {
			t.Fatalf("the new reminder %+v", rows)
		}
		if _, err := st.CancelEvent(ctx, e.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := st.SetCheckIn(ctx, e.ID, moved, m.ID, true, org, sh, now); !errors.Is(err, models.ErrEventClosed) {
			t.Fatalf("check-in for a cancelled event: %v", err)
		}
		if in, _ := st.CheckedIn(ctx, e.ID, moved); len(in) != 0 {
			t.Fatalf("checked in %v", in)
		}
	})
}
