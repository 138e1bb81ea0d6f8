package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
)

// TestAnUpdateTheLibraryCannotReadStallsNoOne: Telegram sends an update
// whose fields the Bot API library cannot decode (a type it does not
// expect). Polling passes over it, logs its update_id without its content,
// and the members after it are answered.
func TestAnUpdateTheLibraryCannotReadStallsNoOne(t *testing.T) {
	h := bottest.New(t)
	h.API.Inject(json.RawMessage(`{"message":{"message_id":"not a number","date":1,"chat":{"id":777,"type":"private"},"from":{"id":777,"is_bot":false,"first_name":"Z"},"text":"secret words"}}`))
	u := fakeapi.User{ID: 4400, FirstName: "A", LanguageCode: "en"}
	if got := h.Say(u, "/help"); got.Text != h.T(locales.En, "help.stranger") {
		t.Fatalf("the next member got %q", got.Text)
	}
	if !strings.Contains(h.Logs.String(), "update passed over") {
		t.Fatalf("the unreadable update was not logged:\n%s", h.Logs.String())
	}
	if strings.Contains(h.Logs.String(), "secret words") {
		t.Fatalf("the unreadable update's content was logged:\n%s", h.Logs.String())
	}
}
