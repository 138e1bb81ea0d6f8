package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
)

// buildAssocbot builds the binary as users run it, into the test's
// directory.
func buildAssocbot(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "assocbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr is a local address nothing listens on, for ASSOCBOT_LISTEN.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// runningBin is an assocbot process a test started.
type runningBin struct {
	cmd    *exec.Cmd
	logs   *bottest.SyncBuffer // its stdout and stderr
	exited chan struct{}       // closed once it has exited
	err    error               // Wait's result, set before exited closes
}

// startBin runs bin with args in the environment env (whole, not added to
// the test's); a process still running when the test ends is killed.
func startBin(t testing.TB, bin string, env []string, args ...string) *runningBin {
	t.Helper()
	r := &runningBin{cmd: exec.Command(bin, args...), logs: &bottest.SyncBuffer{}, exited: make(chan struct{})}
	r.cmd.Env = env
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			r.cmd.Process.Kill()
			<-r.exited
		}
	})
	return r
}

// healthz is the status /healthz at base answers (0 when nothing does).
func healthz(base string) int {
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitServing waits until /healthz at base answers 200; the test fails
// when the process exits or within passes first.
func (r *runningBin) waitServing(t testing.TB, base string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for healthz(base) != http.StatusOK {
		select {
		case <-r.exited:
			t.Fatalf("exited before serving: %v\n%s", r.err, r.logs.String())
		case <-deadline:
			t.Fatalf("/healthz did not answer 200 within %s:\n%s", within, r.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends sig and waits for the exit: a failed test (with the logs)
// when it does not come within d, else Wait's error.
func (r *runningBin) stop(t testing.TB, sig os.Signal, d time.Duration) error {
	t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.exited:
		return r.err
	case <-time.After(d):
		t.Fatalf("did not stop on %v within %s:\n%s", sig, d, r.logs.String())
		return nil
	}
}
