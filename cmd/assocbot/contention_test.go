package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestCLIBesideABusyRun: sixteen CLI writers (member add, broadcast, event
// add) run again and again beside `assocbot run` dispatching a broadcast
// on the same SQLite file: no command fails (writers wait their turn), and
// the broadcast loses nothing. ASSOCBOT_CONTENTION_SECONDS sets how long
// (default 20; the production check is 60). A backup taken meanwhile opens
// and passes PRAGMA integrity_check with every row of the broadcast.
func TestCLIBesideABusyRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	seconds := 20
	if s := os.Getenv("ASSOCBOT_CONTENTION_SECONDS"); s != "" {
		seconds, _ = strconv.Atoi(s)
	}
	const token, recipients, writers = "444:contention-token", 600, 16
	bin := buildAssocbot(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "c.db")
	ctx := context.Background()
	st, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	api := fakeapi.New(token)
	defer api.Close()
	users := make([]store.NewMember, recipients)
	for i := range users {
		users[i] = store.NewMember{Name: fmt.Sprintf("M%d", i), Phone: fmt.Sprintf("1360000%04d", i), Branch: "Town"}
		if _, err := st.AddMember(ctx, users[i]); err != nil {
			t.Fatal(err)
		}
		if _, err := st.LinkByPhone(ctx, users[i].Phone, int64(20000+i), int64(20000+i)); err != nil {
			t.Fatal(err)
		}
		api.Meet(fakeapi.User{ID: int64(20000 + i)})
	}
	b, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.BranchAudience("Town"), Text: "busy", SendAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := append(os.Environ(), "ASSOCBOT_TOKEN="+token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+dbPath,
		"ASSOCBOT_RATE=25", "ASSOCBOT_QUIET_HOURS=off")
	addr := freeAddr(t)
	run := startBin(t, bin, append(env, "ASSOCBOT_LISTEN="+addr), "run")
	logs := run.logs
	run.waitServing(t, "http://"+addr, 20*time.Second)

	var ok, failed atomic.Int64
	var firstFailure atomic.Value
	stop := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				var args []string
				switch i % 3 {
				case 0:
					args = []string{"member", "add", "--name", fmt.Sprintf("W%d-%d", w, i), "--phone", fmt.Sprintf("135%02d%06d", w, i), "--branch", "Town/New", "--new-branch"}
				case 1:
					args = []string{"event", "add", "--kind", "meeting", "--title", fmt.Sprintf("E%d-%d", w, i), "--start", "2030-01-01 09:00", "--audience", "branch:Town"}
				default:
					args = []string{"member", "list"}
				}
				cmd := exec.Command(bin, args...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("%v: %v\n%s", args, err, out))
				} else {
					ok.Add(1)
				}
			}
		}(w)
	}
	// A backup taken meanwhile, once the broadcast is going out and the
	// writers have written.
	bctx, bcancel := context.WithTimeout(ctx, time.Minute)
	defer bcancel()
	if err := api.WaitFor(bctx, func() bool { return api.Delivered() >= 50 && ok.Load() >= writers }); err != nil {
		t.Fatalf("delivered %d, %d commands done\n%s", api.Delivered(), ok.Load(), logs.String())
	}
	backup := filepath.Join(dir, "backup.db")
	bk := exec.Command(bin, "backup", backup)
	bk.Env = env
	if out, err := bk.CombinedOutput(); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	wg.Wait()
	copied, err := store.Open(ctx, backup)
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	integrity, err := storetest.Dump(ctx, backup, "PRAGMA integrity_check")
	var rows, sent, written int
	for q, n := range map[string]*int{
		"SELECT COUNT(*) AS n FROM outboxes WHERE broadcast_id = 1":                     &rows,
		"SELECT COUNT(*) AS n FROM outboxes WHERE broadcast_id = 1 AND status = 'sent'": &sent,
		"SELECT COUNT(*) AS n FROM members WHERE name LIKE 'W%'":                        &written,
	} {
		got, _ := storetest.Dump(ctx, backup, q)
		fmt.Sscanf(strings.TrimSpace(got), "n=%d", n)
	}
	copied.Close()
	// One moment of the running bot: the whole broadcast, part of it sent,
	// and what the writers had added.
	if err != nil || strings.TrimSpace(integrity) != "integrity_check=ok" || rows != b.Total || sent == 0 || sent >= b.Total || written == 0 {
		t.Fatalf("backup: %q, %d rows of %d, %d sent, %d members written, %v", integrity, rows, b.Total, sent, written, err)
	}
	t.Logf("backup mid-broadcast: %d of %d sent, %d members written by then", sent, b.Total, written)
	if failed.Load() > 0 {
		t.Fatalf("%d of %d commands failed; the first: %v", failed.Load(), failed.Load()+ok.Load(), firstFailure.Load())
	}
	t.Logf("%d CLI commands in %d s beside the running broadcast, none failed", ok.Load(), seconds)
	// The broadcast goes on to the end, losing nothing.
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := api.WaitFor(wctx, func() bool { return api.Delivered() >= b.Total }); err != nil {
		t.Fatalf("delivered %d of %d\n%s", api.Delivered(), b.Total, logs.String())
	}
	if err := run.stop(t, syscall.SIGTERM, 30*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
}
