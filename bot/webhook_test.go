package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
)

// TestWebhookHandler drives updates through our own webhook handler: a wrong
// or missing secret is refused with 401 and changes nothing; a right one is
// handled like a polled update.
func TestWebhookHandler(t *testing.T) {
	h := bottest.New(t)
	u := fakeapi.User{ID: 4321, FirstName: "W", LanguageCode: "en"}
	h.API.Meet(u)
	url, post := serveWebhook(t, h, "s3cret_token-1")
	update := `{"update_id":9001,"message":{"message_id":1,"date":1,"chat":{"id":4321,"type":"private"},"from":{"id":4321,"is_bot":false,"first_name":"W","language_code":"en"},"text":"/help"}}`
	if code := post("", update); code != http.StatusUnauthorized {
		t.Fatalf("no secret: %d", code)
	}
	if code := post("s3cret_token-2", update); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", code)
	}
	if code := post("s3cret_token-1", "{not json"); code != http.StatusBadRequest {
		t.Fatalf("bad body: %d", code)
	}
	// An update the library cannot read would fail again if sent again:
	// passed over with 200, its content never logged.
	if code := post("s3cret_token-1", `{"update_id":9000,"message":{"message_id":"x","text":"secret words"}}`); code != http.StatusOK {
		t.Fatalf("an unreadable update: %d", code)
	}
	if logs := h.Logs.String(); !strings.Contains(logs, "update passed over") || strings.Contains(logs, "secret words") {
		t.Fatalf("the unreadable update's log:\n%s", logs)
	}
	if resp, _ := http.Get(url); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	if n := len(h.API.Messages(u.ID)); n != 0 {
		t.Fatalf("refused requests were handled (%d replies)", n)
	}
	if code := post("s3cret_token-1", update); code != http.StatusOK {
		t.Fatalf("right secret: %d", code)
	}
	if got := h.Nth(u.ID, 1); got.Text != h.T(locales.En, "help.stranger") {
		t.Fatalf("reply %q", got.Text)
	}
}

// TestWebhookUpdateOfADeadReplicaIsHandled: another replica took an update
// and died before handling it. While its hold lasts a delivery is answered
// 503 (Telegram asks again later) and not handled; the first delivery after
// is handled and answered 200, and one more after that is a duplicate.
func TestWebhookUpdateOfADeadReplicaIsHandled(t *testing.T) {
	h := bottest.New(t)
	u := fakeapi.User{ID: 4322, FirstName: "W", LanguageCode: "en"}
	h.API.Meet(u)
	_, postAs := serveWebhook(t, h, "s3cret_token-1")
	update := `{"update_id":9101,"message":{"message_id":1,"date":1,"chat":{"id":4322,"type":"private"},"from":{"id":4322,"is_bot":false,"first_name":"W","language_code":"en"},"text":"/help"}}`
	post := func() int { return postAs("s3cret_token-1", update) }
	seen := map[string]string{"seen": "SELECT update_id, handled_at IS NOT NULL AS handled FROM seen_updates"}
	if _, err := h.St.TakeUpdate(ctx, 9101, h.Clock().Add(-time.Minute), 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	before := dump(t, h, seen)
	if before["seen"] != "handled=0 update_id=9101 \n" {
		t.Fatalf("seen_updates as the dead replica left it: %q", before["seen"])
	}
	if code := post(); code != http.StatusServiceUnavailable {
		t.Fatalf("a delivery while another holds it: %d", code)
	}
	// Handling is done before the answer: none was sent, nothing changed.
	if n := len(h.API.RequestsFor("sendMessage")); n != 0 {
		t.Fatalf("an update another held was handled (%d sends)", n)
	}
	if after := dump(t, h, seen); !reflect.DeepEqual(before, after) {
		t.Fatalf("a refused delivery changed %v", after)
	}

	h.SetNow(h.Clock().Add(3 * time.Minute))
	if code := post(); code != http.StatusOK {
		t.Fatalf("the delivery after the dead replica's hold: %d", code)
	}
	if got := h.Nth(u.ID, 1); got.Text != h.T(locales.En, "help.stranger") {
		t.Fatalf("reply %q", got.Text)
	}
	if code := post(); code != http.StatusOK {
		t.Fatalf("a delivery of the handled update: %d", code)
	}
	if n := len(h.API.RequestsFor("sendMessage")); n != 1 {
		t.Fatalf("the update was handled %d times", n)
	}
	if got := dump(t, h, seen)["seen"]; got != "handled=1 update_id=9101 \n" {
		t.Fatalf("seen_updates after handling: %q", got)
	}
}

// serveWebhook serves the bot's webhook handler with secret for the test,
// and returns its URL and a poster of bodies with a secret header ("":
// none).
func serveWebhook(t *testing.T, h *bottest.Harness, secret string) (string, func(secret, body string) int) {
	srv := httptest.NewServer(h.Bot.WebhookHandler(context.Background(), secret))
	t.Cleanup(srv.Close)
	return srv.URL, func(secret, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
}
