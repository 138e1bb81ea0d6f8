package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanAssignUnknownBranch: a misspelt branch is bad input (exit 2)
// with the nearest names, not the store's "not found"; organizers:P, which
// the help offered and the store refused for duties, is said to be no
// audience of plan assign, and the help no longer offers it.
func TestPlanAssignUnknownBranch(t *testing.T) {
	db, env := cliDB(t)
	mustCLI(t, env, "member", "add", "--name", "王芳", "--phone", "13800000002", "--branch", "东城镇/李家村", "--new-branch")
	refused(t, db, env, []string{`there is no branch "东城真/李家村"`, "did you mean 东城镇/李家村?"},
		"plan", "assign", "--kind", "annual_check", "--audience", "branch:东城真/李家村")
	refused(t, db, env, []string{`there is no branch "Springfield"`, "branch list"}, "plan", "assign", "--kind", "weekly_report", "--audience", "branch:Springfield")
	refused(t, db, env, []string{"--audience", "organizers:东城镇"}, "plan", "assign", "--kind", "weekly_report", "--audience", "organizers:东城镇")
	refused(t, db, env, []string{`--kind "nope"`, "plan kind list"}, "plan", "assign", "--kind", "nope", "--audience", "branch:东城镇")
	if _, out, _ := runCLI(t, env, "", "plan", "assign", "--help"); strings.Contains(out, "organizers:") {
		t.Fatalf("the help offers organizers:\n%s", out)
	}
	if out := mustCLI(t, env, "plan", "assign", "--kind", "annual_check", "--audience", "branch:东城镇"); out != "annual_check assigned to 1 (already had it: 0)\n" {
		t.Fatalf("assign: %q", out)
	}
}

// TestCLIDatesAsTheImportReadsThem: every date the CLI reads is read as
// the import reads a spreadsheet's (2026/12/20, 2026年12月20日, 2026.12.20);
// a day that does not exist is a bad date, not a bad format; a time is
// still "YYYY-MM-DD HH:MM" with the date in any of those forms.
func TestCLIDatesAsTheImportReadsThem(t *testing.T) {
	db, env := cliDB(t)
	mustCLI(t, env, "member", "add", "--name", "王芳", "--phone", "13800000002", "--branch", "东城镇", "--new-branch")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "assign", "--kind", "annual_check", "--audience", "branch:东城镇", "--first-due", "2026/12/20"}, "annual_check assigned to 1 (already had it: 0)\n"},
		{[]string{"plan", "assign", "--kind", "quarterly_check", "--audience", "branch:东城镇", "--first-due", "2027年1月5日"}, "quarterly_check assigned to 1 (already had it: 0)\n"},
		{[]string{"plan", "done", "--phone", "13800000002", "--kind", "annual_check", "--date", "2026/11/20"}, "王芳: annual_check done on 2026-11-20; next due 2027-11-20\n"},
		{[]string{"plan", "done", "--phone", "13800000002", "--kind", "quarterly_check", "--date", "2026.11.2"}, "王芳: quarterly_check done on 2026-11-02; next due 2027-02-02\n"},
	} {
		if out := mustCLI(t, env, c.args...); out != c.want {
			t.Errorf("%v: %q, want %q", c.args, out, c.want)
		}
	}
	if out := mustCLI(t, env, "event", "add", "--kind", "meeting", "--title", "例会", "--start", "2026/12/20 09:30", "--end", "2026年12月20日 11:00",
		"--rsvp-deadline", "2026/12/19 18:00", "--audience", "branch:东城镇"); !strings.Contains(out, "next 2026-12-20 09:30 CST") {
		t.Fatalf("event add: %q", out)
	}
	if out := mustCLI(t, env, "event", "list"); !strings.Contains(out, "2026-12-20 09:30") {
		t.Fatalf("event list: %q", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "assign", "--kind", "annual_check", "--audience", "branch:东城镇", "--first-due", "2027-02-30"}, "--first-due 2027-02-30 is a bad date"},
		{[]string{"plan", "assign", "--kind", "annual_check", "--audience", "branch:东城镇", "--first-due", "2027/13/01"}, "--first-due 2027/13/01 is a bad date"},
		{[]string{"plan", "assign", "--kind", "annual_check", "--audience", "branch:东城镇", "--first-due", "next week"}, "want a date, e.g. 2026-12-20"},
		{[]string{"plan", "done", "--phone", "13800000002", "--kind", "annual_check", "--date", "2026-02-29"}, "--date 2026-02-29 is a bad date"},
		{[]string{"plan", "done", "--phone", "13800000002", "--kind", "annual_check", "--date", "2030/01/01"}, "--date 2030/01/01 is in the future"},
		{[]string{"plan", "done", "--phone", "13800000002", "--kind", "weekly_report"}, `--kind "weekly_report": 王芳 has no plan of that kind; theirs: `},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "2027-02-30 09:30"}, "--start 2027-02-30 09:30 is a bad date"},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "2027-03-01 25:30"}, `want "YYYY-MM-DD HH:MM"`},
		{[]string{"broadcast", "--audience", "all", "--text", "停水", "--at", "2026/11/31 09:00"}, "--at 2026/11/31 09:00 is a bad date"},
	} {
		refused(t, db, env, []string{c.want}, c.args...)
	}
}

// TestImportDryRunNamesNewBranches: a dry run lists the branches the
// import would create, in the report's language, so that a misspelt one
// is seen before anything is written.
func TestImportDryRunNamesNewBranches(t *testing.T) {
	db, env := cliDB(t)
	mustCLI(t, env, "member", "add", "--name", "王芳", "--phone", "13800000002", "--branch", "东城镇/李家村", "--new-branch")
	file := filepath.Join(t.TempDir(), "members.csv")
	if err := os.WriteFile(file, []byte("姓名,手机,分会\n李四,13800000003,东城镇/李家村\n赵六,13800000004,东成镇/李家村\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := everyRow(t, db)
	for lang, want := range map[string]string{
		"en":      "\nBranches it would create: 东成镇, 东成镇/李家村\n",
		"zh-Hans": "\n将新建的分会：东成镇、东成镇/李家村\n",
		"zh-Hant": "\n將新建的分會：东成镇、东成镇/李家村\n",
	} {
		if out := mustCLI(t, env, "import", file, "--dry-run", "--lang", lang); !strings.HasSuffix(out, want) {
			t.Errorf("dry run in %s: %q, want it to end %q", lang, out, want)
		}
	}
	sameRowsAs(t, "a dry run", before, everyRow(t, db))
}

// TestExportToAPlaceThatCannotBeWritten: -o in a folder that does not
// exist is bad input (exit 2), not a failure of the system.
func TestExportToAPlaceThatCannotBeWritten(t *testing.T) {
	db, env := cliDB(t)
	refused(t, db, env, []string{"-o", "cannot write it"}, "export", "members", "-o", filepath.Join(t.TempDir(), "no", "such", "folder", "m.xlsx"))
}
