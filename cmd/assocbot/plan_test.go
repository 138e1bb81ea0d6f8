package main

import (
	"strings"
	"testing"
)

// TestPlanCommands: kinds listed and added (with every refusal a usage
// error), plans assigned to a branch (again: nothing new), a check recorded
// done by phone, the list.
func TestPlanCommands(t *testing.T) {
	db := t.TempDir() + "/p.db"
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_TZ": "Asia/Shanghai"}[k] }
	for i, who := range []string{"13800000001", "13800000002"} {
		if code, _, errOut := runCLI(t, env, "", "member", "add", "--name", "M"+string(rune('A'+i)), "--phone", who, "--branch", "Town/Village", "--new-branch"); code != 0 {
			t.Fatalf("member add: %s", errOut)
		}
	}
	if code, out, _ := runCLI(t, env, "", "plan", "kind", "list"); code != 0 || !strings.Contains(out, "quarterly_check") || !strings.Contains(out, "FREQ=WEEKLY;BYDAY=FR") {
		t.Fatalf("kind list: %d %q", code, out)
	}
	names := []string{"--name-zh-hans", "乳腺筛查", "--name-zh-hant", "乳腺篩查", "--name-en", "Breast screening"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{append([]string{"plan", "kind", "add", "--key", "Breast!", "--every", "12m"}, names...), "key"},
		{[]string{"plan", "kind", "add", "--key", "breast", "--every", "12m", "--name-en", "x"}, "a name in each"},
		{append([]string{"plan", "kind", "add", "--key", "breast", "--every", "12m", "--rrule", "FREQ=WEEKLY"}, names...), "not both"},
		{append([]string{"plan", "kind", "add", "--key", "breast", "--every", "12x"}, names...), "interval"},
		{append([]string{"plan", "kind", "add", "--key", "breast", "--every", "12m", "--offsets", "3,-7"}, names...), "ascending"},
		{append([]string{"plan", "kind", "add", "--key", "breast", "--every", "12m", "--for", "admin"}, names...), "member (a check) or duty"},
		{append([]string{"plan", "kind", "add", "--key", "quarterly_check", "--every", "3m"}, names...), "exists"},
		{[]string{"plan", "assign", "--kind", "nope", "--audience", "branch:Town"}, "no such kind"},
		{[]string{"plan", "assign", "--kind", "annual_check", "--audience", "people"}, "--audience"},
		{[]string{"plan", "assign", "--kind", "annual_check", "--audience", "branch:Town", "--first-due", "2020-01-01"}, "in the past"},
		{[]string{"plan", "done", "--phone", "x", "--kind", "annual_check"}, "--phone"},
		{[]string{"plan", "done", "--phone", "13800000001", "--kind", "annual_check", "--date", "2030-01-01"}, "--date"},
		{[]string{"plan"}, "plan needs"},
	} {
		code, _, errOut := runCLI(t, env, "", c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	if code, out, errOut := runCLI(t, env, "", append([]string{"plan", "kind", "add", "--key", "breast", "--every", "12m"}, names...)...); code != 0 || out != "kind breast added\n" {
		t.Fatalf("kind add: %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, env, "", "plan", "assign", "--kind", "breast", "--audience", "branch:Town", "--first-due", "2026-12-20"); code != 0 || out != "breast assigned to 2 (already had it: 0)\n" {
		t.Fatalf("assign: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, env, "", "plan", "assign", "--kind", "breast", "--audience", "branch:Town"); code != 0 || out != "breast assigned to 0 (already had it: 2)\n" {
		t.Fatalf("assign again: %d %q", code, out)
	}
	if code, out, errOut := runCLI(t, env, "", "plan", "done", "--phone", "13800000001", "--kind", "breast", "--date", "2026-11-20"); code != 0 || out != "MA: breast done on 2026-11-20; next due 2027-11-20\n" {
		t.Fatalf("done: %d %q %q", code, out, errOut)
	}
	code, out, _ := runCLI(t, env, "", "plan", "list")
	if code != 0 || !strings.Contains(out, "MA               breast               open       2027-11-20") || !strings.Contains(out, "MB               breast               open       2026-12-20") {
		t.Fatalf("list: %q", out)
	}
}
