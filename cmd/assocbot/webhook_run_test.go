package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestRunInWebhookMode starts `assocbot run` as an operator does with
// ASSOCBOT_WEBHOOK_URL and a secret: it registers the webhook and serves
// until stopped; a wrong or missing secret is 401 and writes nothing; the
// same update twice is handled once; a 10 MB body is 413; SIGTERM with
// updates in flight lets them finish (each one answered 200 got its reply)
// and the process exits 0. The console answers on the same listener.
func TestRunInWebhookMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const token, secret = "555:webhook-test-token", "s3cret_token-1"
	bin := buildAssocbot(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "w.db")
	ctx := context.Background()
	st, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const members = 12
	for i := 0; i < members; i++ {
		phone := fmt.Sprintf("1380000%04d", i)
		if _, err := st.AddMember(ctx, store.NewMember{Name: fmt.Sprintf("M%d", i), Phone: phone, Branch: "Town", Lang: "en"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.LinkByPhone(ctx, phone, int64(7000+i), int64(7000+i)); err != nil {
			t.Fatal(err)
		}
	}
	// An organizer of the town, who opens the console beside the webhook.
	if _, err := st.AddMember(ctx, store.NewMember{Name: "O", Phone: "13900000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "13900000001", 7999, 7999); err != nil {
		t.Fatal(err)
	}
	st.Close()
	api := fakeapi.New(token)
	defer api.Close()
	for i := 0; i < members; i++ {
		api.Meet(fakeapi.User{ID: int64(7000 + i), FirstName: "M"})
	}
	// Telegram asks the first registration to wait (as when two replicas
	// start together) and the second meets a proxy's 502: run tries again,
	// serving /healthz meanwhile.
	api.FailNext("setWebhook", 1, fakeapi.Failure{Status: 429, RetryAfter: 3})
	api.FailNext("setWebhook", 1, fakeapi.Failure{Status: 502, NonJSON: true})
	addr := freeAddr(t)
	run := startBin(t, bin, append(os.Environ(), "ASSOCBOT_TOKEN="+token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+dbPath,
		"ASSOCBOT_WEBHOOK_URL=https://bot.example.org/tg/hook", "ASSOCBOT_WEBHOOK_SECRET="+secret, "ASSOCBOT_LISTEN="+addr,
		"ASSOCBOT_QUIET_HOURS=off", "ASSOCBOT_PUBLIC_URL=https://bot.example.org"), "run")
	logs := run.logs
	base := "http://" + addr
	run.waitServing(t, base, 10*time.Second)
	if u, _ := api.Webhook(); u != "" {
		t.Fatalf("registered at %q before /healthz answered: the first try was to wait 3 s", u)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := api.WaitFor(waitCtx, func() bool { u, _ := api.Webhook(); return u != "" }); err != nil {
		t.Fatalf("no webhook registered:\n%s", logs.String())
	}
	if u, s := api.Webhook(); u != "https://bot.example.org/tg/hook" || s != secret {
		t.Fatalf("webhook %q %q", u, s)
	}
	if tries := api.RequestsFor("setWebhook"); len(tries) != 3 || tries[1].At.Sub(tries[0].At) < 3*time.Second-50*time.Millisecond {
		t.Fatalf("setWebhook tried %d times (a 429 with retry_after 3, a 502, then ok)", len(tries))
	}
	// It stays up.
	select {
	case <-run.exited:
		t.Fatalf("run exited by itself: %v\n%s", run.err, logs.String())
	case <-time.After(3 * time.Second):
	}

	// The console answers on the same listener, beside the webhook: the
	// organizer's figures with Telegram's init data, 401 without.
	stats := func(initData string) int {
		req, _ := http.NewRequest(http.MethodGet, base+"/app/api/stats", nil)
		if initData != "" {
			req.Header.Set("Authorization", "tma "+initData)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Branches []struct{ Path string } }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && (len(body.Branches) != 1 || body.Branches[0].Path != "Town") {
			t.Fatalf("the organizer's console: %+v", body)
		}
		return resp.StatusCode
	}
	if code := stats(signedInitData(t, token, 7999, "en", time.Now())); code != http.StatusOK {
		t.Fatalf("the console in webhook mode: %d\n%s", code, logs.String())
	}
	if code := stats(""); code != http.StatusUnauthorized {
		t.Fatalf("the console without init data: %d", code)
	}

	post := func(secretHeader string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/tg/hook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secretHeader != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	help := func(id, user int) []byte {
		return []byte(fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"M","language_code":"en"},"text":"/help","entities":[{"type":"bot_command","offset":0,"length":5}]}}`,
			id, id, time.Now().Unix(), user, user))
	}
	replies := func(chat int64) int { return len(api.Messages(chat)) }
	seen := func() string {
		s, err := openStore(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		n, _ := storetest.Dump(ctx, dbPath, "SELECT COUNT(*) FROM seen_updates")
		return strings.TrimSpace(n)
	}
	if code := post("wrong", help(1, 7000)); code != 401 {
		t.Fatalf("wrong secret: %d", code)
	}
	if code := post("", help(1, 7000)); code != 401 {
		t.Fatalf("no secret: %d", code)
	}
	if n := seen(); n != "COUNT(*)=0" || replies(7000) != 0 {
		t.Fatalf("a refused request wrote %s, replied %d", n, replies(7000))
	}
	if code := post(secret, help(1, 7000)); code != 200 || replies(7000) != 1 {
		t.Fatalf("update: %d, replies %d", code, replies(7000))
	}
	if code := post(secret, help(1, 7000)); code != 200 || replies(7000) != 1 {
		t.Fatalf("the same update again: %d, replies %d", code, replies(7000))
	}
	if code := post(secret, bytes.Repeat([]byte("x"), 10<<20)); code != 413 {
		t.Fatalf("10 MB body: %d", code)
	}

	// Updates in flight when SIGTERM comes: each answered 200 is handled.
	// Telegram answers slowly, and the signal comes once a reply is on its
	// way: at least that update is in hand.
	api.SetLatency(300 * time.Millisecond)
	var wg sync.WaitGroup
	codes := make([]int, members)
	for i := 1; i < members; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); codes[i] = post(secret, help(100+i, 7000+i)) }(i)
	}
	if err := api.WaitFor(waitCtx, func() bool {
		for _, q := range api.RequestsFor("sendMessage") {
			if q.ChatID > 7000 {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no reply on its way:\n%s", logs.String())
	}
	if err := run.stop(t, syscall.SIGTERM, 20*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	wg.Wait()
	handled := 0
	for i := 1; i < members; i++ {
		switch codes[i] {
		case 200:
			handled++
			if replies(int64(7000+i)) != 1 {
				t.Errorf("update %d answered 200 but got no reply", 100+i)
			}
		case 503, 0: // refused while stopping: Telegram sends it again
		default:
			t.Errorf("update %d: %d", 100+i, codes[i])
		}
	}
	t.Logf("at SIGTERM: %d of %d in-flight updates handled, the rest refused for Telegram to resend", handled, members-1)
	if handled == 0 {
		t.Fatal("no update in hand at SIGTERM was finished")
	}
	// Every update handled is marked so, its answer cut off or not: a
	// re-delivery after the restart is not handled twice.
	s, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i < members; i++ {
		if replies(int64(7000+i)) == 0 {
			continue
		}
		if got, err := s.TakeUpdate(ctx, int64(100+i), time.Now(), 3*time.Minute); err != nil || got != store.UpdateHandled {
			t.Errorf("update %d was answered but is not marked handled: %v %v", 100+i, got, err)
		}
	}
}
