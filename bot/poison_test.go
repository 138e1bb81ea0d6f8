package bot_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// boom makes the bot's handler panic on "/boom" and counts how often it
// was asked to handle it.
func boom(h *bottest.Harness) *atomic.Int32 {
	n := new(atomic.Int32)
	bot.SetBeforeHandle(h.Bot, func(u *tgm.Update) {
		if u.Message != nil && u.Message.Text == "/boom" {
			n.Add(1)
			panic("boom")
		}
	})
	return n
}

func textUpdate(id int64, u fakeapi.User, text string) *tgm.Update {
	return &tgm.Update{ID: id, Message: &tgm.Message{ID: int(id), Date: 1, Text: text,
		Chat: tgm.Chat{ID: u.ID, Type: "private"}, From: &tgm.User{ID: u.ID, FirstName: u.FirstName, LanguageCode: u.LanguageCode}}}
}

// seenRow is the update's row in seen_updates: whether it is handled and
// how many times it was taken.
func seenRow(t *testing.T, h *bottest.Harness, id int64) string {
	t.Helper()
	d, err := storetest.Dump(ctx, h.DSN, "SELECT handled_at IS NOT NULL AS handled, attempts FROM seen_updates WHERE update_id = "+strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPoisonUpdatePolled: a polled update whose handler panics is handled
// once (logged, marked handled), and polling that fetches it again after a
// restart does not handle it again; one whose handling stopped the process
// each of the last three times it was taken is given up, logged, and never
// handled, while the next update is.
func TestPoisonUpdatePolled(t *testing.T) {
	h := bottest.New(t)
	calls := boom(h)
	u := fakeapi.User{ID: 4400, FirstName: "P", LanguageCode: "en"}
	h.API.Meet(u)
	h.API.SendText(u, "/boom")
	h.WaitFor("the panic logged", func() bool { return strings.Contains(h.Logs.String(), "handler panic") })
	id := int64(0)
	h.WaitFor("the update marked handled", func() bool {
		d, _ := storetest.Dump(ctx, h.DSN, "SELECT update_id FROM seen_updates WHERE handled_at IS NOT NULL")
		if d == "" {
			return false
		}
		_, v, _ := strings.Cut(strings.TrimSpace(d), "=")
		id, _ = strconv.ParseInt(v, 10, 64)
		return true
	})
	// Fetched again, as after a restart before Telegram heard the offset.
	h.Bot.ProcessUpdate(context.Background(), textUpdate(id, u, "/boom"))
	if got := h.Say(u, "/help"); got.Text != h.T(locales.En, "help.stranger") {
		t.Fatalf("the next update: %q", got.Text)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("the poison update was handled %d times", n)
	}
	if got := seenRow(t, h, id); got != "attempts=1 handled=1 \n" {
		t.Fatalf("its row: %q", got)
	}

	// Three processes took update 777 and died handling it.
	for i := 0; i < store.MaxUpdateAttempts; i++ {
		if _, err := h.St.TakeUpdate(ctx, 777, h.Clock(), 0); err != nil {
			t.Fatal(err)
		}
	}
	h.Bot.ProcessUpdate(context.Background(), textUpdate(777, u, "/boom"))
	h.WaitFor("the update given up", func() bool { return strings.Contains(h.Logs.String(), "update given up") })
	if got := h.Say(u, "/help"); got.Text != h.T(locales.En, "help.stranger") {
		t.Fatalf("the next update: %q", got.Text)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("a given-up update was handled (%d calls)", n)
	}
	if got := seenRow(t, h, 777); got != "attempts=4 handled=1 \n" {
		t.Fatalf("the given-up row: %q", got)
	}
}

// TestPoisonUpdateWebhook: the same by webhook: a panicking update is
// answered 200, handled once, a re-delivery is a duplicate; one taken
// three times by replicas that died (each hold past) is given up with 200.
func TestPoisonUpdateWebhook(t *testing.T) {
	h := bottest.New(t)
	calls := boom(h)
	u := fakeapi.User{ID: 4401, FirstName: "P", LanguageCode: "en"}
	h.API.Meet(u)
	_, post := serveWebhook(t, h, "s3cret")
	body := func(id int, text string) string {
		return `{"update_id":` + strconv.Itoa(id) + `,"message":{"message_id":1,"date":1,"chat":{"id":4401,"type":"private"},"from":{"id":4401,"is_bot":false,"first_name":"P","language_code":"en"},"text":"` + text + `"}}`
	}
	for i := 0; i < 2; i++ {
		if code := post("s3cret", body(9300, "/boom")); code != http.StatusOK {
			t.Fatalf("delivery %d of the panicking update: %d", i+1, code)
		}
	}
	if n := calls.Load(); n != 1 || !strings.Contains(h.Logs.String(), "handler panic") {
		t.Fatalf("the panicking update was handled %d times", n)
	}
	for i := 0; i < store.MaxUpdateAttempts; i++ {
		if _, err := h.St.TakeUpdate(ctx, 9301, h.Clock().Add(-time.Hour+time.Duration(i)*5*time.Minute), 3*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if code := post("s3cret", body(9301, "/boom")); code != http.StatusOK {
		t.Fatalf("the given-up update: %d", code)
	}
	if n := calls.Load(); n != 1 || !strings.Contains(h.Logs.String(), "update given up") {
		t.Fatalf("a given-up update was handled (%d calls)", n)
	}
	if got := seenRow(t, h, 9301); got != "attempts=4 handled=1 \n" {
		t.Fatalf("the given-up row: %q", got)
	}
}

// TestUpdateZeroOnce: update_id 0 is an id like any other: delivered three
// times, by webhook or polled, it is answered once.
func TestUpdateZeroOnce(t *testing.T) {
	h := bottest.New(t)
	u := fakeapi.User{ID: 4402, FirstName: "Z", LanguageCode: "en"}
	h.API.Meet(u)
	_, post := serveWebhook(t, h, "s3cret")
	zero := `{"update_id":0,"message":{"message_id":1,"date":1,"chat":{"id":4402,"type":"private"},"from":{"id":4402,"is_bot":false,"first_name":"Z","language_code":"en"},"text":"/help"}}`
	for i := 0; i < 3; i++ {
		if code := post("s3cret", zero); code != http.StatusOK {
			t.Fatalf("delivery %d: %d", i+1, code)
		}
	}
	for i := 0; i < 3; i++ {
		h.Bot.ProcessUpdate(context.Background(), textUpdate(0, u, "/help"))
	}
	h.Say(u, "/help") // a later update, handled after the three in the chat's order
	if n := len(h.API.Messages(u.ID)); n != 2 {
		t.Fatalf("update 0 delivered six times and one more /help: %d replies, want 2", n)
	}
	if got := seenRow(t, h, 0); got != "attempts=1 handled=1 \n" {
		t.Fatalf("update 0's row: %q", got)
	}
}
