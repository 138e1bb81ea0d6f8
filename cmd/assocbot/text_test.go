package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIRefusesControlCharacters runs the built binary: a member's name,
// branch or tag, an event's title, place or description and a notice
// holding ESC, BEL, a C1 control, a text-direction override or bytes that
// are not UTF-8 exit 2 naming the flag, and no row is written. (A NUL
// cannot be passed in an argument at all.) A description and a notice of
// several lines are taken.
func TestCLIRefusesControlCharacters(t *testing.T) {
	bin := buildAssocbot(t)
	db := filepath.Join(t.TempDir(), "t.db")
	run := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(cmd.Environ(), "ASSOCBOT_DB="+db, "ASSOCBOT_TZ=Asia/Shanghai")
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	if code, out := run("migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, out)
	}
	if code, out := run("member", "add", "--name", "王芳", "--phone", "13800000001", "--branch", "东城镇", "--new-branch"); code != 0 {
		t.Fatalf("a good member: %d %s", code, out)
	}
	before := tableCounts(t, db)
	event := func(flag, value string) []string {
		args := []string{"event", "add", "--kind", "meeting", "--title", "例会", "--start", "2026-12-07 09:30", "--audience", "branch:东城镇"}
		return append(args, "--"+flag, value)
	}
	for _, c := range []struct {
		flag string
		args []string
	}{
		{"--name", []string{"member", "add", "--name", "王\x1b[2J芳", "--phone", "13800000002"}},
		{"--name", []string{"member", "add", "--name", "Eve\u202eevE", "--phone", "13800000002"}},
		{"--name", []string{"member", "add", "--name", "王芳\n管理员", "--phone", "13800000002"}},
		{"--name", []string{"member", "add", "--name", "\xc4\xe3\xba\xc3", "--phone", "13800000002"}},
		{"--branch", []string{"member", "add", "--name", "李四", "--phone", "13800000002", "--branch", "东城镇/李\x07家村"}},
		{"--tags", []string{"member", "add", "--name", "李四", "--phone", "13800000002", "--tags", "volunteer,a\u0085b"}},
		{"--title", event("title", "例\x1b会")},
		{"--location", event("location", "二楼\u009b")},
		{"--description", event("description", "议程\x7f")},
		{"--text", []string{"broadcast", "--audience", "branch:东城镇", "--text", "停水\x1b通知"}},
	} {
		code, out := run(c.args...)
		if code != 2 || !strings.Contains(out, c.flag+" ") || !strings.Contains(out, "control character") {
			t.Errorf("%q: exit %d, %q; want 2 naming %s", c.args, code, out, c.flag)
		}
	}
	events := func() int {
		t.Helper()
		code, out := run("event", "list")
		if code != 0 {
			t.Fatalf("event list: %d %s", code, out)
		}
		return strings.Count(out, "\n") - 1 // the header
	}
	if after := tableCounts(t, db); !sameCounts(before, after) || events() != 0 {
		t.Fatalf("refused arguments wrote rows: %v → %v, %d events", before, after, events())
	}
	if code, out := run(event("description", "议程：\n一、总结\n二、安排")...); code != 0 || events() != 1 {
		t.Fatalf("a description of three lines: %d %s", code, out)
	}
}
