package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCommandAnswersHelpAndABadArgument walks the command table (so
// that a command added to it is walked too) with the built binary: every
// command and group answers --help with its usage on stdout and exit 0,
// and `assocbot help CMD` the same; one bad argument (an unknown flag, or
// an unknown subcommand of a group) is exit 2 with one line saying what
// is wrong and one pointing to its --help, never the usage dump. Neither
// touches the database.
func TestEveryCommandAnswersHelpAndABadArgument(t *testing.T) {
	bin := buildAssocbot(t)
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "ASSOCBOT_DB=" + filepath.Join(dir, "never.db")}
	exe := func(args ...string) (code int, stdout, stderr string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("%v: %v", args, err)
			}
		}
		return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
	}

	walked := 0
	var walk func(c *command, path []string)
	walk = func(c *command, path []string) {
		walked++
		name := strings.TrimSpace("assocbot " + strings.Join(path, " "))
		code, out, errOut := exe(append(path, "--help")...)
		if code != 0 || errOut != "" || !strings.Contains(out, "Usage:\n") || !strings.Contains(out, "  "+name) {
			t.Errorf("%s --help: exit %d\nstdout: %q\nstderr: %q", name, code, out, errOut)
		}
		if len(path) > 0 {
			if code, viaHelp, _ := exe(append([]string{"help"}, path...)...); code != 0 || viaHelp != out {
				t.Errorf("assocbot help %s: exit %d, %q; want --help's %q", strings.Join(path, " "), code, viaHelp, out)
			}
		}
		bad := "--no-such-flag"
		if c.subs != nil {
			bad = "no-such-command"
		}
		see := "see `" + name + " --help`"
		if c.name == "help" {
			see = "see `assocbot --help`"
		}
		code, out, errOut = exe(append(path, bad)...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != 2 || out != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "assocbot: ") || !strings.Contains(lines[0], strings.TrimLeft(bad, "-")) || lines[1] != see {
			t.Errorf("%s %s: exit %d, want 2 with a line and %q\nstdout: %q\nstderr: %q", name, bad, code, see, out, errOut)
		}
		for _, s := range c.subs {
			walk(s, append(append([]string(nil), path...), s.name))
		}
	}
	walk(commands(), nil)
	if walked < 25 {
		t.Fatalf("walked %d commands: the table is not what this test thinks", walked)
	}
	if code, _, errOut := exe(); code != 2 || !strings.Contains(errOut, "Usage:") {
		t.Errorf("no command: exit %d %q", code, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--help or a bad argument wrote %v", entries)
	}
}
