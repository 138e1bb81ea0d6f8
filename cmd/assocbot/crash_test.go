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
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestCrashMidBroadcast runs the real binary, kills it with SIGKILL in the
// middle of a 5,000-recipient broadcast, and starts it again: nobody is
// missed, at most one message per dispatcher worker is repeated, and the
// final report counts right.
func TestCrashMidBroadcast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const (
		recipients = 5000
		workers    = 4
		token      = "777:crash-test-token"
	)
	dir := t.TempDir()
	bin := buildAssocbot(t)
	dbPath := filepath.Join(dir, "crash.db")
	ctx := context.Background()
	st, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	api := fakeapi.New(token)
	defer api.Close()
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
	b, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, ChatID: &orgChat,
		Audience: models.BranchAudience("Town/Village"), Text: "crash-safe notice", SendAt: time.Now()})
	if err != nil || b.Total != recipients {
		t.Fatalf("broadcast %+v %v", b, err)
	}
	st.Close()

	env := append(os.Environ(), "ASSOCBOT_TOKEN="+token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+dbPath,
		"ASSOCBOT_RATE=2000", "ASSOCBOT_QUIET_HOURS=off", "ASSOCBOT_LISTEN=127.0.0.1:0",
		fmt.Sprintf("ASSOCBOT_WORKERS=%d", workers), "ASSOCBOT_LEASE=2s")
	delivered := func() int {
		n := 0
		for _, q := range api.RequestsFor("sendMessage") {
			if q.Status == 200 && strings.HasSuffix(q.Params["text"], "\ncrash-safe notice") {
				n++
			}
		}
		return n
	}

	first := startBin(t, bin, env, "run")
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := api.WaitFor(wctx, func() bool { return delivered() >= recipients/3 }); err != nil {
		t.Fatalf("the first run delivered %d\n%s", delivered(), first.logs.String())
	}
	first.stop(t, syscall.SIGKILL, 10*time.Second)
	atKill := delivered()
	if atKill >= recipients {
		t.Fatalf("the broadcast finished before the kill (%d): nothing was tested", atKill)
	}

	second := startBin(t, bin, env, "run")
	defer second.stop(t, syscall.SIGTERM, 20*time.Second)
	cat, _ := locales.New()
	var report string
	if err := api.WaitFor(wctx, func() bool {
		for _, m := range api.Messages(orgChat) {
			if strings.HasPrefix(m.Text, "✅") {
				report = m.Text
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no final report; delivered %d\n%s", delivered(), second.logs.String())
	}
	missed, dups := 0, 0
	for i := 0; i < recipients; i++ {
		n := len(api.Messages(int64(10000 + i)))
		if n == 0 {
			missed++
		}
		if n > 1 {
			dups += n - 1
		}
	}
	t.Logf("killed after %d deliveries; %d missed, %d duplicates", atKill, missed, dups)
	if missed != 0 {
		t.Fatalf("%d recipients missed", missed)
	}
	if dups > workers {
		t.Fatalf("%d duplicates, more than the %d workers", dups, workers)
	}
	if want := cat.T(locales.En, "broadcast.report", "Total", recipients, "Delivered", recipients, "Blocked", 0, "Failed", 0); report != want {
		t.Fatalf("report %q, want %q", report, want)
	}
}
