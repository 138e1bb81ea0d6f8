package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/roster/rostertest"
)

// TestImportHostileFilesBoundedRSS runs `assocbot import --dry-run` (the
// built binary) on each file of the attack run: each is refused with what
// is wrong (exit 1), and the process's peak RSS stays under 150 MB for the
// wide XLSX and under 200 MB for the rest.
func TestImportHostileFilesBoundedRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("writes files of 50 MB")
	}
	bin := buildAssocbot(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	wide, err := rostertest.WideXLSX(20000)
	if err != nil {
		t.Fatal(err)
	}
	bomb, err := rostertest.BombXLSX(200 << 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name    string
		data    []byte
		want    string
		maxRSSM int64
	}{
		{"wide.xlsx", wide, "Row 2 has data in column XFD", 150},
		{"bomb.xlsx", bomb, "unpacks to more than 128 MB", 200},
		{"lines.csv", rostertest.LinesCSV(50 << 20), "larger than 20 MB", 200},
		{"commas.csv", rostertest.CommasCSV(50 << 20), "larger than 20 MB", 200},
		{"lines19.csv", rostertest.LinesCSV(19 << 20), "More than 1000 rows have problems", 200},
		{"commas19.csv", rostertest.CommasCSV(19 << 20), "Line 1 is longer than 64 KB", 200},
		{"junk.csv", rostertest.JunkFile(1 << 20), "not a CSV or XLSX file", 200},
		{"mixed.csv", rostertest.MixedCSV(), "Mixed encodings on line 3", 200},
	} {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "import", "--dry-run", "--db", db, path)
		cmd.Env = []string{"HOME=" + dir}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		rss, err := peakRSS(cmd)
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(out.String(), f.want) {
			t.Fatalf("%s: exit %d (%v), output %.300q; want 2 and %q", f.name, code, err, out.String(), f.want)
		}
		t.Logf("%s (%d KB): peak RSS %d MB", f.name, len(f.data)>>10, rss)
		if rss >= f.maxRSSM {
			t.Errorf("%s: peak RSS %d MB, want under %d", f.name, rss, f.maxRSSM)
		}
		os.Remove(path)
	}
}

// peakRSS waits for a started command and returns the high-water mark of
// its resident memory in MB, read from /proc while it runs. (The rusage
// of a child that Go started reports the test process's own peak: Linux
// keeps the larger mark of the memory it was cloned from across exec.)
func peakRSS(cmd *exec.Cmd) (int64, error) {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var peakKB int64
	for {
		if b, err := os.ReadFile(status); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					peakKB = max(peakKB, kb)
				}
			}
		}
		select {
		case err := <-done:
			return peakKB >> 10, err
		case <-time.After(2 * time.Millisecond):
		}
	}
}
