package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestVisitsFollowTheFamily: a birth recorded for a household whose centre
// household is on Telegram plans its two newborn visits to the centre
// household, once; the centre household closes the first with a note and
// what was given; another member and an organizer of another branch may
// not; the second, not made in its window, is missed; a follow-up plans
// its next when made; a family in difficulty gets its care visit once the
// weeks before the Spring Festival begin; without a centre household on
// Telegram a visit is the branch organizers'.
func TestVisitsFollowTheFamily(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 12, 4, 10, 0, 0, 0, sh)
		day := func(y, m, d int) models.Day { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
		org := mustAdd(t, st, store.NewMember{Name: "Org", Phone: "13900000000", Branch: "东城镇/李家村", Role: models.RoleOrganizer})
		other := mustAdd(t, st, store.NewMember{Name: "OrgW", Phone: "13900000001", Branch: "西城", Role: models.RoleOrganizer})
		centre := mustAdd(t, st, store.NewMember{Name: "中心户", Phone: "13800000001", Branch: "东城镇/李家村"})
		fam := mustAdd(t, st, store.NewMember{Name: "王家", Phone: "13800000002", Branch: "东城镇/李家村"})
		lone := mustAdd(t, st, store.NewMember{Name: "李家", Phone: "13800000003", Branch: "东城镇/李家村"})
		if _, err := st.LinkByPhone(ctx, "13800000001", 501, 501); err != nil {
			t.Fatal(err)
		}
		birth := day(2026, 12, 2)
		planned, err := st.SetFamily(ctx, &models.Family{MemberID: fam.ID, Household: "0012", CentreID: &centre.ID, BirthOn: &birth}, &org.ID, sh, now)
		if err != nil || len(planned) != 2 {
			t.Fatalf("planned %+v %v, want the two newborn visits", planned, err)
		}
		for _, v := range planned {
			if v.AssigneeID == nil || *v.AssigneeID != centre.ID || v.Kind != models.VisitNewborn {
				t.Fatalf("visit %+v, want the centre household's newborn visit", v)
			}
		}
		if !planned[0].By.Equal(day(2026, 12, 9)) || !planned[1].From.Equal(day(2026, 12, 27)) || !planned[1].By.Equal(day(2027, 1, 2)) {
			t.Fatalf("windows %v–%v, %v–%v", planned[0].From, planned[0].By, planned[1].From, planned[1].By)
		}
		// Stored again: no visit twice.
		if again, err := st.SetFamily(ctx, &models.Family{MemberID: fam.ID, Household: "0012", CentreID: &centre.ID, BirthOn: &birth}, &org.ID, sh, now); err != nil || len(again) != 0 {
			t.Fatalf("again: %+v %v", again, err)
		}
		mine, err := st.Visits(ctx, store.VisitQuery{Assignee: centre.ID, States: []models.VisitState{models.VisitOpen}})
		if err != nil || len(mine) != 2 || mine[0].FamilyName != "王家" || mine[0].Household != "0012" {
			t.Fatalf("the centre household's visits %+v %v", mine, err)
		}
		first := mine[0].ID
		// Not theirs: another member, an organizer of another branch.
		for _, by := range []*models.Member{lone, other} {
			if _, err := st.DoneVisit(ctx, first, by, models.Scope{Paths: []string{"西城"}}, "", "", sh, now); !errors.Is(err, models.ErrVisitNotYours) {
				t.Fatalf("%s closed it: %v", by.Name, err)
			}
		}
		// The second's window has not begun.
		if _, err := st.DoneVisit(ctx, mine[1].ID, centre, models.Scope{}, "", "", sh, now); !errors.Is(err, models.ErrVisitNotYet) {
			t.Fatalf("early: %v", err)
		}
		v, err := st.DoneVisit(ctx, first, centre, models.Scope{}, "母子平安", "大米 1 袋", sh, now)
		if err != nil || v.State != models.VisitDone || v.Note != "母子平安" || v.Gave != "大米 1 袋" || v.DoneByName != "中心户" {
			t.Fatalf("done %+v %v", v, err)
		}
		if _, err := st.DoneVisit(ctx, first, centre, models.Scope{}, "", "", sh, now); !errors.Is(err, models.ErrVisitClosed) {
			t.Fatalf("twice: %v", err)
		}
		// The second passes undone.
		missed, err := st.MissVisits(ctx, day(2027, 1, 3), now)
		if err != nil || len(missed) != 1 || missed[0].ID != mine[1].ID {
			t.Fatalf("missed %+v %v", missed, err)
		}
		f, err := st.VisitFiguresIn(ctx, models.Scope{Paths: []string{"东城镇"}}, day(2026, 10, 1), day(2027, 4, 1))
		if err != nil || f.Done != 1 || f.Missed != 1 {
			t.Fatalf("figures %+v %v", f, err)
		}
		if f, _ := st.VisitFiguresIn(ctx, models.Scope{Paths: []string{"西城"}}, day(2026, 10, 1), day(2027, 4, 1)); f.Done+f.Missed != 0 {
			t.Fatalf("another branch's figures %+v", f)
		}
		// A follow-up every 3 months, the branch organizers' (no centre).
		fu, err := st.AssignVisit(ctx, models.VisitFollowup, lone.ID, nil, nil, 3, &org.ID, sh, now)
		if err != nil || len(fu) != 1 || fu[0].AssigneeID != nil {
			t.Fatalf("follow-up %+v %v", fu, err)
		}
		if _, err := st.DoneVisit(ctx, fu[0].ID, org, models.Scope{Paths: []string{"东城镇"}}, "", "", sh, now); err != nil {
			t.Fatal(err)
		}
		next, _ := st.Visits(ctx, store.VisitQuery{States: []models.VisitState{models.VisitOpen}, Scope: &models.Scope{Paths: []string{"东城镇"}}})
		if len(next) != 1 || next[0].Kind != models.VisitFollowup || !next[0].By.Equal(day(2027, 3, 11)) {
			t.Fatalf("the next follow-up %+v", next)
		}
		// Care: a family in difficulty, once the four weeks before the
		// Spring Festival (2027-02-06) begin.
		if _, err := st.SetFamily(ctx, &models.Family{MemberID: lone.ID, Difficulty: true}, &org.ID, sh, now); err != nil {
			t.Fatal(err)
		}
		for _, d := range []models.Day{day(2027, 1, 8), day(2027, 1, 9), day(2027, 1, 10)} {
			n, err := st.PlanCareVisits(ctx, d, now)
			if want := map[bool]int{true: 1}[d.Equal(day(2027, 1, 9))]; err != nil || n != want {
				t.Fatalf("care on %v: %d %v, want %d", d, n, err, want)
			}
		}
		// Bad words are refused.
		if _, err := st.AnnotateVisit(ctx, first, centre, models.Scope{}, "", string(make([]rune, 200)), "", now); !errors.Is(err, models.ErrBadText) {
			t.Fatalf("bad gave: %v", err)
		}
	})
}

// TestVisitsFollowWhatChanges: another birth cancels the old birth's open
// visits and plans its own; a family no longer in difficulty has its care
// visit cancelled; a family that left has its visits cancelled, and a
// cadre who left hands theirs back to the branch's organizers; a missed
// follow-up's next keeps its rhythm; on the Spring Festival itself the
// next year's care weeks are the ones planned; a closed one-off duty
// gives way to the kind given for good.
func TestVisitsFollowWhatChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 12, 4, 10, 0, 0, 0, sh)
		day := func(y, m, d int) models.Day { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
		org := mustAdd(t, st, store.NewMember{Name: "Org", Phone: "13900000000", Branch: "东城镇", Role: models.RoleOrganizer})
		centre := mustAdd(t, st, store.NewMember{Name: "中心户", Phone: "13800000001", Branch: "东城镇"})
		fam := mustAdd(t, st, store.NewMember{Name: "王家", Phone: "13800000002", Branch: "东城镇"})
		poor := mustAdd(t, st, store.NewMember{Name: "张家", Phone: "13800000003", Branch: "东城镇"})
		if _, err := st.LinkByPhone(ctx, "13800000001", 501, 501); err != nil {
			t.Fatal(err)
		}
		state := func(family uint) map[string]models.VisitState {
			rows, err := st.Visits(ctx, store.VisitQuery{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]models.VisitState{}
			for _, r := range rows {
				if r.FamilyID == family {
					out[string(r.Kind)+" "+r.Slot] = r.State
				}
			}
			return out
		}
		b1 := day(2026, 12, 1)
		if _, err := st.SetFamily(ctx, &models.Family{MemberID: fam.ID, CentreID: &centre.ID, BirthOn: &b1}, &org.ID, sh, now); err != nil {
			t.Fatal(err)
		}
		// The date was wrong: the right one replaces the visits.
		b2 := day(2026, 12, 3)
		if visits, err := st.SetFamily(ctx, &models.Family{MemberID: fam.ID, CentreID: &centre.ID, BirthOn: &b2}, &org.ID, sh, now); err != nil || len(visits) != 2 {
			t.Fatalf("the corrected birth: %+v %v", visits, err)
		}
		if s := state(fam.ID); s["newborn 2026-12-01/1"] != models.VisitCancelled || s["newborn 2026-12-01/28"] != models.VisitCancelled ||
			s["newborn 2026-12-03/1"] != models.VisitOpen || s["newborn 2026-12-03/28"] != models.VisitOpen {
			t.Fatalf("after the corrected birth: %v", s)
		}
		// The centre household leaves: its visits go to the organizers.
		if err := st.SetMemberStatus(ctx, centre.ID, models.StatusLeft); err != nil {
			t.Fatal(err)
		}
		if c, r, err := st.TidyVisits(ctx, now); err != nil || c != 0 || r != 2 {
			t.Fatalf("tidy: %d cancelled, %d released, %v", c, r, err)
		}
		if mine, _ := st.Visits(ctx, store.VisitQuery{Assignee: org.ID, Unassigned: &models.Scope{Paths: []string{"东城镇"}}, States: []models.VisitState{models.VisitOpen}}); len(mine) != 2 {
			t.Fatalf("the organizer's visits %+v", mine)
		}
		// The family stays on the card with its centre household gone.
		if _, err := st.SetFamily(ctx, &models.Family{MemberID: fam.ID, CentreID: &centre.ID, BirthOn: &b2, Difficulty: true}, &org.ID, sh, now); err != nil {
			t.Fatalf("a change with a centre household that left: %v", err)
		}
		// The family leaves: its visits are cancelled.
		if err := st.SetMemberStatus(ctx, fam.ID, models.StatusLeft); err != nil {
			t.Fatal(err)
		}
		if c, _, err := st.TidyVisits(ctx, now); err != nil || c != 2 {
			t.Fatalf("tidy after the family left: %d %v", c, err)
		}
		// Care: planned in the weeks before, cancelled when no longer in
		// difficulty; on the festival day itself, next year's.
		if _, err := st.SetFamily(ctx, &models.Family{MemberID: poor.ID, Difficulty: true}, &org.ID, sh, now); err != nil {
			t.Fatal(err)
		}
		if n, err := st.PlanCareVisits(ctx, day(2027, 1, 20), now); err != nil || n != 1 {
			t.Fatalf("care: %d %v", n, err)
		}
		if _, err := st.SetFamily(ctx, &models.Family{MemberID: poor.ID}, &org.ID, sh, now); err != nil {
			t.Fatal(err)
		}
		if s := state(poor.ID); s["care 2027"] != models.VisitCancelled {
			t.Fatalf("care after difficulty ended: %v", s)
		}
		if _, err := st.SetFamily(ctx, &models.Family{MemberID: poor.ID, Difficulty: true}, &org.ID, sh, now); err != nil {
			t.Fatal(err)
		}
		if n, err := st.PlanCareVisits(ctx, day(2027, 2, 6), now); err != nil || n != 0 {
			t.Fatalf("care on the festival: %d %v (next year's weeks have not begun)", n, err)
		}
		// Before 六一, only where the branch wants it.
		if n, err := st.PlanCareVisits(ctx, day(2027, 5, 10), now); err != nil || n != 0 {
			t.Fatalf("六一 care without the branch's wish: %d %v", n, err)
		}
		if err := st.SetCareJune(ctx, "东城镇", true); err != nil {
			t.Fatal(err)
		}
		if n, err := st.PlanCareVisits(ctx, day(2027, 5, 10), now); err != nil || n != 1 {
			t.Fatalf("六一 care: %d %v", n, err)
		}
		if s := state(poor.ID); s["care 2027-06-01"] != models.VisitOpen {
			t.Fatalf("the 六一 visit: %v", s)
		}
		if n, _ := st.PlanCareVisits(ctx, day(2027, 5, 11), now); n != 0 {
			t.Fatalf("六一 care twice: %d", n)
		}
		if err := st.SetCareJune(ctx, "西城", true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an unknown branch: %v", err)
		}
		// A follow-up missed: the next is three months from its day.
		fu, err := st.AssignVisit(ctx, models.VisitFollowup, poor.ID, nil, ptrDay(day(2026, 12, 10)), 3, &org.ID, sh, now)
		if err != nil || len(fu) != 1 || !fu[0].By.Equal(day(2026, 12, 17)) {
			t.Fatalf("follow-up %+v %v", fu, err)
		}
		if _, err := st.MissVisits(ctx, day(2026, 12, 18), now); err != nil {
			t.Fatal(err)
		}
		if s := state(poor.ID); s["followup 2027-03-10"] != models.VisitOpen {
			t.Fatalf("the next follow-up: %v", s)
		}
		// Cancelled by hand.
		if ok, err := st.CancelVisit(ctx, fu[0].ID, now); err != nil || ok {
			t.Fatalf("cancel a missed visit: %v %v", ok, err)
		}
		// A one-off duty closed gives way to the kind for good.
		k, _ := st.PlanKindByKey(ctx, "weekly_report")
		if _, err := st.AssignOnce(ctx, k, models.BranchAudience("东城镇"), day(2026, 12, 11), nil, sh, now); err != nil {
			t.Fatal(err)
		}
		ps, _ := st.PlansOf(ctx, org.ID)
		if _, _, err := st.SubmitCheck(ctx, ps[0].ID, ps[0].Cycle, org, "", sh, now); err != nil {
			t.Fatal(err)
		}
		if res, err := st.AssignPlans(ctx, k, models.BranchAudience("东城镇"), nil, nil, sh, now); err != nil || res.Created != 1 {
			t.Fatalf("assign after a one-off: %+v %v", res, err)
		}
		if p, _ := st.PlanByID(ctx, ps[0].ID); p.Once || p.State != models.PlanOpen {
			t.Fatalf("the plan %+v", p)
		}
	})
}

func ptrDay(d models.Day) *models.Day { return &d }
