package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// The rules written both in Go (models) and in SQL (store/rules.go): each
// test runs both forms over the same cases, on SQLite and PostgreSQL.

// rulesBranches are branch paths whose % and _ would be LIKE patterns, and
// paths that share a prefix without being within each other, or differ
// in case only.
var rulesBranches = []string{
	"Town", "Town/Village", "Town/Village/Lane", "Town/Vill", "Town2", "Townhall",
	"T_wn", "T_wn/Sub", "TXwn", "TXwn/Sub", "T%", "T%/Sub", "Tx%", "West", "West/Town",
	"town/Sub", "TOWN/Village", "街道", "街道/社区", "街道社区",
}

func seedBranches(t *testing.T, st *store.Store) map[string]uint {
	t.Helper()
	ids := map[string]uint{}
	for _, p := range rulesBranches {
		b, err := st.EnsureBranch(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = b.ID
	}
	return ids
}

// TestSubtreeIsOneRule: a branch's subtree is models.PathWithin in Go,
// models.AncestorPaths from below, and branchesWithin in SQL (the branch
// and several-branch audiences, a scope's branches and members, overdue
// plans, duties, /stats): all agree, a path's % and _ match themselves
// only.
func TestSubtreeIsOneRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedBranches(t, st)
		everything, err := st.BranchesIn(ctx, models.Scope{Admin: true})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string // those given and those above them
		for _, b := range everything {
			paths = append(paths, b.Path)
		}
		for _, p := range rulesBranches {
			if !slices.Contains(paths, p) {
				t.Fatalf("BranchesIn(admin) lacks %q", p)
			}
		}
		tops := append(slices.Clone(paths), "Tow", "T", "T_", "Town/", "Nowhere", "街")
		within := func(scope []string) []string {
			var out []string
			for _, p := range paths {
				if slices.ContainsFunc(scope, func(top string) bool { return models.PathWithin(p, top) }) {
					out = append(out, p)
				}
				above := slices.ContainsFunc(scope, func(top string) bool { return slices.Contains(models.AncestorPaths(p), top) })
				if above != slices.Contains(out, p) {
					t.Errorf("%q in %v: PathWithin %v, AncestorPaths %v", p, scope, !above, above)
				}
			}
			slices.Sort(out)
			return out
		}
		scopes := [][]string{{}}
		for _, top := range tops {
			scopes = append(scopes, []string{top})
		}
		scopes = append(scopes, []string{"T_wn", "T%"}, []string{"Town/Village", "West", "Town2"}, []string{"Town", "Town/Village"},
			[]string{"town", "街道"})
		for _, scope := range scopes {
			bs, err := st.BranchesIn(ctx, models.Scope{Paths: scope})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range bs {
				got = append(got, b.Path)
			}
			if want := within(scope); !slices.Equal(got, want) {
				t.Errorf("BranchesIn(%v) = %v; PathWithin says %v", scope, got, want)
			}
		}
	})
}

// TestAudienceIsOneRule: who is in an audience is models.Audience.Includes
// in Go and inAudience in SQL (AudienceMembers, Recipients, events' and
// plans' audiences): the same members for every kind but the organizers'
// (TestDecidersAreOneRule).
func TestAudienceIsOneRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedBranches(t, st)
		var ids []uint
		for i, p := range append(slices.Clone(rulesBranches), "") {
			tags := []string{"volunteer"}
			if i%3 == 0 {
				tags = []string{"doctor", "volunteer"}
			} else if i%3 == 1 {
				tags = nil
			}
			m := mustAdd(t, st, store.NewMember{Name: fmt.Sprintf("M%02d", i), Phone: fmt.Sprintf("138001390%02d", i), Branch: p, Tags: tags})
			if i%4 == 3 {
				if err := st.SetMemberStatus(ctx, m.ID, models.StatusLeft); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, m.ID)
		}
		all, err := st.ListMembers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		auds := []models.Audience{models.Everyone(), models.TagAudience("doctor"), models.TagAudience("nobody"),
			models.MembersAudience(ids[0], ids[3], ids[len(ids)-1]), models.MembersAudience(),
			models.BranchesAudience("T_wn", "T%"), models.BranchesAudience("Town/Village", "West/Town", "Town2")}
		for _, p := range append(slices.Clone(rulesBranches), "Tow", "T_") {
			auds = append(auds, models.BranchAudience(p))
		}
		for _, a := range auds {
			got, err := st.AudienceMembers(ctx, a, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var sqlIDs, goIDs []uint
			for _, m := range got {
				sqlIDs = append(sqlIDs, m.ID)
			}
			for i := range all {
				// AudienceMembers leaves out those who left, as
				// models.Event.VisibleTo does.
				if all[i].OnRoster() && a.Includes(&all[i]) {
					goIDs = append(goIDs, all[i].ID)
				}
			}
			slices.Sort(sqlIDs)
			if !slices.Equal(sqlIDs, goIDs) {
				t.Errorf("%s: inAudience %v, Includes %v", a, sqlIDs, goIDs)
			}
		}
	})
}
