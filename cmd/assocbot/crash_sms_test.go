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
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
)

// TestCrashMidSMSBroadcast runs the real binary with SMS through the real
// Tencent SDK to a fake gateway, kills it with SIGKILL in the middle of a
// notice to 3,000 members without Telegram, and starts it again: every
// member gets one SMS, at most one per dispatcher worker twice, and every
// row is sent by SMS.
func TestCrashMidSMSBroadcast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const (
		recipients = 3000
		workers    = 4
		token      = "777:crash-sms-token"
	)
	dir := t.TempDir()
	bin := buildAssocbot(t)
	dbPath := filepath.Join(dir, "crash.db")
	ctx := context.Background()
	st, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	st.SMSOn(true)
	api := fakeapi.New(token)
	defer api.Close()
	gw, err := fakesms.Start("AKIDcrash")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	gw.SetLatency(8 * time.Millisecond) // a provider far away: the kill lands mid-way
	org, err := st.AddMember(ctx, store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "13800000001", 1, 1); err != nil {
		t.Fatal(err)
	}
	api.Meet(fakeapi.User{ID: 1})
	phones := make([]string, recipients)
	for i := range recipients {
		phones[i] = fmt.Sprintf("+861390%07d", i)
		if _, err := st.AddMember(ctx, store.NewMember{Name: fmt.Sprintf("M%d", i), Phone: phones[i], Branch: "Town/Village"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetSMSTemplate(ctx, "broadcast", "", "1400001", ""); err != nil {
		t.Fatal(err)
	}
	orgChat := int64(1)
	b, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, ChatID: &orgChat,
		Audience: models.BranchAudience("Town/Village"), Text: "停水通知", SendAt: time.Now()})
	if err != nil || b.Total != recipients {
		t.Fatalf("broadcast %+v %v", b, err)
	}
	st.Close()

	env := append(os.Environ(), "ASSOCBOT_TOKEN="+token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+dbPath,
		"ASSOCBOT_QUIET_HOURS=off", "ASSOCBOT_LISTEN=127.0.0.1:0",
		fmt.Sprintf("ASSOCBOT_WORKERS=%d", workers), "ASSOCBOT_LEASE=2s",
		"ASSOCBOT_SMS_PROVIDER=tencent", "ASSOCBOT_SMS_ENDPOINT="+gw.URL(), "ASSOCBOT_SMS_KEY_ID=AKIDcrash",
		"ASSOCBOT_SMS_KEY_SECRET=crash-secret-value", "ASSOCBOT_SMS_APP_ID=1400000000", "ASSOCBOT_SMS_SIGN=计生协会",
		"ASSOCBOT_SMS_CALLBACK_KEY=crash-callback-key-01")
	first := startBin(t, bin, env, "run")
	wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := api.WaitFor(wctx, func() bool { return len(gw.Sent()) >= recipients/3 }); err != nil {
		t.Fatalf("the first run sent %d SMS\n%s", len(gw.Sent()), first.logs.String())
	}
	first.stop(t, syscall.SIGKILL, 10*time.Second)
	atKill := len(gw.Sent())
	if atKill >= recipients {
		t.Fatalf("the broadcast finished before the kill (%d): nothing was tested", atKill)
	}

	second := startBin(t, bin, env, "run")
	defer second.stop(t, syscall.SIGTERM, 20*time.Second)
	if err := api.WaitFor(wctx, func() bool {
		for _, m := range api.Messages(orgChat) {
			if strings.HasPrefix(m.Text, "✅") {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no final report; %d SMS\n%s", len(gw.Sent()), second.logs.String())
	}
	per := map[string]int{}
	for _, s := range gw.Sent() {
		per[s.Phone]++
	}
	missed, dups := 0, 0
	for _, p := range phones {
		switch n := per[p]; {
		case n == 0:
			missed++
		case n > 1:
			dups += n - 1
		}
	}
	t.Logf("killed after %d SMS; %d missed, %d duplicates", atKill, missed, dups)
	if missed != 0 || dups > workers {
		t.Fatalf("%d missed, %d duplicates (at most %d)", missed, dups, workers)
	}
	if secret := "crash-secret-value"; strings.Contains(first.logs.String()+second.logs.String(), secret) {
		t.Fatal("the SMS key secret is in the logs")
	}
	st, err = openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindBroadcast, BroadcastID: b.ID})
	if err != nil || len(rows) != recipients {
		t.Fatalf("%d rows %v", len(rows), err)
	}
	for _, r := range rows {
		if r.Channel != outbox.BySMS || r.Status != outbox.Sent || r.ProviderMessageID == "" {
			t.Fatalf("row %+v", r)
		}
	}
}
