package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestChangeEditsEveryCopy: a change plans an edit in place of every
// message of the event a member was sent (the one that may be sent anew
// only for those who have not answered), a second change withdraws the
// first one's edits still waiting, and a cancellation edits them all
// again; on both databases.
func TestChangeEditsEveryCopy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
		var ms []*models.Member
		for i := range 3 {
			m := mustAdd(t, st, store.NewMember{Name: fmt.Sprint("M", i), Phone: fmt.Sprintf("1380000000%d", i), Branch: "Town"})
			if _, err := st.LinkByPhone(ctx, fmt.Sprintf("1380000000%d", i), int64(500+i), int64(500+i)); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
		e := &models.Event{Kind: models.EventMeeting, Title: "Meeting", StartAt: occ, Audience: "branch:Town", RSVP: true}
		if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
			t.Fatal(err)
		}
		// The announcements went out (message 7 in each chat).
		if err := st.ExecForTest(ctx, "UPDATE outboxes SET status = ?, telegram_message_id = ? WHERE event_id = ?", outbox.Sent, 7, e.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetRSVP(ctx, e.ID, occ, ms[0], models.AnswerYes, 0, sh, now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetRSVP(ctx, e.ID, occ, ms[1], models.AnswerNo, 0, sh, now); err != nil {
			t.Fatal(err)
		}
		moved := occ.Add(time.Hour)
		_, n, err := st.UpdateEvent(ctx, e.ID, store.EventChange{StartAt: &moved}, sh, now)
		if err != nil || n.Copies != 3 || n.Told != 1 {
			t.Fatalf("change: %+v %v", n, err)
		}
		edits := func(status outbox.Status) map[uint]outbox.Row {
			rows, err := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventEdit, EventID: e.ID, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			out := map[uint]outbox.Row{}
			for _, r := range rows {
				out[*r.MemberID] = r
			}
			return out
		}
		got := edits(outbox.Pending)
		for i, m := range ms {
			r := got[m.ID]
			if r.EditMessageID != 7 || r.SendIfUneditable != (i == 2) || !r.Occurrence.Equal(moved) || r.TemplateKey != "event.edited" {
				t.Fatalf("member %d's edit: %+v", i, r)
			}
		}
		// A second change: the first one's edits give way.
		place := "Hall"
		if _, n, err = st.UpdateEvent(ctx, e.ID, store.EventChange{Location: &place}, sh, now); err != nil || n.Copies != 3 {
			t.Fatalf("second change: %+v %v", n, err)
		}
		if w := edits(outbox.Skipped); len(w) != 3 {
			t.Fatalf("withdrawn edits: %d", len(w))
		}
		if n, err := st.CancelEvent(ctx, e.ID, now); err != nil || n.Copies != 3 || n.Told != 1 {
			t.Fatalf("cancel: %+v %v", n, err)
		}
		rows, _ := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventEdit, EventID: e.ID, Status: outbox.Pending})
		if len(rows) != 3 || rows[0].TemplateKey != "event.cancelled" || rows[0].Markup != "" {
			t.Fatalf("the cancellation's edits: %+v", rows)
		}
	})
}
