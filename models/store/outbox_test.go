package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// queue puts n messages in the outbox: a notice to n linked members.
func queue(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		phone := fmt.Sprintf("+86139%08d", i)
		mustAdd(t, st, store.NewMember{Name: fmt.Sprintf("M%d", i), Phone: phone, Branch: "Town"})
		if _, err := st.LinkByPhone(ctx, phone, int64(i+1), int64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.Everyone(), Text: "x", SendAt: time.Unix(0, 0)})
	if err != nil || b.Total != n {
		t.Fatalf("queue %d: %+v %v", n, b, err)
	}
}

func TestClaimsAreDisjointAndLeasesExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		queue(t, st, 200)
		now := time.Now()
		// Four claimers at once (replicas): every row claimed exactly once.
		var mu sync.Mutex
		seen := map[uint64]string{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(owner string) {
				defer wg.Done()
				for {
					got, err := st.ClaimOutbox(ctx, owner, now, time.Minute, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, c := range got {
						if prev, dup := seen[c.ID]; dup {
							t.Errorf("row %d claimed by %s and %s", c.ID, prev, owner)
						}
						seen[c.ID] = owner
					}
					mu.Unlock()
				}
			}(fmt.Sprintf("w%d", w))
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Fatalf("%d rows claimed, want 200", len(seen))
		}
		// Nothing is due while the leases hold; after they run out, all is.
		if got, _ := st.ClaimOutbox(ctx, "late", now.Add(30*time.Second), time.Minute, 500); len(got) != 0 {
			t.Fatalf("%d rows claimed under lease", len(got))
		}
		got, _ := st.ClaimOutbox(ctx, "after-crash", now.Add(2*time.Minute), time.Minute, 500)
		if len(got) != 200 {
			t.Fatalf("%d rows reclaimed after the leases ran out, want 200", len(got))
		}
		// The old owner's late outcome does not overwrite the new claim.
		changed, err := st.FinishOutbox(ctx, seen[got[0].ID], []store.Finished{{ID: got[0].ID, Outcome: store.Outcome{Status: outbox.Sent, At: now}}})
		if err != nil || changed != 0 {
			t.Fatalf("stale owner changed %d rows (%v)", changed, err)
		}
		if n, _ := st.ReleaseOutbox(ctx, "after-crash", now); n != 200 {
			t.Fatalf("released %d", n)
		}
		if c, _ := st.OutboxTally(ctx, store.OutboxQuery{}); c.Status(outbox.Pending) != 200 {
			t.Fatalf("after release %v", c)
		}
	})
}

func TestBroadcastAudiences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		add := func(name, phone, branch string, tags []string, tg int64) {
			m, err := st.AddMember(ctx, store.NewMember{Name: name, Phone: phone, Branch: branch, Tags: tags})
			if err != nil {
				t.Fatal(err)
			}
			if tg != 0 {
				if _, err := st.LinkByPhone(ctx, *m.Phone, tg, tg); err != nil {
					t.Fatal(err)
				}
			}
		}
		add("a", "13800000001", "Town/Village", []string{"volunteer"}, 1)
		add("b", "13800000002", "Town/Village/Team", nil, 2)
		add("c", "13800000003", "Town/Villagex", []string{"volunteer"}, 3) // a prefix, not a sub-branch
		add("d", "13800000004", "Town/Village", nil, 0)                    // not linked
		add("e", "13800000005", "Other", []string{"volunteer"}, 5)
		m, _ := st.MemberByTelegramID(ctx, 5)
		st.SetMemberStatus(ctx, m.ID, models.StatusMuted)
		for aud, want := range map[string]int{"all": 3, "branch:Town/Village": 2, "branch:Town": 3, "tag:volunteer": 2} {
			a, err := models.ParseAudience(aud)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := st.CountAudience(ctx, a); n != want {
				t.Errorf("%s: %d, want %d", aud, n, want)
			}
		}
		for _, bad := range []string{"", "everyone", "branch:", "tag:", "branch:A//B", "all:x"} {
			if _, err := models.ParseAudience(bad); err == nil {
				t.Errorf("audience %q accepted", bad)
			}
		}
		if _, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.BranchAudience("Nowhere"), Text: "x", SendAt: time.Now()}); err == nil {
			t.Error("a broadcast to a branch that does not exist was created")
		}
	})
}

func TestFinishOutboxRecordsEachMessageID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		queue(t, st, 5)
		now := time.Now()
		got, _ := st.ClaimOutbox(ctx, "me", now, time.Minute, 10)
		var done []store.Finished
		for i, c := range got {
			o := store.Outcome{Status: outbox.Sent, TelegramMessageID: int64(1000 + i), At: now}
			if i == 4 {
				o = store.Outcome{Status: outbox.Failed, Reason: outbox.ReasonChatGone, CountAttempt: true, Error: "Bad Request: chat not found", At: now}
			}
			done = append(done, store.Finished{ID: c.ID, Outcome: o})
		}
		if n, err := st.FinishOutbox(ctx, "me", done); err != nil || n != 5 {
			t.Fatalf("finished %d, %v", n, err)
		}
		for i, c := range got {
			o, _ := st.OutboxByID(ctx, c.ID)
			if i < 4 && (o.Status != outbox.Sent || o.TelegramMessageID != int64(1000+i) || o.SentAt == nil) {
				t.Fatalf("row %d: %+v", i, o)
			}
			if i == 4 && (o.Status != outbox.Failed || o.Reason != outbox.ReasonChatGone || o.Attempts != 1 || o.LastError == "") {
				t.Fatalf("failed row: %+v", o)
			}
		}
	})
}

// TestFinishWithdrawsAProgressMessageStillWaiting: a progress message a 5xx
// put back is not sent after the report (it would say 0 sent); one already
// sent stays sent.
func TestFinishWithdrawsAProgressMessageStillWaiting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		org := mustAdd(t, st, store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer})
		if _, err := st.LinkByPhone(ctx, "13800000001", 1, 1); err != nil {
			t.Fatal(err)
		}
		m := mustAdd(t, st, store.NewMember{Name: "M", Phone: "13800000002", Branch: "Town"})
		if _, err := st.LinkByPhone(ctx, "13800000002", 2, 2); err != nil {
			t.Fatal(err)
		}
		b, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, Audience: models.MembersAudience(m.ID), Text: "x", SendAt: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.ExecForTest(ctx, "UPDATE outboxes SET status = 'sent' WHERE kind = 'broadcast'"); err != nil {
			t.Fatal(err)
		}
		if done, err := st.FinishBroadcast(ctx, b.ID, time.Now()); err != nil || !done {
			t.Fatalf("finish: %v %v", done, err)
		}
		got, err := st.DumpForTest(ctx, "SELECT status, reason FROM outboxes WHERE kind = 'broadcast.progress'")
		if err != nil {
			t.Fatal(err)
		}
		if got != "reason=withdrawn status=skipped \n" {
			t.Fatalf("the waiting progress message after the finish: %q", got)
		}

		// A second broadcast whose progress message went out: it stays.
		b2, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, Audience: models.MembersAudience(m.ID), Text: "y", SendAt: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.ExecForTest(ctx, fmt.Sprintf("UPDATE outboxes SET status = 'sent' WHERE broadcast_id = %d", b2.ID)); err != nil {
			t.Fatal(err)
		}
		if done, err := st.FinishBroadcast(ctx, b2.ID, time.Now()); err != nil || !done {
			t.Fatalf("finish the second: %v %v", done, err)
		}
		got, err = st.DumpForTest(ctx, fmt.Sprintf("SELECT kind, status FROM outboxes WHERE broadcast_id = %d AND kind <> 'broadcast.report' ORDER BY kind", b2.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got != "kind=broadcast status=sent \nkind=broadcast.progress status=sent \n" {
			t.Fatalf("a sent progress message after the finish: %q", got)
		}
	})
}

// TestAWebhookUpdateIsHandledOnceAndNeverLost: an update taken is another
// request's to wait for; once marked handled it is a duplicate; taken by a
// replica that died before handling it, it is taken again after the hold.
// Eight requests delivering one update at once: exactly one takes it.
func TestAWebhookUpdateIsHandledOnceAndNeverLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		hold := 3 * time.Minute
		take := func(id int64, at time.Time) store.UpdateTake {
			t.Helper()
			got, err := st.TakeUpdate(ctx, id, at, hold)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := take(1, now); got != store.UpdateOurs {
			t.Fatalf("a new update: %v", got)
		}
		if got := take(1, now.Add(time.Minute)); got != store.UpdateInHand {
			t.Fatalf("an update being handled, delivered again: %v", got)
		}
		if err := st.MarkUpdateHandled(ctx, 1, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := take(1, now.Add(time.Hour)); got != store.UpdateHandled {
			t.Fatalf("a handled update, delivered again an hour later: %v", got)
		}

		// Taken by a replica that died: in hand until the hold ends, then
		// the next delivery's.
		if got := take(2, now); got != store.UpdateOurs {
			t.Fatalf("update 2: %v", got)
		}
		if got := take(2, now.Add(hold-time.Second)); got != store.UpdateInHand {
			t.Fatalf("within the hold: %v", got)
		}
		if got := take(2, now.Add(hold+time.Second)); got != store.UpdateOurs {
			t.Fatalf("after its taker died: %v", got)
		}
		if got := take(2, now.Add(hold+2*time.Second)); got != store.UpdateInHand {
			t.Fatalf("taken again, it is the new taker's: %v", got)
		}

		var mu sync.Mutex
		results := map[store.UpdateTake]int{}
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := st.TakeUpdate(ctx, 3, now, hold)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				results[got]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if results[store.UpdateOurs] != 1 || results[store.UpdateInHand] != 7 {
			t.Fatalf("eight deliveries at once: %v", results)
		}
	})
}
