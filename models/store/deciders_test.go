package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestDecidersForGoUpThenToTheAdmins: who decides for a branch (a join
// request, a member's check) is one rule: the branch's linked organizers
// and those above it, else the admins; DecidersFor names the nearest
// branch whose organizers they are, and leaves one member out (their own
// check). A check's report goes to them; with nobody to ask it is not
// taken (ErrNobodyConfirms) and changes nothing.
func TestDecidersForGoUpThenToTheAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		link := func(m *models.Member, tg int64) {
			t.Helper()
			if _, err := st.LinkByPhone(ctx, *m.Phone, tg, tg); err != nil {
				t.Fatal(err)
			}
		}
		org := mustAdd(t, st, store.NewMember{Name: "Org", Phone: "13800138001", Branch: "Town", Role: models.RoleOrganizer})
		link(org, 9001)
		villager := mustAdd(t, st, store.NewMember{Name: "V", Phone: "13800138002", Branch: "Town/Village"})
		link(villager, 9002)
		wester := mustAdd(t, st, store.NewMember{Name: "W", Phone: "13800138003", Branch: "West"})
		link(wester, 9003)
		type want struct {
			ids    []uint
			branch string
		}
		check := func(path string, except uint, w want) {
			t.Helper()
			d, err := st.DecidersFor(ctx, path, except)
			same := reflect.DeepEqual(d.IDs, w.ids) || len(d.IDs) == 0 && len(w.ids) == 0
			if err != nil || !same || d.Branch != w.branch {
				t.Errorf("DecidersFor(%q, %d) = %+v, %v; want %+v", path, except, d, err, w)
			}
		}
		check("Town/Village", 0, want{[]uint{org.ID}, "Town"})
		check("Town", 0, want{[]uint{org.ID}, "Town"})
		check("West", 0, want{nil, ""})
		check("Town", org.ID, want{nil, ""})

		// Nobody for West: a report is refused, and nothing is written.
		k, err := st.PlanKindByKey(ctx, "quarterly_check")
		if err != nil {
			t.Fatal(err)
		}
		due := models.DayOf(now.AddDate(0, 0, 3), time.UTC)
		if _, err := st.AssignPlans(ctx, k, models.MembersAudience(villager.ID, wester.ID, org.ID), &due, nil, time.UTC, now); err != nil {
			t.Fatal(err)
		}
		planOf := func(m *models.Member) models.Plan {
			t.Helper()
			ps, err := st.PlansOf(ctx, m.ID)
			if err != nil || len(ps) != 1 {
				t.Fatalf("plans of %s: %v %v", m.Name, ps, err)
			}
			return ps[0]
		}
		wp := planOf(wester)
		if _, _, err := st.SubmitCheck(ctx, wp.ID, wp.Cycle, wester, "", time.UTC, now); !errors.Is(err, store.ErrNobodyConfirms) {
			t.Fatalf("a report nobody can confirm: %v", err)
		}
		if p := planOf(wester); p.State != models.PlanOpen {
			t.Fatalf("the refused report left the plan %s", p.State)
		}
		if recs, _ := st.CheckRecords(ctx, wp.ID); len(recs) != 0 {
			t.Fatalf("the refused report was recorded: %+v", recs)
		}

		// An admin: West's report goes to them, and so does the town
		// organizer's own (never to themselves).
		admin, err := st.EnsureAdmin(ctx, 1, 1, "Root", "en")
		if err != nil {
			t.Fatal(err)
		}
		check("West", 0, want{[]uint{admin.ID}, ""})
		check("Town", org.ID, want{[]uint{admin.ID}, ""})
		check("Town/Village", 0, want{[]uint{org.ID}, "Town"})
		for _, c := range []struct {
			who *models.Member
			to  uint
		}{{wester, admin.ID}, {org, admin.ID}, {villager, org.ID}} {
			p := planOf(c.who)
			if _, _, err := st.SubmitCheck(ctx, p.ID, p.Cycle, c.who, "", time.UTC, now); err != nil {
				t.Fatalf("%s's report: %v", c.who.Name, err)
			}
			rows, _ := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindCheckSubmitted})
			var to []uint
			for _, r := range rows {
				if r.PlanID != nil && *r.PlanID == p.ID {
					to = append(to, *r.MemberID)
				}
			}
			if !reflect.DeepEqual(to, []uint{c.to}) {
				t.Errorf("%s's report went to %v, want %d", c.who.Name, to, c.to)
			}
		}
	})
}
