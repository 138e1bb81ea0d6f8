package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestImportWithinOrganizersBranches: an organizer's import creates
// branches only under their own, changes only their branches' members, and
// makes no admin; a refused row writes nothing of the file.
func TestImportWithinOrganizersBranches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		mustAdd(t, st, store.NewMember{Name: "Elsewhere", Phone: "13800000009", Branch: "Other"})
		scope := models.Scope{Paths: []string{"Town"}}
		file := "name,phone,branch,role\n" +
			"A,13800000001,Town/New village,\n" + // a new branch under Town: fine
			"B,13800000002,Other/Village,\n" + // outside: refused
			"C,13800000009,Town,\n" + // someone of another branch: refused
			"D,13800000003,Town,admin\n" + // only admins make admins
			"E,13800000004,,\n" // a new member needs a branch
		rows, problems, err := roster.Parse(strings.NewReader(file), roster.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := st.ImportRoster(ctx, rows, problems, store.ImportOptions{Scope: scope, Location: sh, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range rep.Problems {
			got = append(got, string(p.Reason))
		}
		if strings.Join(got, ",") != "out_of_scope,not_yours,admin_only,unknown_branch" {
			t.Fatalf("problems %v", got)
		}
		if n, _ := st.CountForTest(ctx, "members"); n != 1 {
			t.Fatalf("%d members after a refused import", n)
		}
		if _, err := st.BranchByPath(ctx, "Town/New village"); err == nil {
			t.Fatal("a branch was created by a refused import")
		}
		// The good row alone imports, its branch created under Town.
		rows, problems, _ = roster.Parse(strings.NewReader("name,phone,branch\nA,13800000001,Town/New village\n"), roster.DefaultLimits())
		rep, err = st.ImportRoster(ctx, rows, problems, store.ImportOptions{Scope: scope, Location: sh, Now: time.Now()})
		if err != nil || !rep.Applied() || rep.New != 1 || rep.Branches != 2 {
			t.Fatalf("%+v %v", rep, err)
		}
	})
}
