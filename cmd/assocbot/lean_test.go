package main

import (
	"bufio"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/fakeapi"
)

// idleRSSBudget is what `assocbot run` may hold resident when idle on an
// empty database: a guard against growth, with room for machines with more
// CPUs (16 add about 1 MB). Issue 11 item 7 asks for 25 MB, which these
// libraries do not allow: see TestRunIdleMemory. It was 35 MB until the
// lunar calendar (github.com/6tail/lunar-go, for the Spring Festival's
// date: half a megabyte of binary and 240 KB of tables built at start)
// and surveys and visits came, which took an idle run to about 37 MB.
const idleRSSBudget = 38 << 20

// TestRunIdleMemory measures `assocbot run` the way an operator does: the
// binary installed, started on an empty SQLite database against a (fake)
// Bot API, left idle once /healthz answers and polling has begun; then its
// VmRSS from /proc. SIGTERM stops it with exit code 0.
//
// About two thirds of it is the binary itself (RssFile): its code and
// tables are mapped from the file, and the kernel maps most of them (about
// 21 MB of a 27 MB image on a 6.18 kernel with 8 MB read-ahead). That part
// follows the binary's size, which its libraries make: pgx, excelize,
// phonenumbers, prometheus with protobuf, gorm, SQLite. The rest (RssAnon,
// about 11 MB) is the process's own: a Go heap of about 4 MB live, mostly
// tables that phonenumbers, excelize and inflection build at start, and
// the runtime's and the C allocator's bookkeeping.
func TestRunIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here: a process's resident memory cannot be read")
	}
	bin := installAssocbot(t, buildAssocbot(t))

	// The demo's fake Telegram is linked for `assocbot demo`, and costs a
	// running bot nothing before that: no allocation at start.
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	trace, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("version with inittrace: %v\n%s", err, trace)
	}
	if !initLine.MatchString(string(trace)) {
		t.Fatalf("no init lines in the trace:\n%s", trace)
	}
	if n, ok := initBytes(string(trace), "github.com/assocbot/assocbot/bot/fakeapi"); ok && n > 8<<10 {
		t.Errorf("bot/fakeapi allocates %d bytes at start; it must wait for the demo", n)
	}

	const tok = "777:idle-memory-test"
	api := fakeapi.New(tok)
	defer api.Close()
	addr := freeAddr(t)
	// The runtime's own knobs stay at their defaults, as an operator gets them.
	run := startBin(t, bin, append(withoutVars(os.Environ(), "GOGC", "GOMEMLIMIT", "GODEBUG"),
		"ASSOCBOT_TOKEN="+tok, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+filepath.Join(t.TempDir(), "empty.db"),
		"ASSOCBOT_LISTEN="+addr), "run")
	logs := run.logs
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := api.WaitFor(ctx, func() bool { return len(api.RequestsFor("getUpdates")) > 0 }); err != nil {
		t.Fatalf("the bot never polled:\n%s", logs.String())
	}
	run.waitServing(t, "http://"+addr, 30*time.Second)
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(5 * time.Second) // idle: start-up's garbage collected, a long poll waiting
	mem := procStatus(t, run.cmd.Process.Pid)
	if err := run.stop(t, syscall.SIGTERM, 20*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	t.Logf("idle assocbot run: VmRSS %d kB (RssAnon %d kB, RssFile %d kB), budget %d kB",
		mem["VmRSS"], mem["RssAnon"], mem["RssFile"], idleRSSBudget>>10)
	if mem["VmRSS"]<<10 >= idleRSSBudget {
		t.Errorf("idle assocbot run holds %d kB resident, over the budget of %d kB", mem["VmRSS"], idleRSSBudget>>10)
	}
}

// TestServingBinaryLeavesTheDemoOut: net/http/httptest is not linked into
// assocbot at all, and the fake Bot API is reached only from the demo.
func TestServingBinaryLeavesTheDemoOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const fake = "github.com/assocbot/assocbot/bot/fakeapi"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		if pkg == "net/http/httptest" {
			t.Errorf("assocbot links net/http/httptest")
		}
		for _, imp := range strings.Fields(imports) {
			if imp == fake && pkg != "github.com/assocbot/assocbot/cmd/assocbot" {
				t.Errorf("%s imports %s: only the demo may", pkg, fake)
			}
		}
	}
	files, err := exec.Command("go", "list", "-f", "{{join .GoFiles \"\\n\"}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range strings.Fields(string(files)) {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == fake && name != "demo.go" {
				t.Errorf("%s imports %s: only demo.go may", name, fake)
			}
		}
	}
}

// installAssocbot copies the built binary to where it runs from, as the
// Dockerfile's COPY or an operator's cp does. Run where the linker wrote
// it, the same binary shows about 6 MB more resident: the linker writes
// through a memory mapping, and the kernel may keep such a file in 2 MB
// pages that it then maps whole.
func installAssocbot(t *testing.T, built string) string {
	t.Helper()
	src, err := os.Open(built)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "assocbot")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// procStatus reads the kB figures of /proc/PID/status (VmRSS, RssAnon, …).
func procStatus(t *testing.T, pid int) map[string]int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(rest)
		if !ok || len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		if n, err := strconv.Atoi(fields[0]); err == nil {
			out[name] = n
		}
	}
	if _, ok := out["VmRSS"]; !ok {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	return out
}

// initLine is one package's line of GODEBUG=inittrace=1.
var initLine = regexp.MustCompile(`(?m)^init (\S+) @.*?, (\d+) bytes, \d+ allocs$`)

// initBytes is what pkg allocated in its initialization, from an inittrace.
func initBytes(trace, pkg string) (int, bool) {
	for _, m := range initLine.FindAllStringSubmatch(trace, -1) {
		if m[1] == pkg {
			n, _ := strconv.Atoi(m[2])
			return n, true
		}
	}
	return 0, false
}

// withoutVars is env without the named variables.
func withoutVars(env []string, names ...string) []string {
	var out []string
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// TestWebhookSecretRule: the length check and small regexp that replaced
// ^[A-Za-z0-9_-]{1,256}$ accept and refuse the same secrets.
func TestWebhookSecretRule(t *testing.T) {
	for _, c := range []struct {
		secret string
		ok     bool
	}{
		{"s3cret_token-1", true}, {"A", true}, {strings.Repeat("z", 256), true},
		{"", false}, {strings.Repeat("z", 257), false}, {"has space", false}, {"semi;colon", false},
		{"ü", false}, {"tab\t", false}, {"dot.", false},
	} {
		if got := bot.ValidWebhookSecret(c.secret); got != c.ok {
			t.Errorf("ValidWebhookSecret(%q) = %v, want %v", c.secret, got, c.ok)
		}
	}
}
