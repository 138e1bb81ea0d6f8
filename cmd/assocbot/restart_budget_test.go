package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestNo429AfterAKillAndRestart runs the real binary on SQLite at
// Telegram's own limit (30 a second, one a second per chat, enforced by the
// fake Bot API with 429s), kills it with SIGKILL mid-broadcast and starts it
// again at once. The new process's budget starts in memory, empty, while
// Telegram's window still holds the dead one's last second: it must count
// that second as used, so Telegram answers no 429 across the restart.
func TestNo429AfterAKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const (
		recipients = 300
		token      = "777:restart-test-token"
	)
	dir := t.TempDir()
	bin := buildAssocbot(t)
	dbPath := filepath.Join(dir, "restart.db")
	ctx := context.Background()
	st, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	api := fakeapi.New(token)
	defer api.Close()
	api.EnforceLimits(30, 1)
	org, err := st.AddMember(ctx, store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "13800000001", 1, 1); err != nil {
		t.Fatal(err)
	}
	api.Meet(fakeapi.User{ID: 1})
	for i := 0; i < recipients; i++ {
		phone := fmt.Sprintf("+861390%07d", i)
		if _, err := st.AddMember(ctx, store.NewMember{Name: fmt.Sprintf("M%d", i), Phone: phone, Branch: "Town/Village"}); err != nil {
			t.Fatal(err)
		}
		chat := int64(10000 + i)
		if _, err := st.LinkByPhone(ctx, phone, chat, chat); err != nil {
			t.Fatal(err)
		}
		api.Meet(fakeapi.User{ID: chat})
	}
	orgChat := int64(1)
	if _, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, ChatID: &orgChat,
		Audience: models.BranchAudience("Town/Village"), Text: "restart notice", SendAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	env := append(os.Environ(), "ASSOCBOT_TOKEN="+token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+dbPath,
		"ASSOCBOT_QUIET_HOURS=off", "ASSOCBOT_LISTEN=127.0.0.1:0", "ASSOCBOT_LEASE=2s")
	delivered := func() int {
		n := 0
		for _, q := range api.RequestsFor("sendMessage") {
			if q.Status == 200 && strings.HasSuffix(q.Params["text"], "\nrestart notice") {
				n++
			}
		}
		return n
	}

	first := startBin(t, bin, env, "run")
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	// Killed just after its second burst of 30: Telegram's window is full.
	if err := api.WaitFor(wctx, func() bool { return delivered() >= 60 }); err != nil {
		t.Fatalf("the first run delivered %d\n%s", delivered(), first.logs.String())
	}
	first.stop(t, syscall.SIGKILL, 10*time.Second)
	killed := time.Now()
	atKill, before429 := delivered(), api.Count429()

	second := startBin(t, bin, env, "run")
	defer second.stop(t, syscall.SIGTERM, 20*time.Second)
	// Two seconds and more of the new process's sends.
	if err := api.WaitFor(wctx, func() bool { return delivered() >= atKill+75 }); err != nil {
		t.Fatalf("the second run delivered %d after %d\n%s", delivered(), atKill, second.logs.String())
	}
	var sends []time.Time    // every message and edit Telegram took, in order
	var last, next time.Time // the dead process's last message, the new one's first (taken or not)
	for _, q := range api.Requests() {
		if q.Method != "sendMessage" && !strings.HasPrefix(q.Method, "editMessage") {
			continue
		}
		if q.At.Before(killed) {
			last = q.At
		} else if next.IsZero() {
			next = q.At
		}
		if q.Status == 200 {
			sends = append(sends, q.At)
		}
	}
	busiest := 0 // the most in one second, across the restart
	for i := range sends {
		n := 0
		for j := i; j < len(sends) && sends[j].Sub(sends[i]) < time.Second; j++ {
			n++
		}
		busiest = max(busiest, n)
	}
	after429 := api.Count429() - before429
	t.Logf("killed after %d deliveries; the new process's first message %v after the dead one's last (%v after the kill); busiest second %d; 429s: %d before the kill, %d after",
		atKill, next.Sub(last).Round(time.Millisecond), next.Sub(killed).Round(time.Millisecond), busiest, before429, after429)
	if after429 != 0 {
		t.Errorf("Telegram answered 429 %d times after the restart", after429)
	}
	if before429 != 0 {
		t.Errorf("Telegram answered 429 %d times before the kill", before429)
	}
}
