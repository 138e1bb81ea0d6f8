package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestEditMember: each field changes alone; a member made organizer, or an
// organizer moved, gets the scope of their branch (as the import gives
// it); a taken phone, a bad text, a bad path or a bad role changes no row
// and creates no branch; an unknown member is ErrNotFound.
func TestEditMember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		mustAdd(t, st, store.NewMember{Name: "张组长", Phone: "13800000001", Branch: "东城镇", Role: models.RoleOrganizer})
		m := mustAdd(t, st, store.NewMember{Name: "王芳", Phone: "13800000002", Branch: "东城镇/李家村", Tags: []string{"volunteer"}})
		str := func(s string) *string { return &s }
		role := func(r models.Role) *models.Role { return &r }
		scopes := func(id uint) []string {
			t.Helper()
			bs, err := st.OrganizedBranches(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, b := range bs {
				out = append(out, b.Path)
			}
			return out
		}
		before := snapshot(t, st)
		for _, c := range []struct {
			name string
			edit store.MemberChange
			want error // nil: any error
		}{
			{"taken phone", store.MemberChange{Name: str("王芳芳"), Phone: str("138 0000 0001")}, store.ErrPhoneTaken},
			{"bad name", store.MemberChange{Name: str("王\x1b[2J芳")}, models.ErrBadText},
			{"empty name", store.MemberChange{Name: str("  ")}, nil},
			{"bad tag", store.MemberChange{Tags: &[]string{"a\u202eb"}}, models.ErrBadText},
			{"bad phone", store.MemberChange{Phone: str("12")}, nil},
			{"bad path", store.MemberChange{Branch: str("西城//社区"), Role: role(models.RoleOrganizer)}, models.ErrBadBranchPath},
			{"bad role", store.MemberChange{Branch: str("西城社区"), Role: role("boss")}, nil},
		} {
			_, err := st.EditMember(ctx, m.ID, c.edit)
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		if _, err := st.EditMember(ctx, 9999, store.MemberChange{Name: str("X")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown member: %v", err)
		}
		sameRows(t, "a refused edit", before, snapshot(t, st))

		got, err := st.EditMember(ctx, m.ID, store.MemberChange{Name: str(" 王芳芳 ")})
		if err != nil || got.Name != "王芳芳" || *got.Phone != "+8613800000002" || got.Branch.Path != "东城镇/李家村" || !slices.Equal(got.TagNames(), []string{"volunteer"}) {
			t.Fatalf("name: %+v %v", got, err)
		}
		if got, err = st.EditMember(ctx, m.ID, store.MemberChange{Phone: str("139-0000-0009")}); err != nil || *got.Phone != "+8613900000009" || got.Name != "王芳芳" {
			t.Fatalf("phone: %+v %v", got, err)
		}
		if got, err = st.EditMember(ctx, m.ID, store.MemberChange{Phone: str("13900000009")}); err != nil {
			t.Fatalf("their own phone again: %v", err)
		}
		if got, err = st.EditMember(ctx, m.ID, store.MemberChange{Lang: str("en"), TZ: str("Europe/Berlin"), Tags: &[]string{" Away", "away", "Driver"}}); err != nil ||
			got.Lang != "en" || got.TZ != "Europe/Berlin" || !slices.Equal(got.TagNames(), []string{"away", "driver"}) {
			t.Fatalf("lang, tz, tags: %+v %v", got, err)
		}
		if got, err = st.EditMember(ctx, m.ID, store.MemberChange{Role: role(models.RoleOrganizer)}); err != nil || got.Role != models.RoleOrganizer {
			t.Fatalf("role: %+v %v", got, err)
		}
		if s := scopes(m.ID); !slices.Equal(s, []string{"东城镇/李家村"}) {
			t.Fatalf("made organizer: scopes %v", s)
		}
		if got, err = st.EditMember(ctx, m.ID, store.MemberChange{Branch: str("西城社区 / 南街")}); err != nil || got.Branch.Path != "西城社区/南街" {
			t.Fatalf("branch: %+v %v", got, err)
		}
		if s := scopes(m.ID); !slices.Contains(s, "西城社区/南街") {
			t.Fatalf("moved organizer: scopes %v", s)
		}
		if got, err = st.EditMember(ctx, m.ID, store.MemberChange{Role: role(models.RoleMember)}); err != nil || got.Role != models.RoleMember {
			t.Fatalf("back to member: %+v %v", got, err)
		}
		if s, _ := st.Scope(ctx, got); s.Admin || len(s.Paths) > 0 {
			t.Fatalf("a member acts for %v", s)
		}
	})
}

// TestImportNamesNewBranches: the report lists the branches an import
// would create (a dry run) and did, parents first.
func TestImportNamesNewBranches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		mustAdd(t, st, store.NewMember{Name: "王芳", Phone: "13800000001", Branch: "东城镇/李家村"})
		file := "name,phone,branch\nA,13800000002,东城镇/李家村\nB,13800000003,东成镇/李家村\nC,13800000004,东城镇/李佳村\n"
		for _, dry := range []bool{true, false} {
			rows, problems, err := roster.Parse(strings.NewReader(file), roster.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			rep, err := st.ImportRoster(ctx, rows, problems, store.ImportOptions{Scope: models.Scope{Admin: true}, DryRun: dry, Location: sh, Now: time.Now()})
			want := []string{"东城镇/李佳村", "东成镇", "东成镇/李家村"}
			if err != nil || !slices.Equal(rep.NewBranches, want) || rep.Branches != 3 {
				t.Fatalf("dry run %v: %v %v, want %v", dry, rep.NewBranches, err, want)
			}
		}
	})
}
