package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestCopyListsEveryTable: a table added to the schema but not to the copy
// would be left behind by the move to PostgreSQL.
func TestCopyListsEveryTable(t *testing.T) {
	st, _ := storetest.New(t)
	schema, err := st.SchemaForTest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, tb := range store.CopyTables() {
		listed[tb] = true
		if _, ok := schema[tb]; !ok {
			t.Errorf("copy lists %s, which the schema does not have", tb)
		}
	}
	for _, tb := range store.NotCopiedTables() {
		listed[tb] = true
	}
	for tb := range schema {
		if !listed[tb] {
			t.Errorf("table %s is not copied", tb)
		}
	}
}

// populate fills every table of a SQLite database through the store, as a
// season of use would.
func populate(t *testing.T, st *store.Store) {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, sh)
	org := mustAdd(t, st, store.NewMember{Name: "李主任", Phone: "13900000001", Branch: "东城镇", Role: models.RoleOrganizer, Lang: "zh-Hans"})
	var ms []*models.Member
	for i := 0; i < 30; i++ {
		ms = append(ms, mustAdd(t, st, store.NewMember{Name: fmt.Sprintf("会员%02d", i), Phone: fmt.Sprintf("1380000%04d", i),
			Branch: "东城镇/李家村", Tags: []string{"volunteer"}}))
	}
	if _, err := st.LinkByPhone(ctx, "+8613800000000", 5001, 5001); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateInvite(ctx, ms[1].ID, 24*time.Hour, now); err != nil {
		t.Fatal(err)
	}
	if err := st.RememberVisitorPhone(ctx, 777, "+8613811112222"); err != nil {
		t.Fatal(err)
	}
	b, _ := st.BranchByPath(ctx, "东城镇")
	if _, _, err := st.CreateJoinRequest(ctx, models.JoinRequest{TelegramID: 777, ChatID: 777, Name: "新人", Lang: "zh-Hans", BranchID: b.ID}, "", now); err != nil {
		t.Fatal(err)
	}
	occ := time.Date(2026, 11, 22, 9, 30, 0, 0, sh)
	e := &models.Event{Kind: models.EventActivityDay, Title: "季度活动", Location: "村委会", StartAt: occ.UTC(), DurationMin: 90,
		Audience: "branch:东城镇", RSVP: true, AllowGuests: true, CreatedBy: &org.ID}
	if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
		t.Fatal(err)
	}
	for i, m := range ms[:10] {
		ans := models.AnswerYes
		if i%3 == 1 {
			ans = models.AnswerNo
		}
		if _, err := st.SetRSVP(ctx, e.ID, occ, m, ans, i%2, sh, now); err != nil {
			t.Fatal(err)
		}
	}
	after := occ.Add(2 * time.Hour)
	if err := st.SetCheckIn(ctx, e.ID, occ, ms[0].ID, true, org, sh, after); err != nil {
		t.Fatal(err)
	}
	dayAfter := occ.Add(20 * time.Hour)
	if n, err := st.OpenEventSurvey(ctx, planner.EventSurvey(e, occ), dayAfter); err != nil || n != 1 {
		t.Fatalf("the day-after survey: %d %v", n, err)
	}
	if sv, err := st.EventSurvey(ctx, e.ID, occ); err != nil {
		t.Fatal(err)
	} else if _, err := st.AnswerSurvey(ctx, sv.ID, ms[0], 1, 1, "", dayAfter); err != nil {
		t.Fatal(err)
	}
	commented := &models.Survey{Title: "意见", Audience: "branch:东城镇", Questions: []models.SurveyQuestion{{Kind: models.QuestionYesNo, Text: "满意吗？", Comment: true}}}
	if _, err := st.CreateSurvey(ctx, commented, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AnswerSurvey(ctx, commented.ID, ms[1], 1, 1, "", now); err != nil {
		t.Fatal(err)
	}
	if err := st.CommentSurvey(ctx, commented.ID, ms[1], 1, "希望多办", now); err != nil {
		t.Fatal(err)
	}
	fk := &models.PlanKind{Key: "monthly_figures", For: models.ForDuty, NameZhHans: "月报", NameZhHant: "月報", NameEn: "Monthly",
		RRule: "FREQ=MONTHLY;BYMONTHDAY=-1", Offsets: "-3,0", Figures: "in:流入:moved in:流入"}
	if err := st.AddPlanKind(ctx, fk); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AssignPlans(ctx, fk, models.BranchAudience("东城镇"), nil, nil, sh, now); err != nil {
		t.Fatal(err)
	}
	for _, p := range mustPlans(t, st, org.ID) {
		if p.Kind.Key == "monthly_figures" {
			if _, err := st.SubmitFigures(ctx, p.ID, p.Cycle, org, map[string]int{"in": 3}, sh, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	born := models.DayOf(now, sh).AddDate(0, 0, -2)
	if visits, err := st.SetFamily(ctx, &models.Family{MemberID: ms[2].ID, Household: "0007", CentreID: &ms[3].ID, BirthOn: &born, Difficulty: true}, &org.ID, sh, now); err != nil || len(visits) == 0 {
		t.Fatalf("family: %v %v", visits, err)
	}
	if _, err := st.SaveRecord(ctx, e.ID, occ, org, "健康讲座", "二十人到场", sh, after); err != nil {
		t.Fatal(err)
	}
	// A recurring notice with a date planned, a question, a frequent one.
	notice := &models.Notice{Audience: "branch:东城镇", RRule: "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=20", AtMinute: 9 * 60, CreatedBy: &org.ID}
	notice.SetTexts(map[string]string{"zh-Hans": "会员日", "en": "Member day"})
	if err := st.AddNotice(ctx, notice, sh, now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if planned, err := st.PlanNotices(ctx, sh, now); err != nil || len(planned) != 1 {
		t.Fatalf("notice planned %v %v", planned, err)
	}
	if _, err := st.DraftInquiry(ctx, ms[2], "孕前检查在哪里做？", now); err != nil {
		t.Fatal(err)
	}
	if err := st.AddFAQ(ctx, &models.FAQ{Lang: "zh-Hans", Question: "孕前检查在哪里做？", Answer: "镇卫生院", Keywords: "孕前检查"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, Audience: models.BranchAudience("东城镇"), Text: "通知：周六体检", SendAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveDialog(ctx, &models.Dialog{TelegramID: 5001, Kind: "notice", Step: "text", Data: `{"a":1}`, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	k, err := st.PlanKindByKey(ctx, "annual_check")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := st.AssignPlans(ctx, k, models.BranchAudience("东城镇"), &due, &org.ID, sh, now); err != nil {
		t.Fatal(err)
	}
	plans, err := st.PlansOf(ctx, ms[2].ID)
	if err != nil || len(plans) == 0 {
		t.Fatalf("plans of a member: %v %v", plans, err)
	}
	if _, _, err := st.RecordCheck(ctx, plans[0].ID, plans[0].Cycle, models.Scope{Paths: []string{"东城镇"}}, org, nil, sh, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakeUpdate(ctx, 91, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	// SMS: a template, a month's count, a callback handled.
	if err := st.SetSMSTemplate(ctx, "broadcast", "zh-Hans", "1400001", "text,branch"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.TakeSMS(ctx, "2026-11", 100, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FirstCallback(ctx, "tencent:+8613800000005:1:ab", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDelivery(ctx, "2433:900001", true, now); err != nil { // before its send is recorded
		t.Fatal(err)
	}
	// A survey, answered.
	sv := &models.Survey{Title: "满意度调查", Audience: "branch:东城镇", Questions: []models.SurveyQuestion{
		{Kind: models.QuestionSatisfaction, Text: "您对本季度活动满意吗？"}, {Kind: models.QuestionChoice, Text: "哪天合适？", Options: "周六|周日"}}}
	if _, err := st.CreateSurvey(ctx, sv, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AnswerSurvey(ctx, sv.ID, ms[0], 1, 2, "", now); err != nil {
		t.Fatal(err)
	}
}

func dump(t *testing.T, st *store.Store, table string) []string {
	t.Helper()
	rows, err := st.RowsForTest(ctx, table)
	if err != nil {
		t.Fatalf("rows of %s: %v", table, err)
	}
	return rows
}

// TestCopyToPostgresKeepsEveryRow: every row of every table of a populated
// SQLite database arrives in PostgreSQL unchanged, and the copy then works
// as a database of its own (its ids go on after the copied ones).
func TestCopyToPostgresKeepsEveryRow(t *testing.T) {
	pg, _ := storetest.NewPostgres(t)
	lite, _ := storetest.New(t)
	populate(t, lite)
	for _, table := range store.CopyTables() {
		if n, _ := lite.CountForTest(ctx, table); n == 0 {
			t.Errorf("the populated database has no %s: the test would not see them lost", table)
		}
	}
	rep, err := lite.CopyTo(ctx, pg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range store.CopyTables() {
		a, _ := lite.CountForTest(ctx, table)
		if rep.Rows[table] != a {
			t.Errorf("%s: report says %d rows copied, the source has %d", table, rep.Rows[table], a)
		}
		want, got := dump(t, lite, table), dump(t, pg, table)
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("%s differs after the copy:\nSQLite:\n%s\nPostgreSQL:\n%s", table, strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	}
	// The copy is a working database: a new member gets the next id, and the
	// copied members can be found.
	m := mustAdd(t, pg, store.NewMember{Name: "新会员", Phone: "13700000000", Branch: "东城镇"})
	if n, _ := lite.CountForTest(ctx, "members"); int(m.ID) != n+1 {
		t.Fatalf("a member added after the copy has id %d, want %d", m.ID, n+1)
	}
	if got, err := pg.MemberByTelegramID(ctx, 5001); err != nil || got.Name != "会员00" {
		t.Fatalf("a linked member after the copy: %+v %v", got, err)
	}
	// A second copy into the same database is refused and changes nothing.
	before, _ := pg.CountForTest(ctx, "members")
	if _, err := lite.CopyTo(ctx, pg, nil); !errors.Is(err, store.ErrTargetNotEmpty) {
		t.Fatalf("copy into a populated database: %v", err)
	}
	if after, _ := pg.CountForTest(ctx, "members"); after != before {
		t.Fatalf("refused copy changed members: %d → %d", before, after)
	}
}

// counts is the row count of every copied table.
func counts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range store.CopyTables() {
		n, err := st.CountForTest(ctx, table)
		if err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

func sameCounts(t *testing.T, before, after map[string]int) {
	t.Helper()
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %d rows before the copy, %d after", table, n, after[table])
		}
	}
}

// TestCopyRefusesATargetWithAnyRow: a target with one row in any copied
// table, not only members, branches or events, is refused by name, and
// nothing of the source arrives (the seeded kinds of plan stay too).
func TestCopyRefusesATargetWithAnyRow(t *testing.T) {
	lite, _ := storetest.New(t)
	populate(t, lite)
	for _, c := range []struct {
		table string
		put   func(pg *store.Store) error
	}{
		{"seen_updates", func(pg *store.Store) error {
			_, err := pg.TakeUpdate(ctx, 12345, time.Now(), time.Minute)
			return err
		}},
		{"dialogs", func(pg *store.Store) error {
			return pg.SaveDialog(ctx, &models.Dialog{TelegramID: 42, Kind: "notice", Step: "text", Data: "{}", UpdatedAt: time.Now()})
		}},
	} {
		t.Run(c.table, func(t *testing.T) {
			pg, _ := storetest.NewPostgres(t)
			if err := c.put(pg); err != nil {
				t.Fatal(err)
			}
			before := counts(t, pg)
			if before[c.table] != 1 || before["plan_kinds"] == 0 {
				t.Fatalf("the target before the copy: %v", before)
			}
			_, err := lite.CopyTo(ctx, pg, nil)
			var full *store.TargetNotEmptyError
			if !errors.Is(err, store.ErrTargetNotEmpty) || !errors.As(err, &full) ||
				len(full.Tables) != 1 || full.Tables[0] != c.table || full.Rows[c.table] != 1 {
				t.Fatalf("copy into a target with one %s row: %v", c.table, err)
			}
			if want := c.table + " (1 row)"; !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal %q does not say %q", err, want)
			}
			sameCounts(t, before, counts(t, pg))
		})
	}
}

// TestCopyRollsBackADifference: the source written to during the copy (a
// row added to a table already copied) fails the comparison, and the
// comparison comes before the commit: the target is left as it was.
func TestCopyRollsBackADifference(t *testing.T) {
	pg, _ := storetest.NewPostgres(t)
	lite, _ := storetest.New(t)
	populate(t, lite)
	before := counts(t, pg)
	_, err := lite.CopyTo(ctx, pg, func(table string, rows int) {
		if table == "seen_updates" {
			if _, err := lite.TakeUpdate(ctx, 92, time.Now(), time.Minute); err != nil {
				t.Error(err)
			}
		}
	})
	if err == nil || !strings.Contains(err.Error(), "seen_updates") {
		t.Fatalf("a copy whose source changed: %v", err)
	}
	sameCounts(t, before, counts(t, pg))
	// Nothing is left in the way of copying again.
	if _, err := lite.CopyTo(ctx, pg, nil); err != nil {
		t.Fatalf("the copy after a rolled-back one: %v", err)
	}
}

// TestCopyNamesANULByte: a name with a NUL byte, which SQLite kept from
// before names were checked, stops the copy with the table, row and
// column to change (PostgreSQL's own refusal names none of them), and
// the target is as it was.
func TestCopyNamesANULByte(t *testing.T) {
	pg, _ := storetest.NewPostgres(t)
	lite, _ := storetest.New(t)
	populate(t, lite)
	m := mustAdd(t, lite, store.NewMember{Name: "王芳", Phone: "13700000001", Branch: "东城镇"})
	if err := lite.ExecForTest(ctx, "UPDATE members SET name = ? WHERE id = ?", "王\x00芳", m.ID); err != nil {
		t.Fatal(err)
	}
	before := counts(t, pg)
	_, err := lite.CopyTo(ctx, pg, nil)
	if !errors.Is(err, store.ErrNULByte) || !strings.Contains(err.Error(), fmt.Sprintf("members row %d, column name", m.ID)) {
		t.Fatalf("copy of a NUL byte: %v", err)
	}
	sameCounts(t, before, counts(t, pg))
}

func mustPlans(t *testing.T, st *store.Store, memberID uint) []models.Plan {
	t.Helper()
	ps, err := st.PlansOf(ctx, memberID)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}
