package fakeapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/fakeapi"
)

const token = "1:fake-token"

var alice = fakeapi.User{ID: 7, FirstName: "Alice", LanguageCode: "en"}

func client(t *testing.T, s *fakeapi.Server, opts ...tg.Option) *tg.Bot {
	t.Helper()
	b, err := tg.New(token, append([]tg.Option{tg.WithServerURL(s.URL()), tg.WithHTTPClient(2*time.Second, &http.Client{Timeout: 2 * time.Second})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type cleanButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

type cleanKeyboard struct {
	InlineKeyboard [][]cleanButton `json:"inline_keyboard"`
}

func TestGetMeAndUnauthorized(t *testing.T) {
	s := fakeapi.New(token)
	defer s.Close()
	me, err := client(t, s).GetMe(context.Background())
	if err != nil || me.Username != "assoc_test_bot" || !me.IsBot {
		t.Fatalf("getMe: %+v %v", me, err)
	}
	_, err = tg.New("2:wrong", tg.WithServerURL(s.URL()))
	if !errors.Is(err, tg.ErrorUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestUpdatesReachHandlersAndButtonsWork(t *testing.T) {
	s := fakeapi.New(token)
	defer s.Close()
	var texts, datas atomic.Int32
	b := client(t, s, tg.WithDefaultHandler(func(ctx context.Context, b *tg.Bot, u *tgm.Update) {
		switch {
		case u.Message != nil:
			texts.Add(1)
			if u.Message.Entities[0].Type != tgm.MessageEntityTypeBotCommand || u.Message.From.LanguageCode != "en" {
				t.Errorf("message %+v", u.Message)
			}
			b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "pick",
				ReplyMarkup: cleanKeyboard{InlineKeyboard: [][]cleanButton{{{Text: "A", CallbackData: "a"}}}}})
		case u.CallbackQuery != nil:
			datas.Add(1)
			if u.CallbackQuery.Data != "a" || u.CallbackQuery.Message.Message == nil {
				t.Errorf("callback %+v", u.CallbackQuery)
			}
			b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "ok"})
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Start(ctx)
	start := time.Now()
	s.SendText(alice, "/start hello")
	msgs, err := s.WaitMessages(ctx, alice.ID, 1)
	if err != nil || msgs[0].Text != "pick" {
		t.Fatalf("reply: %v %v", msgs, err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("long poll answered slowly: %v", time.Since(start))
	}
	id, err := s.PressButton(alice, alice.ID, msgs[0].ID, "A")
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 3*time.Second)
	defer wcancel()
	if err := s.WaitFor(wctx, func() bool { return s.CallbackAnswers()[id] == "ok" }); err != nil {
		t.Fatal("callback not answered")
	}
	if _, err := s.PressButton(alice, alice.ID, msgs[0].ID, "B"); err == nil {
		t.Fatal("pressing a missing button succeeded")
	}
}

func TestValidationLikeTelegram(t *testing.T) {
	s := fakeapi.New(token)
	defer s.Close()
	b := client(t, s)
	ctx := context.Background()
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 99, Text: "x"}); err == nil || !strings.Contains(err.Error(), "chat not found") {
		t.Fatalf("unknown chat: %v", err)
	}
	s.Meet(alice)
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: " "}); err == nil || !strings.Contains(err.Error(), "message text is empty") {
		t.Fatalf("empty text: %v", err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("x", 4097)}); err == nil {
		t.Fatal("4097 characters accepted")
	}
	long := cleanKeyboard{InlineKeyboard: [][]cleanButton{{{Text: "A", CallbackData: strings.Repeat("d", 65)}}}}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: long}); err == nil || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
		t.Fatalf("65-byte callback data: %v", err)
	}
	// go-telegram/bot's own button type always carries "copy_text":{"text":""}
	// beside callback_data: two kinds on one button, which the Bot API forbids
	// ("exactly one of the optional fields must be used"). That is why
	// assocbot writes its own keyboard types.
	lib := tgm.InlineKeyboardMarkup{InlineKeyboard: [][]tgm.InlineKeyboardButton{{{Text: "A", CallbackData: "a"}}}}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: lib}); err == nil || !strings.Contains(err.Error(), "exactly one") {
		t.Fatalf("library button with copy_text: %v", err)
	}
	ok := cleanKeyboard{InlineKeyboard: [][]cleanButton{{{Text: "A", CallbackData: "a"}}}}
	m, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: ok})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "x", ReplyMarkup: ok})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same edit: %v", err)
	}
	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "y"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Last(alice.ID); got.Text != "y" || got.Inline != nil || got.Edited != 1 {
		t.Fatalf("after edit %+v", got)
	}
	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: alice.ID, MessageID: 999, Text: "z"}); err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("missing message: %v", err)
	}
	_, err = b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []tgm.BotCommand{{Command: "Start", Description: "x"}}})
	if err == nil {
		t.Fatal("upper-case command accepted")
	}
	_, err = b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []tgm.BotCommand{{Command: "start", Description: "x"}}, LanguageCode: "zh-Hant"})
	if err == nil || !strings.Contains(err.Error(), "invalid language code") {
		t.Fatalf("zh-Hant language code: %v", err)
	}
}

func TestFaults(t *testing.T) {
	s := fakeapi.New(token)
	defer s.Close()
	b := client(t, s)
	ctx := context.Background()
	s.Meet(alice)
	s.FailNext("sendMessage", 1, fakeapi.Failure{Status: 429, Description: "Too Many Requests: retry after 2", RetryAfter: 2})
	_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: "x"})
	var tooMany *tg.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 2 {
		t.Fatalf("429: %v", err)
	}
	s.FailNext("", 1, fakeapi.Failure{Status: 502, NonJSON: true})
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: "x"}); err == nil || !strings.Contains(err.Error(), "decode") {
		t.Fatalf("502 page: %v", err)
	}
	s.Block(alice.ID)
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: alice.ID, Text: "x"}); !errors.Is(err, tg.ErrorForbidden) {
		t.Fatalf("blocked: %v", err)
	}
	s.Refuse("setMyCommands")
	if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []tgm.BotCommand{{Command: "a", Description: "b"}}}); !errors.Is(err, tg.ErrorBadRequest) {
		t.Fatalf("refused: %v", err)
	}
}

func TestEnforceLimits(t *testing.T) {
	s := fakeapi.New(token)
	defer s.Close()
	b := client(t, s)
	ctx := context.Background()
	users := []fakeapi.User{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}}
	for _, u := range users {
		s.Meet(u)
	}
	s.EnforceLimits(3, 1)
	// One per chat per second: the second message to chat 1 is refused.
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1, Text: "a"}); err != nil {
		t.Fatal(err)
	}
	_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1, Text: "b"})
	var tooMany *tg.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter < 1 {
		t.Fatalf("per chat: %v", err)
	}
	// Three overall per second: the fourth chat is refused.
	for _, id := range []int64{2, 3} {
		if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: id, Text: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 4, Text: "a"}); !errors.As(err, &tooMany) {
		t.Fatalf("global: %v", err)
	}
	if s.Count429() != 2 {
		t.Fatalf("429 count %d", s.Count429())
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 4, Text: "a"}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestCloseEndsLongPolls(t *testing.T) {
	s := fakeapi.New(token)
	b := client(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { b.Start(ctx); close(done) }()
	time.Sleep(100 * time.Millisecond)
	s.Close()
	cancel()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("polling did not stop after Close")
	}
}
