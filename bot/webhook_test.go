package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	srv := httptest.NewServer(h.Bot.WebhookHandler(context.Background(), "s3cret_token-1"))
	defer srv.Close()
	update := `{"update_id":9001,"message":{"message_id":1,"date":1,"chat":{"id":4321,"type":"private"},"from":{"id":4321,"is_bot":false,"first_name":"W","language_code":"en"},"text":"/help"}}`
	post := func(secret, body string) int {
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
	if code := post("", update); code != http.StatusUnauthorized {
		t.Fatalf("no secret: %d", code)
	}
	if code := post("s3cret_token-2", update); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", code)
	}
	if code := post("s3cret_token-1", "{not json"); code != http.StatusBadRequest {
		t.Fatalf("bad body: %d", code)
	}
	if resp, _ := http.Get(srv.URL); resp.StatusCode != http.StatusMethodNotAllowed {
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
