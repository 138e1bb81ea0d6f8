package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestCLIBranchesAndMembers: a new branch is said on its own line; the
// tree shows it; an event for a misspelt branch is refused with exit 2 and
// the nearest names; a notice that reaches nobody is refused; member list
// aligns Chinese columns; member remove marks a member as left;
// member --help and event --help exit 0.
func TestCLIBranchesAndMembers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_TZ": "Asia/Shanghai"}[k] }
	runCLI(t, env, "", "migrate")
	code, out, _ := runCLI(t, env, "", "member", "add", "--name", "王芳", "--phone", "13800000001", "--branch", "东城镇/李家村", "--new-branch")
	if code != 0 || !strings.HasPrefix(out, "new branch: 东城镇\nnew branch: 东城镇/李家村\n") {
		t.Fatalf("member add: %d %q", code, out)
	}
	code, out, _ = runCLI(t, env, "", "member", "add", "--name", "Li Wei", "--phone", "13800000002", "--branch", "东城镇/李家村")
	if code != 0 || strings.Contains(out, "new branch") {
		t.Fatalf("second member: %d %q", code, out)
	}
	if code, out, _ = runCLI(t, env, "", "branch", "list"); code != 0 || out != "东城镇 (0)\n  李家村 (2)\n" {
		t.Fatalf("branch list: %d %q", code, out)
	}
	code, _, errOut := runCLI(t, env, "", "event", "add", "--kind", "meeting", "--title", "例会", "--start", "2026-12-07 09:30", "--audience", "branch:东城真/李家村")
	if code != 2 || !strings.Contains(errOut, `there is no branch "东城真/李家村"; did you mean 东城镇/李家村`) {
		t.Fatalf("misspelt branch: %d %q", code, errOut)
	}
	code, _, errOut = runCLI(t, env, "", "broadcast", "--audience", "branch:东城镇", "--text", "停水")
	if code != 2 || !strings.Contains(errOut, "reaches nobody") {
		t.Fatalf("nobody reached: %d %q", code, errOut)
	}
	code, out, _ = runCLI(t, env, "", "member", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("member list: %d %q", code, out)
	}
	col := func(line, cell string) int { return runewidth.StringWidth(line[:strings.Index(line, cell)]) }
	if col(lines[1], "138 0000 0001") != col(lines[2], "138 0000 0002") || col(lines[0], "PHONE") != col(lines[1], "138 0000 0001") {
		t.Fatalf("columns not aligned:\n%s", out)
	}
	if code, out, _ = runCLI(t, env, "", "member", "remove", "138 0000 0002"); code != 0 || !strings.Contains(out, "Li Wei (138 0000 0002) has left") {
		t.Fatalf("member remove: %d %q", code, out)
	}
	if code, out, _ = runCLI(t, env, "", "branch", "list"); out != "东城镇 (0)\n  李家村 (1)\n" {
		t.Fatalf("after remove: %q", out)
	}
	if code, _, _ = runCLI(t, env, "", "member", "remove", "13900000009"); code != 2 {
		t.Fatalf("removing an unknown phone: exit %d", code)
	}
	for _, cmd := range []string{"member", "event", "branch"} {
		if code, out, _ := runCLI(t, env, "", cmd, "--help"); code != 0 || !strings.HasPrefix(out, "Usage:") {
			t.Fatalf("%s --help: %d %q", cmd, code, out)
		}
	}
}

func TestCLIBranchSeparators(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	runCLI(t, env, "", "migrate")
	for _, bad := range []string{`东城镇\李家村`, "东城镇／李家村", "东城镇//李家村", "东城镇|李家村"} {
		if code, _, errOut := runCLI(t, env, "", "member", "add", "--name", "X", "--phone", "13800000001", "--branch", bad); code != 2 {
			t.Fatalf("--branch %q: exit %d %q", bad, code, errOut)
		}
	}
	if code, out, _ := runCLI(t, env, "", "branch", "list"); code != 0 || out != "no branches yet\n" {
		t.Fatalf("branches made: %q", out)
	}
}

// TestCLIBadInputExitsTwo: input the user can fix is a bad argument (exit
// 2), said once, without the store's own prefixes.
func TestCLIBadInputExitsTwo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e.db")
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	runCLI(t, env, "", "migrate")
	for _, args := range [][]string{
		{"export", "event", "999", "-o", filepath.Join(t.TempDir(), "x.xlsx")},
		{"plan", "done", "--phone", "13800000001", "--kind", "annual_check"},
		{"invite", "13800000001"},
		{"import", "/nonexistent.csv"},
		{"member", "remove", "13800000001"},
	} {
		code, _, errOut := runCLI(t, env, "", args...)
		if code != 2 || strings.Count(errOut, "store:") > 0 {
			t.Errorf("%v: exit %d, %q", args, code, firstLine(errOut))
		}
	}
}
