package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/xuri/excelize/v2"
)

// TestCLIVisitsAndFamilies: a household and a birth set by member edit
// plan the newborn visits; visit kind list, assign (once, followup,
// care), list (--overdue, --branch) and done; bad input answered in a
// line, exit 2; households and family facts go out in the members export
// and come back in by import unchanged.
func TestCLIVisitsAndFamilies(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	vars := map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_LANG": "en"}
	getenv := func(k string) string { return vars[k] }
	must := func(args ...string) string { t.Helper(); return mustCLI(t, getenv, args...) }
	must("member", "add", "--name", "王芳", "--phone", "13800000001", "--branch", "东城镇/李家村", "--new-branch")
	must("member", "add", "--name", "中心户", "--phone", "13800000002", "--branch", "东城镇/李家村")
	must("member", "add", "--name", "李家", "--phone", "13800000003", "--branch", "东城镇/王庄村", "--new-branch")
	out := must("member", "edit", "13800000001", "--household", "0012", "--centre", "13800000002", "--birth", "2026-11-20")
	if !strings.Contains(out, "planned visit 1: newborn, 2026-11-20 to 2026-11-27") || !strings.Contains(out, "planned visit 2: newborn, 2026-12-15 to 2026-12-21") {
		t.Fatalf("member edit: %q", out)
	}
	if out := must("branch", "set", "东城镇/王庄村", "--care-june", "yes"); out != "branch 东城镇/王庄村 visits its families in difficulty before 六一 too\n" {
		t.Fatalf("branch set: %q", out)
	}
	if code, _, errOut := runCLI(t, getenv, "", "branch", "set", "东城镇/王庄村", "--care-june", "maybe"); code != 2 || !strings.Contains(errOut, "yes or no") {
		t.Fatalf("branch set maybe: %d %q", code, errOut)
	}
	if out := must("visit", "kind", "list"); !strings.Contains(out, "newborn") || !strings.Contains(out, "新生儿访视") || !strings.Contains(out, "followup") {
		t.Fatalf("kinds: %q", out)
	}
	if out := must("visit", "assign", "--kind", "once", "--family", "13800000003", "--due", "2026-11-30"); !strings.HasPrefix(out, "visit 3: once to 李家, 2026-11-23 to 2026-11-30") {
		t.Fatalf("assign once: %q", out)
	}
	if out := must("visit", "assign", "--kind", "followup", "--family", "13800000003", "--every", "3", "--due", "2026-12-10"); !strings.HasPrefix(out, "visit 4: followup") {
		t.Fatalf("assign followup: %q", out)
	}
	must("member", "edit", "13800000001", "--tags", "育龄")
	must("member", "edit", "13800000003", "--tags", "育龄")
	if out := must("visit", "assign", "--kind", "followup", "--tag", "育龄", "--every", "3", "--due", "2026-12-20"); strings.Count(out, "followup to") != 2 {
		t.Fatalf("follow-ups by tag: %q", out)
	}
	if out := must("visit", "assign", "--kind", "followup", "--tag", "育龄", "--every", "3", "--due", "2026-12-20"); out != "2 had this visit already\n" {
		t.Fatalf("follow-ups by tag again: %q", out)
	}
	if out := must("visit", "assign", "--kind", "care", "--family", "13800000003"); !strings.Contains(out, "care to 李家, 2027-01-09 to 2027-02-05") {
		t.Fatalf("assign care: %q", out)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"visit", "assign", "--kind", "visit", "--family", "13800000003"}, `--kind "visit"`},
		{[]string{"visit", "assign", "--kind", "once", "--family", "13800000003"}, "needs --due"},
		{[]string{"visit", "assign", "--kind", "once", "--family", "13800000003", "--due", "2026-11-01"}, "not in the past"},
		{[]string{"visit", "assign", "--kind", "once", "--family", "13800000009", "--due", "2026-12-01"}, "no member has this phone"},
		{[]string{"visit", "assign", "--kind", "followup", "--family", "13800000003"}, "--every N"},
		{[]string{"visit", "assign", "--kind", "once", "--family", "13800000003", "--due", "2026-11-30"}, "has this once visit already"},
		{[]string{"visit", "done", "99"}, "no visit 99"},
		{[]string{"visit", "done", "2"}, "have not begun"},
		{[]string{"visit", "list", "--branch", "东城镇/李家庄"}, "no such branch"},
		{[]string{"member", "edit", "13800000001", "--birth", "2027-01-01"}, "in the future"},
		{[]string{"member", "edit", "13800000001", "--expected", "2027-13"}, "a month, YYYY-MM"},
		{[]string{"member", "edit", "13800000001", "--centre", "13800000001"}, "its own centre household"},
		{[]string{"member", "edit", "13800000001", "--difficulty", "maybe"}, "yes or no"},
		{[]string{"visit", "asign"}, "did you mean assign?"},
		{[]string{"visit", "assign", "--kind", "once", "--family", "13800000003", "--to", "13800000002", "--due", "2026-12-01"}, "not on Telegram"},
		{[]string{"visit", "cancel", "x"}, "not a visit id"},
		{[]string{"visit", "assign", "--kind", "once", "--family", "13800000003", "--tag", "育龄", "--due", "2026-12-01"}, "one of them"},
		{[]string{"visit", "assign", "--kind", "followup", "--tag", "nobody", "--every", "3"}, "no member has this tag"},
	} {
		code, _, errOut := runCLI(t, getenv, "", bad.args...)
		if code != 2 || !strings.Contains(errOut, bad.want) {
			t.Errorf("%v: exit %d %q, want %q", bad.args, code, errOut, bad.want)
		}
	}
	if out := must("visit", "done", "1", "--gave", "大米 1 袋", "--note", "母子平安"); out != "visit 1 done: 王芳, 2026-11-23\n" {
		t.Fatalf("done: %q", out)
	}
	list := must("visit", "list", "--all", "--branch", "东城镇/李家村")
	if !strings.Contains(list, "1: newborn, 王芳 (东城镇/李家村, household 0012), 2026-11-20 to 2026-11-27, by the branch's organizers: done 2026-11-23; gave 大米 1 袋; 母子平安") ||
		strings.Contains(list, "李家") && strings.Contains(list, "王庄村") {
		t.Fatalf("list: %q", list)
	}
	if out := must("visit", "cancel", "3"); out != "visit 3 cancelled\n" {
		t.Fatalf("cancel: %q", out)
	}
	if code, _, errOut := runCLI(t, getenv, "", "visit", "cancel", "3"); code != 2 || !strings.Contains(errOut, "cancelled already") {
		t.Fatalf("cancel again: %d %q", code, errOut)
	}
	if out := must("visit", "list", "--overdue"); out != "no visit\n" {
		t.Fatalf("overdue: %q", out)
	}
	// The members export carries the households; imported back, nothing changes.
	must("member", "edit", "13800000003", "--difficulty", "yes", "--expected", "2027-03")
	csv := filepath.Join(dir, "m.csv")
	must("export", "members", "--format", "csv", "--lang", "en", "-o", csv)
	raw, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, want := range []string{"household,centre,birth,expected,difficulty", "0012,138 0000 0002,2026-11-20,,", "2027-03,yes"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the export lacks %q:\n%s", want, text)
		}
	}
	before := must("visit", "list", "--all")
	if out := must("import", csv); !strings.Contains(out, "unchanged") {
		t.Fatalf("import back: %q", out)
	}
	if after := must("visit", "list", "--all"); after != before {
		t.Fatalf("importing the export changed the visits:\n%s\nwas\n%s", after, before)
	}
	must("export", "members", "--format", "csv", "--lang", "en", "-o", csv+"2")
	again, _ := os.ReadFile(csv + "2")
	if string(again) != text {
		t.Fatalf("the export after import differs:\n%s\nwas\n%s", again, text)
	}
	// A file with a new family: its birth plans its visits, an unknown
	// centre household is refused with its line.
	in := filepath.Join(dir, "new.csv")
	os.WriteFile(in, []byte("name,phone,branch,household,centre,birth\n新户,13800000004,东城镇/李家村,0013,13800000002,2026-11-22\n错户,13800000005,东城镇/李家村,0014,13800000099,\n"), 0o644)
	code, report, _ := runCLI(t, getenv, "", "import", in)
	if code == 0 || !strings.Contains(report, "Row 3, centre: the centre household 138 0000 0099 is not on the roster nor in the file") {
		t.Fatalf("unknown centre: exit %d %q", code, report)
	}
	os.WriteFile(in, []byte("name,phone,branch,household,centre,birth\n新户,13800000004,东城镇/李家村,0013,13800000002,2026-11-22\n"), 0o644)
	must("import", in)
	if out := must("visit", "list"); !strings.Contains(out, "newborn, 新户 (东城镇/李家村, household 0013), 2026-11-22 to 2026-11-29, by the branch's organizers") {
		t.Fatalf("the imported birth's visits: %q", out)
	}
}

// TestCLIOneOffDuty: plan assign --once --due gives a one-off duty; without
// its date it is refused.
func TestCLIOneOffDuty(t *testing.T) {
	db := filepath.Join(t.TempDir(), "o.db")
	getenv := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	must := func(args ...string) string { t.Helper(); return mustCLI(t, getenv, args...) }
	must("member", "add", "--name", "组长", "--phone", "13900000000", "--branch", "东城镇", "--new-branch", "--role", "organizer")
	must("plan", "kind", "add", "--key", "selfcheck", "--for", "duty", "--name-zh-hans", "自查", "--name-zh-hant", "自查", "--name-en", "Self-check", "--every", "12m")
	if out := must("plan", "assign", "--kind", "selfcheck", "--audience", "branch:东城镇", "--once", "--due", "2026-12-10"); out != "selfcheck (once, due 2026-12-10) assigned to 1 (already had it: 0)\n" {
		t.Fatalf("assign once: %q", out)
	}
	if out := must("plan", "assign", "--kind", "selfcheck", "--audience", "branch:东城镇", "--once", "--due", "2026-12-10"); !strings.Contains(out, "assigned to 0 (already had it: 1)") {
		t.Fatalf("again: %q", out)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "assign", "--kind", "selfcheck", "--audience", "branch:东城镇", "--once"}, "--once --due YYYY-MM-DD"},
		{[]string{"plan", "assign", "--kind", "selfcheck", "--audience", "branch:东城镇", "--once", "--due", "2026-12-10", "--first-due", "2026-12-11"}, "give one"},
		{[]string{"plan", "assign", "--kind", "selfcheck", "--audience", "branch:东城镇", "--once", "--due", "2026-11-01"}, "in the past"},
	} {
		code, _, errOut := runCLI(t, getenv, "", bad.args...)
		if code != 2 || !strings.Contains(errOut, bad.want) {
			t.Errorf("%v: exit %d %q, want %q", bad.args, code, errOut, bad.want)
		}
	}
}

// TestCLIReportFigures: a kind with figures made by plan kind add
// --figures (a bad list refused), two branches report, and report figures
// totals them as text and as XLSX (read back), naming the branch that did
// not report.
func TestCLIReportFigures(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "f.db")
	getenv := func(k string) string { return map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_LANG": "en"}[k] }
	must := func(args ...string) string { t.Helper(); return mustCLI(t, getenv, args...) }
	for i, b := range []string{"东城镇/甲村", "东城镇/乙村", "东城镇/丙村"} {
		must("member", "add", "--name", "组长"+string(rune('A'+i)), "--phone", "1390000000"+string(rune('1'+i)), "--branch", b, "--new-branch", "--role", "organizer")
	}
	code, _, errOut := runCLI(t, getenv, "", "plan", "kind", "add", "--key", "monthly", "--for", "duty", "--name-zh-hans", "月报", "--name-zh-hant", "月報",
		"--name-en", "Monthly report", "--rrule", "FREQ=MONTHLY;BYMONTHDAY=-1", "--figures", "in:流入")
	if code != 2 || !strings.Contains(errOut, "KEY:名称:name:名稱") {
		t.Fatalf("a bad --figures: exit %d %q", code, errOut)
	}
	must("plan", "kind", "add", "--key", "monthly", "--for", "duty", "--name-zh-hans", "月报", "--name-zh-hant", "月報", "--name-en", "Monthly report",
		"--rrule", "FREQ=MONTHLY;BYMONTHDAY=-1", "--offsets", "-3,0", "--figures", "in:流入:moved in:流入,out:流出:moved out:流出")
	must("plan", "assign", "--kind", "monthly", "--audience", "branch:东城镇")
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for phone, v := range map[string][2]int{"13900000001": {4, 1}, "13900000002": {2, 3}} {
		m, _ := st.MemberByPhone(context.Background(), phone)
		ps, _ := st.PlansOf(context.Background(), m.ID)
		if _, err := st.SubmitFigures(context.Background(), ps[0].ID, ps[0].Cycle, m, map[string]int{"in": v[0], "out": v[1]}, bottest.Shanghai, testClock()); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	text := must("report", "figures", "--kind", "monthly", "--period", "2026-11")
	for _, want := range []string{"Monthly report, 2026-11", "东城镇/甲村: moved in 4 (0), moved out 1 (0)", "All: moved in 6 (0), moved out 4 (0)", "Not reported: 东城镇/丙村"} {
		if !strings.Contains(text, want) {
			t.Fatalf("report figures lacks %q:\n%s", want, text)
		}
	}
	xlsx := filepath.Join(dir, "f.xlsx")
	must("report", "figures", "--kind", "monthly", "--period", "2026-11", "--format", "xlsx", "-o", xlsx, "--lang", "zh-Hans")
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) != 4 || rows[0][1] != "流入 2026-11" || rows[1][0] != "东城镇/乙村" || rows[1][1] != "2" || rows[3][0] != "东城镇/丙村 (未上报)" {
		t.Fatalf("the XLSX: %v", rows)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "figures"}, "needs --kind"},
		{[]string{"report", "figures", "--kind", "monthly", "--period", "2026-13"}, "a month (2026-12) or a quarter"},
		{[]string{"report", "figures", "--kind", "weekly_report"}, "asks for no figures"},
		{[]string{"report", "figurs"}, "did you mean figures?"},
	} {
		code, _, errOut := runCLI(t, getenv, "", bad.args...)
		if code != 2 || !strings.Contains(errOut, bad.want) {
			t.Errorf("%v: exit %d %q, want %q", bad.args, code, errOut, bad.want)
		}
	}
}
