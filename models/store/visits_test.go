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
