package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// snapshot renders every row of every table, to show that a refused
// write changed none.
func snapshot(t *testing.T, st *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range store.CopyTables() {
		rows, err := st.RowsForTest(ctx, table)
		if err != nil {
			t.Fatalf("rows of %s: %v", table, err)
		}
		out[table] = rows
	}
	return out
}

func sameRows(t *testing.T, what string, before, after map[string][]string) {
	t.Helper()
	for table, rows := range before {
		if !slices.Equal(rows, after[table]) {
			t.Errorf("%s changed %s: %d rows before, %d after", what, table, len(rows), len(after[table]))
		}
	}
}

// TestStoreRefusesControlCharacters: names, branches, tags, titles, places,
// descriptions and record texts with NUL, ESC, a C1 control or a bidi
// override fail with models.ErrBadText on both databases (PostgreSQL would
// refuse a NUL itself, SQLite would keep it), and no row changes; newlines
// are kept where the text has several lines.
func TestStoreRefusesControlCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, sh)
		org := mustAdd(t, st, store.NewMember{Name: "李主任", Phone: "13900000001", Branch: "东城镇", Role: models.RoleOrganizer})
		occ := time.Date(2026, 11, 22, 9, 30, 0, 0, sh)
		e := &models.Event{Kind: models.EventActivityDay, Title: "季度活动", Location: "村委会", Description: "第一行\n第二行",
			StartAt: occ.UTC(), Audience: "branch:东城镇", RSVP: true, CreatedBy: &org.ID}
		if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
			t.Fatalf("a description of two lines: %v", err)
		}
		after := occ.Add(2 * time.Hour)
		if err := st.SetCheckIn(ctx, e.ID, occ, org.ID, true, org, sh, after); err != nil { // held: someone came
			t.Fatal(err)
		}
		if _, err := st.SaveRecord(ctx, e.ID, occ, org, "健康讲座", "二十人到场\n讲解了孕前检查", sh, after); err != nil {
			t.Fatalf("a summary of two lines: %v", err)
		}
		b, err := st.BranchByPath(ctx, "东城镇")
		if err != nil {
			t.Fatal(err)
		}
		event := func(edit func(e *models.Event)) *models.Event {
			e := &models.Event{Kind: models.EventMeeting, Title: "例会", Location: "二楼", StartAt: now.Add(48 * time.Hour).UTC(),
				Audience: "branch:东城镇", RSVP: true, CreatedBy: &org.ID}
			edit(e)
			return e
		}
		str := func(s string) *string { return &s }
		before := snapshot(t, st)
		for _, c := range []struct {
			name string
			do   func() error
		}{
			{"member name nul", func() error {
				_, err := st.AddMember(ctx, store.NewMember{Name: "王\x00芳", Phone: "13800000002", Branch: "东城镇"})
				return err
			}},
			{"member name escape", func() error {
				_, err := st.AddMember(ctx, store.NewMember{Name: "\x1b[2J王芳", Phone: "13800000002"})
				return err
			}},
			{"member name newline", func() error {
				_, err := st.AddMember(ctx, store.NewMember{Name: "王芳\n管理员", Phone: "13800000002"})
				return err
			}},
			{"member name override", func() error {
				_, err := st.AddMember(ctx, store.NewMember{Name: "王芳\u202e", Phone: "13800000002"})
				return err
			}},
			{"member branch nul", func() error {
				_, err := st.AddMember(ctx, store.NewMember{Name: "王芳", Phone: "13800000002", Branch: "东城镇/新\x00村"})
				return err
			}},
			{"member tag c1", func() error {
				_, err := st.AddMember(ctx, store.NewMember{Name: "王芳", Phone: "13800000002", Tags: []string{"volunteer", "a\u0085b"}})
				return err
			}},
			{"branch", func() error { _, err := st.EnsureBranch(ctx, "东城镇/\x00"); return err }},
			{"branch invalid utf-8", func() error { _, err := st.EnsureBranch(ctx, "\xc4\xe3"); return err }},
			{"many members", func() error {
				return st.InsertMembers(ctx, []models.Member{{Name: "好人", Status: models.StatusActive, Role: models.RoleMember},
					{Name: "坏\x00人", Status: models.StatusActive, Role: models.RoleMember}})
			}},
			{"join request", func() error {
				_, _, err := st.CreateJoinRequest(ctx, models.JoinRequest{TelegramID: 777, ChatID: 777, Name: "新\x00人", BranchID: b.ID}, "", now)
				return err
			}},
			{"admin", func() error { _, err := st.EnsureAdmin(ctx, 888, 888, "Admin\x07", "en"); return err }},
			{"event title", func() error {
				_, err := st.CreateEvent(ctx, event(func(e *models.Event) { e.Title = "例\x00会" }), sh, now)
				return err
			}},
			{"event title tab", func() error {
				_, err := st.CreateEvent(ctx, event(func(e *models.Event) { e.Title = "例\t会" }), sh, now)
				return err
			}},
			{"event place", func() error {
				_, err := st.CreateEvent(ctx, event(func(e *models.Event) { e.Location = "二楼\x1b" }), sh, now)
				return err
			}},
			{"event description", func() error {
				_, err := st.CreateEvent(ctx, event(func(e *models.Event) { e.Description = "第一行\n\x00" }), sh, now)
				return err
			}},
			{"event tag audience", func() error {
				_, err := st.CreateEvent(ctx, event(func(e *models.Event) { e.Audience = "tag:a\x00" }), sh, now)
				if !errors.Is(err, models.ErrBadAudience) {
					return err
				}
				return models.ErrBadText // refused as an audience, which names no tag
			}},
			{"event new title", func() error {
				_, _, err := st.UpdateEvent(ctx, e.ID, store.EventChange{Title: str("季度\x00活动")}, sh, now)
				return err
			}},
			{"event new place", func() error {
				_, _, err := st.UpdateEvent(ctx, e.ID, store.EventChange{Location: str("村委会\u2028二楼")}, sh, now)
				return err
			}},
			{"record topic", func() error {
				_, err := st.SaveRecord(ctx, e.ID, occ, org, "讲\x00座", "", sh, after)
				return err
			}},
			{"record topic newline", func() error {
				_, err := st.SaveRecord(ctx, e.ID, occ, org, "讲座\n第二行", "", sh, after)
				return err
			}},
			{"record summary", func() error {
				_, err := st.SaveRecord(ctx, e.ID, occ, org, "讲座", "二十人\x00到场", sh, after)
				return err
			}},
		} {
			if err := c.do(); !errors.Is(err, models.ErrBadText) {
				t.Errorf("%s: err = %v, want ErrBadText", c.name, err)
			}
		}
		sameRows(t, "refused text", before, snapshot(t, st))
	})
}

// TestImportRefusesControlCharacters: rows that reach the store with a
// name, branch or tag that models.ValidText refuses (the parser refuses
// them first) are reported with their line and column, and the import
// writes nothing, on both databases.
func TestImportRefusesControlCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		mustAdd(t, st, store.NewMember{Name: "王芳", Phone: "13800000001", Branch: "东城镇"})
		rows := []roster.Row{
			{Line: 2, Name: "李四", Phone: "+8613800000002", Branch: "东城镇"},
			{Line: 3, Name: "坏\x00人", Phone: "+8613800000003", Branch: "东城镇"},
			{Line: 4, Name: "王芳", Phone: "+8613800000001", Branch: "东城镇/新\x1b村"},
			{Line: 5, Name: "赵六", Phone: "+8613800000004", Tags: []string{"volunteer", "a\u202eb"}},
		}
		before := snapshot(t, st)
		rep, err := st.ImportRoster(ctx, rows, nil, store.ImportOptions{Scope: models.Scope{Admin: true}, Location: sh, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		want := []roster.Problem{{Line: 3, Column: roster.ColName, Reason: roster.BadText}, {Line: 4, Column: roster.ColBranch, Reason: roster.BadText},
			{Line: 5, Column: roster.ColTags, Reason: roster.BadText}}
		if !slices.Equal(rep.Problems, want) || rep.Applied() {
			t.Fatalf("problems %+v, applied %v; want %+v", rep.Problems, rep.Applied(), want)
		}
		sameRows(t, "a refused import", before, snapshot(t, st))
	})
}
