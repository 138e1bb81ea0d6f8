package fakeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const token = "123456:AAH-fake-secret_token"

var alice = fakeapi.User{ID: 501, FirstName: "Alice", LastName: "Liddell", Username: "alice", LanguageCode: "en"}

func newServer(t *testing.T, opts ...fakeapi.Option) *fakeapi.Server {
	t.Helper()
	s := fakeapi.New(token, opts...)
	t.Cleanup(s.Close)
	return s
}

// newBot is a real go-telegram client of s; it does not poll.
func newBot(t *testing.T, s *fakeapi.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{bot.WithServerURL(s.URL()),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}),
		bot.WithErrorsHandler(func(error) {})}, opts...)
	b, err := bot.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// start polls until the test ends.
func start(t *testing.T, b *bot.Bot) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

// post calls the API without the client.
func post(t *testing.T, s *fakeapi.Server, tok, method, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(s.URL()+"/bot"+tok+"/"+method, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestGetMe(t *testing.T) {
	s := newServer(t, fakeapi.WithBotUsername("other_bot"))
	me, err := newBot(t, s).GetMe(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 100000 || !me.IsBot || me.Username != "other_bot" || s.BotUser().Username != "other_bot" {
		t.Fatalf("getMe = %+v", me)
	}
}

func TestAuthAndUnknownMethod(t *testing.T) {
	s := newServer(t)
	_, err := bot.New("999:wrong", bot.WithServerURL(s.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}
	code, body := post(t, s, token, "noSuchMethod", "", "")
	if code != 404 || body != `{"ok":false,"error_code":404,"description":"Not Found"}` {
		t.Fatalf("unknown method: %d %s", code, body)
	}
	code, body = post(t, s, "999:wrong", "getMe", "", "")
	if code != 401 || strings.Contains(body, "wrong") {
		t.Fatalf("wrong token: %d %s", code, body)
	}
	for _, r := range s.Requests() {
		if strings.Contains(r.Method+r.Params["token"], token) {
			t.Fatalf("the token was recorded: %+v", r)
		}
	}
	if rs := s.RequestsFor("getme"); len(rs) != 2 || rs[0].Status != 401 || rs[1].Status != 401 {
		t.Fatalf("getMe requests: %+v", rs)
	}
}

func TestOtherEncodings(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	code, body := post(t, s, token, "sendMessage", "application/json",
		`{"chat_id":501,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`)
	if code != 200 || !strings.Contains(body, `"reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`) {
		t.Fatalf("json: %d %s", code, body)
	}
	if code, body = post(t, s, token, "SENDMESSAGE", "application/x-www-form-urlencoded", "chat_id=501&text=form"); code != 200 {
		t.Fatalf("form: %d %s", code, body)
	}
	resp, err := http.Get(s.URL() + "/bot" + token + "/sendMessage?chat_id=501&text=" + url.QueryEscape("query string"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET: %v %v", resp, err)
	}
	resp.Body.Close()
	var texts []string
	for _, m := range s.Messages(alice.ID) {
		texts = append(texts, m.Text)
	}
	if strings.Join(texts, "|") != "json|form|query string" {
		t.Fatalf("messages: %q", texts)
	}
	if m := s.Messages(alice.ID)[0]; len(m.Inline) != 1 || m.Inline[0][0] != (fakeapi.Button{Text: "A", CallbackData: "a"}) {
		t.Fatalf("inline: %+v", m.Inline)
	}
	if rs := s.RequestsFor("sendMessage"); len(rs) != 3 || rs[1].ChatID != alice.ID || rs[1].Params["text"] != "form" {
		t.Fatalf("requests: %+v", rs)
	}
}

func TestTextReachesHandler(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	got := make(chan *models.Message, 1)
	b.RegisterHandler(bot.HandlerTypeMessageText, "start", bot.MatchTypeCommand, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		got <- u.Message
		b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "welcome " + u.Message.From.FirstName,
			ReplyMarkup: models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "share", RequestContact: true}}}}})
	})
	start(t, b)
	id := s.SendText(alice, "/start payload")
	var m *models.Message
	select {
	case m = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler got nothing")
	}
	if m.ID != int(id) || m.Chat.ID != alice.ID || m.From.Username != "alice" || m.From.LanguageCode != "en" ||
		len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Length != 6 {
		t.Fatalf("message: %+v", m)
	}
	msgs, err := s.WaitMessages(ctx(t), alice.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := fakeapi.Button{Text: "share", RequestContact: true}
	if msgs[0].Text != "welcome Alice" || msgs[0].Inline != nil || len(msgs[0].Keyboard) != 1 || msgs[0].Keyboard[0][0] != want {
		t.Fatalf("reply: %+v", msgs[0])
	}
	if msgs[0].ID != id+1 {
		t.Fatalf("the reply's id %d does not follow the user's %d", msgs[0].ID, id)
	}
}

func TestPressButton(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	b.RegisterHandler(bot.HandlerTypeCallbackQueryData, "vote:", bot.MatchTypePrefix, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		cq := u.CallbackQuery
		b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "got " + cq.Data})
		b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: cq.Message.Message.Chat.ID,
			MessageID: cq.Message.Message.ID, Text: "voted " + cq.Data})
	})
	start(t, b)
	s.Meet(alice)
	kb := models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
		{{Text: "Yes", CallbackData: "vote:yes"}, {Text: "No", CallbackData: "vote:no"}},
		{{Text: "Site", URL: "https://example.org"}}}}
	sent, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "Vote?", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if sent.ReplyMarkup == nil || len(sent.ReplyMarkup.InlineKeyboard) != 2 || sent.From.ID != 100000 {
		t.Fatalf("sent: %+v", sent)
	}
	if _, err := s.PressButton(alice, alice.ID, int64(sent.ID), "Maybe"); err == nil {
		t.Fatal("pressed a button that does not exist")
	}
	if _, err := s.PressButton(alice, alice.ID, int64(sent.ID), "Site"); err == nil {
		t.Fatal("pressed a URL button")
	}
	id, err := s.PressButton(alice, alice.ID, int64(sent.ID), "No")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitFor(ctx(t), func() bool { m, _ := s.Last(alice.ID); return m.Edited == 1 }); err != nil {
		t.Fatal(err)
	}
	if s.CallbackAnswers()[id] != "got vote:no" {
		t.Fatalf("answers: %v", s.CallbackAnswers())
	}
	if m, _ := s.Last(alice.ID); m.Text != "voted vote:no" || m.Inline != nil {
		t.Fatalf("after the edit (no reply_markup removes the keyboard): %+v", m)
	}
	// Answering twice is refused, as is an unknown id.
	for _, qid := range []string{id, "nope"} {
		_, err := b.AnswerCallbackQuery(ctx(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: qid})
		if err == nil || !strings.Contains(err.Error(), "query is too old") {
			t.Fatalf("answer %s: %v", qid, err)
		}
	}
}

func TestSendCallback(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	got := make(chan *models.CallbackQuery, 2)
	b.RegisterHandler(bot.HandlerTypeCallbackQueryData, "", bot.MatchTypePrefix, func(_ context.Context, _ *bot.Bot, u *models.Update) {
		got <- u.CallbackQuery
	})
	start(t, b)
	s.SendCallback(alice, alice.ID, 77, "forged")
	select {
	case cq := <-got:
		if cq.Data != "forged" || cq.Message.Type != models.MaybeInaccessibleMessageTypeInaccessibleMessage ||
			cq.Message.InaccessibleMessage.MessageID != 77 || cq.From.ID != alice.ID {
			t.Fatalf("callback: %+v", cq)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
	}
}

func TestEditsAndNotModified(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	kb := models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "A", CallbackData: "a"}}}}
	sent, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "one", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	edit := &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: sent.ID, Text: "one", ReplyMarkup: kb}
	if _, err := b.EditMessageText(ctx(t), edit); err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same content: %v", err)
	}
	edit.Text = "two"
	edited, err := b.EditMessageText(ctx(t), edit)
	if err != nil || edited.Text != "two" || edited.EditDate == 0 {
		t.Fatalf("edit: %+v %v", edited, err)
	}
	kb2 := models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "B", CallbackData: "b"}}}}
	if _, err := b.EditMessageReplyMarkup(ctx(t), &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: sent.ID, ReplyMarkup: kb2}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Last(alice.ID)
	if m.Text != "two" || m.Edited != 2 || m.Inline[0][0].Text != "B" {
		t.Fatalf("after edits: %+v", m)
	}
	if _, err := b.EditMessageReplyMarkup(ctx(t), &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: sent.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx(t), &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: sent.ID}); err == nil ||
		!strings.Contains(err.Error(), "not modified") {
		t.Fatalf("removing a removed keyboard: %v", err)
	}
	if m, _ := s.Last(alice.ID); m.Inline != nil {
		t.Fatalf("keyboard not removed: %+v", m.Inline)
	}
	_, err = b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 999, Text: "x"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("missing message: %v", err)
	}
}

// TestEditsRefused: a message Telegram no longer lets the bot edit, and
// one its user deleted, refuse edits as Telegram does; others still edit.
func TestEditsRefused(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	var ids []int
	for _, text := range []string{"old", "deleted", "fine"} {
		m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if !s.Uneditable(alice.ID, int64(ids[0])) || !s.UserDeletes(alice.ID, int64(ids[1])) || s.UserDeletes(alice.ID, 999) {
		t.Fatal("Uneditable or UserDeletes missed the bot's messages, or found one never sent")
	}
	for i, want := range []string{"Bad Request: message can't be edited", "Bad Request: message to edit not found", ""} {
		_, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: ids[i], Text: "new"})
		if want == "" && err != nil || want != "" && (!errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), want)) {
			t.Fatalf("edit %d: %v, want %q", i, err, want)
		}
	}
	if ms := s.Messages(alice.ID); len(ms) != 2 || ms[0].Text != "old" || ms[1].Text != "new" {
		t.Fatalf("after the edits: %+v", ms)
	}
}

func TestSendErrors(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	for _, c := range []struct {
		p    *bot.SendMessageParams
		want string
	}{
		{&bot.SendMessageParams{ChatID: 42, Text: "hi"}, "Bad Request: chat not found"},
		{&bot.SendMessageParams{ChatID: alice.ID, Text: "  \n"}, "Bad Request: message text is empty"},
		{&bot.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("é", 4097)}, "Bad Request: message is too long"},
		{&bot.SendMessageParams{ChatID: alice.ID, Text: "<b>bold</i>", ParseMode: models.ParseModeHTML}, "Bad Request: can't parse entities: "},
		{&bot.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "long", CallbackData: strings.Repeat("d", 65)}}}}}, "Bad Request: BUTTON_DATA_INVALID"},
		{&bot.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: ""}}}}},
			"Bad Request: BUTTON_TEXT_INVALID"},
	} {
		_, err := b.SendMessage(ctx(t), c.p)
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("send %+v: %v, want %q", c.p.Text, err, c.want)
		}
	}
	// 64 bytes of callback data is fine; HTML is parsed.
	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: " <b>Hi</b> &amp; bye ", ParseMode: models.ParseModeHTML,
		ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "ok", CallbackData: strings.Repeat("d", 64)}}}}})
	if err != nil || m.Text != "Hi & bye" || len(m.Entities) != 1 || m.Entities[0].Type != "bold" || m.Entities[0].Length != 2 {
		t.Fatalf("HTML: %+v %v", m, err)
	}
}

// TestCopyTextButtons: go-telegram/bot v1.19 always serializes
// "copy_text":{"text":""}, and the fake answers as the real Bot API server
// does (see validateInlineButton).
func TestCopyTextButtons(t *testing.T) {
	raw, _ := json.Marshal(models.InlineKeyboardButton{Text: "A", CallbackData: "a"})
	if !strings.Contains(string(raw), `"copy_text":{"text":""}`) {
		t.Fatalf("go-telegram/bot no longer sends copy_text with every button: %s; revisit this test", raw)
	}
	send := func(s *fakeapi.Server, btn models.InlineKeyboardButton) error {
		_, err := newBot(t, s).SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x",
			ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{btn}}}})
		return err
	}
	// Real Telegram: callback_data comes before copy_text, which is ignored.
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	if err := send(s, models.InlineKeyboardButton{Text: "A", CallbackData: "a"}); err != nil {
		t.Fatalf("callback button with the empty copy_text: %v", err)
	}
	if m, _ := s.Last(alice.ID); m.Inline[0][0] != (fakeapi.Button{Text: "A", CallbackData: "a"}) {
		t.Fatalf("button: %+v", m.Inline)
	}
	// Without callback_data the button is a copy-text one, with empty text.
	if err := send(s, models.InlineKeyboardButton{Text: "A"}); err == nil || !strings.Contains(err.Error(), "BUTTON_COPY_TEXT_INVALID") {
		t.Fatalf("text-only button: %v", err)
	}
	// A button with neither: "Text buttons are unallowed".
	code, body := post(t, s, token, "sendMessage", "application/json", `{"chat_id":501,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"A"}]]}}`)
	if code != 400 || !strings.Contains(body, "Text buttons are unallowed in the inline keyboard") {
		t.Fatalf("plain text button: %d %s", code, body)
	}
	// WithStrictButtons follows the documentation's "exactly one" instead.
	strict := newServer(t, fakeapi.WithKnownChat(alice.ID), fakeapi.WithStrictButtons())
	if err := send(strict, models.InlineKeyboardButton{Text: "A", CallbackData: "a"}); !errors.Is(err, bot.ErrorBadRequest) ||
		!strings.Contains(err.Error(), "exactly one") {
		t.Fatalf("strict: %v", err)
	}
	// A button type with only the fields used, like assocbot's own, passes
	// either way.
	type ownButton struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data,omitempty"`
		URL          string `json:"url,omitempty"`
	}
	own := struct {
		InlineKeyboard [][]ownButton `json:"inline_keyboard"`
	}{[][]ownButton{{{Text: "A", CallbackData: "a"}, {Text: "B", URL: "https://example.org"}}}}
	for _, srv := range []*fakeapi.Server{s, strict} {
		if _, err := newBot(t, srv).SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: own}); err != nil {
			t.Fatalf("own button type: %v", err)
		}
		if m, _ := srv.Last(alice.ID); m.Inline[0][1] != (fakeapi.Button{Text: "B", URL: "https://example.org"}) {
			t.Fatalf("own buttons: %+v", m.Inline)
		}
	}
}

func TestBlock(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	s.Block(alice.ID)
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("blocked: %v", err)
	}
	if rs := s.RequestsFor("sendMessage"); len(rs) != 1 || rs[0].Status != 403 {
		t.Fatalf("requests: %+v", rs)
	}
	s.Unblock(alice.ID)
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
}

func TestFailNext(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	s.FailNext("sendMessage", 1, fakeapi.Failure{Status: 429, RetryAfter: 7})
	s.FailNext("", 1, fakeapi.Failure{Status: 502, NonJSON: true})
	p := &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}
	_, err := b.SendMessage(ctx(t), p)
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 || !strings.Contains(err.Error(), "Too Many Requests: retry after 7") {
		t.Fatalf("429: %v", err)
	}
	if _, err = b.SendMessage(ctx(t), p); err == nil || !strings.Contains(err.Error(), "error decode response body") {
		t.Fatalf("502: %v", err)
	}
	if _, err = b.SendMessage(ctx(t), p); err != nil {
		t.Fatalf("after the failures: %v", err)
	}
	if s.Count429() != 1 || len(s.Messages(alice.ID)) != 1 {
		t.Fatalf("429s %d, messages %d", s.Count429(), len(s.Messages(alice.ID)))
	}
	// A delay only, then a normal answer; and a refused method.
	s.FailNext("getMe", 1, fakeapi.Failure{Delay: 50 * time.Millisecond})
	t0 := time.Now()
	if _, err := b.GetMe(ctx(t)); err != nil || time.Since(t0) < 50*time.Millisecond {
		t.Fatalf("delayed getMe: %v after %v", err, time.Since(t0))
	}
	s.Refuse("setMyCommands")
	if _, err := b.SetMyCommands(ctx(t), &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "a", Description: "b"}}}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("refused: %v", err)
	}
}

func TestEnforceLimits(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID), fakeapi.WithKnownChat(502), fakeapi.WithKnownChat(503))
	b := newBot(t, s)
	s.EnforceLimits(3, 2)
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: chat, Text: "hi"})
		return err
	}
	for _, c := range []int64{alice.ID, alice.ID, 502} { // within both limits
		if err := send(c); err != nil {
			t.Fatalf("under the limits: %v", err)
		}
	}
	var tooMany *bot.TooManyRequestsError
	if err := send(503); !errors.As(err, &tooMany) || tooMany.RetryAfter < 1 {
		t.Fatalf("4th send in a second: %v", err)
	}
	time.Sleep(1100 * time.Millisecond)
	if err := send(alice.ID); err != nil {
		t.Fatalf("a second later: %v", err)
	}
	if err := send(alice.ID); err != nil {
		t.Fatalf("2nd to the chat: %v", err)
	}
	if err := send(alice.ID); !errors.As(err, &tooMany) || !strings.Contains(err.Error(), "Too Many Requests: retry after 1") {
		t.Fatalf("3rd to the chat in a second: %v", err)
	}
	if s.Count429() != 2 {
		t.Fatalf("Count429 = %d", s.Count429())
	}
}

func TestLongPoll(t *testing.T) {
	s := newServer(t)
	type result struct {
		code int
		body string
		took time.Duration
	}
	poll := func(offset string) chan result {
		ch := make(chan result, 1)
		go func() {
			t0 := time.Now()
			code, body := post(t, s, token, "getUpdates", "application/x-www-form-urlencoded", "timeout=10&offset="+offset)
			ch <- result{code, body, time.Since(t0)}
		}()
		return ch
	}
	waitPolling := func(n int) {
		if err := s.WaitFor(ctx(t), func() bool { return len(s.RequestsFor("getUpdates")) == n }); err != nil {
			t.Fatal(err)
		}
	}
	first := poll("0")
	waitPolling(1)
	s.SendText(alice, "hello")
	r := <-first
	if r.code != 200 || !strings.Contains(r.body, `"update_id":1`) || !strings.Contains(r.body, `"text":"hello"`) || r.took > 2*time.Second {
		t.Fatalf("long poll: %+v", r)
	}
	// The update stays until confirmed by offset.
	if _, body := post(t, s, token, "getUpdates", "", ""); !strings.Contains(body, `"update_id":1`) {
		t.Fatalf("unconfirmed update gone: %s", body)
	}
	if _, body := post(t, s, token, "getUpdates", "application/json", `{"offset":2}`); body != `{"ok":true,"result":[]}` {
		t.Fatalf("after confirming: %s", body)
	}
	// A newer poll terminates an older one.
	older := poll("2")
	waitPolling(4)
	// Received is not enough: the older poll must be waiting before the
	// newer one comes, or the newer one is the older.
	if err := s.WaitFor(ctx(t), func() bool { return s.Polls() == 4 }); err != nil {
		t.Fatal(err)
	}
	newer := poll("2")
	if r := <-older; r.code != 409 || !strings.Contains(r.body, "terminated by other getUpdates request") {
		t.Fatalf("older poll: %+v", r)
	}
	// Close returns the waiting poll at once.
	t0 := time.Now()
	s.Close()
	if r := <-newer; r.code != 200 || time.Since(t0) > time.Second {
		t.Fatalf("poll at close: %+v after %v", r, time.Since(t0))
	}
}

func TestWebhookConflict(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	if _, err := b.SetWebhook(ctx(t), &bot.SetWebhookParams{URL: "http://insecure"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("http webhook: %v", err)
	}
	if ok, err := b.SetWebhook(ctx(t), &bot.SetWebhookParams{URL: "https://example.org/hook", SecretToken: "s3cret"}); !ok || err != nil {
		t.Fatal(err)
	}
	if u, sec := s.Webhook(); u != "https://example.org/hook" || sec != "s3cret" {
		t.Fatalf("webhook %q %q", u, sec)
	}
	if code, body := post(t, s, token, "getUpdates", "", ""); code != 409 || !strings.Contains(body, "webhook is active") {
		t.Fatalf("getUpdates with a webhook: %d %s", code, body)
	}
	if ok, err := b.DeleteWebhook(ctx(t), &bot.DeleteWebhookParams{}); !ok || err != nil {
		t.Fatal(err)
	}
	if code, _ := post(t, s, token, "getUpdates", "", ""); code != 200 {
		t.Fatalf("after deleteWebhook: %d", code)
	}
}

func TestCommands(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	cmds := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	if _, err := b.SetMyCommands(ctx(t), &bot.SetMyCommandsParams{Commands: cmds, LanguageCode: "zh"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(ctx(t), &bot.SetMyCommandsParams{Commands: cmds[:1], Scope: &models.BotCommandScopeChat{ChatID: alice.ID}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*bot.SetMyCommandsParams{
		{Commands: cmds, LanguageCode: "zh-hans"},
		{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}},
		{Commands: []models.BotCommand{{Command: "start", Description: ""}}},
		{Commands: cmds, Scope: &models.BotCommandScopeChat{ChatID: 42}},
	} {
		if _, err := b.SetMyCommands(ctx(t), p); !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("setMyCommands %+v: %v", p, err)
		}
	}
	got := s.Commands()
	if len(got) != 2 || got[0].Scope != "default" || got[0].LanguageCode != "zh" || len(got[0].Commands) != 2 ||
		got[1].Scope != "chat:501" || got[1].Commands[0] != (fakeapi.Command{Command: "start", Description: "Start"}) {
		t.Fatalf("commands: %+v", got)
	}
	list, err := b.GetMyCommands(ctx(t), &bot.GetMyCommandsParams{LanguageCode: "zh"})
	if err != nil || len(list) != 2 || list[1].Command != "help" {
		t.Fatalf("getMyCommands: %+v %v", list, err)
	}
	if _, err := b.DeleteMyCommands(ctx(t), &bot.DeleteMyCommandsParams{LanguageCode: "zh"}); err != nil || len(s.Commands()) != 1 {
		t.Fatalf("deleteMyCommands: %v %+v", err, s.Commands())
	}
}

func pngBytes(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

func download(t *testing.T, link string) []byte {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("download: %s", resp.Status)
	}
	data, _ := io.ReadAll(resp.Body)
	return data
}

func TestFiles(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	doc, err := b.SendDocument(ctx(t), &bot.SendDocumentParams{ChatID: alice.ID, Caption: "the list",
		Document: &models.InputFileUpload{Filename: "list.csv", Data: strings.NewReader("a,b\n1,2\n")}})
	if err != nil || doc.Document == nil || doc.Document.FileName != "list.csv" || doc.Document.FileSize != 8 || doc.Caption != "the list" {
		t.Fatalf("sendDocument: %+v %v", doc, err)
	}
	m, _ := s.Last(alice.ID)
	if m.Document == nil || string(m.Document.Data) != "a,b\n1,2\n" || m.Text != "the list" {
		t.Fatalf("document message: %+v", m)
	}
	if r := s.RequestsFor("sendDocument")[0]; r.Params["document"] != "<file list.csv, 8 bytes>" {
		t.Fatalf("recorded: %+v", r.Params)
	}
	// Resent by file_id.
	if _, err := b.SendDocument(ctx(t), &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileString{Data: doc.Document.FileID}}); err != nil {
		t.Fatal(err)
	}
	img := pngBytes(3, 2)
	photo, err := b.SendPhoto(ctx(t), &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "p.png", Data: bytes.NewReader(img)}})
	if err != nil || len(photo.Photo) != 1 || photo.Photo[0].Width != 3 || photo.Photo[0].Height != 2 {
		t.Fatalf("sendPhoto: %+v %v", photo, err)
	}
	if m, _ := s.Last(alice.ID); m.Photo == nil || !bytes.Equal(m.Photo.Data, img) {
		t.Fatalf("photo message: %+v", m)
	}
	if _, err := b.SendPhoto(ctx(t), &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "p.png", Data: strings.NewReader("not an image")}}); err == nil {
		t.Fatal("a photo that is no image was accepted")
	}
	// A file the user sent, fetched as the bot would.
	got := make(chan *models.Document, 1)
	b.RegisterHandlerMatchFunc(func(u *models.Update) bool { return u.Message != nil && u.Message.Document != nil },
		func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u.Message.Document })
	start(t, b)
	s.SendDocument(alice, "members.xlsx", []byte("PK..."), "please import")
	var d *models.Document
	select {
	case d = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no document update")
	}
	f, err := b.GetFile(ctx(t), &bot.GetFileParams{FileID: d.FileID})
	if err != nil || f.FileSize != 5 {
		t.Fatalf("getFile: %+v %v", f, err)
	}
	if data := download(t, b.FileDownloadLink(f)); string(data) != "PK..." {
		t.Fatalf("downloaded %q", data)
	}
	if _, err := b.GetFile(ctx(t), &bot.GetFileParams{FileID: "nope"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("unknown file: %v", err)
	}
}

func TestContactAndInject(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	got := make(chan *models.Update, 4)
	b.RegisterHandlerMatchFunc(func(*models.Update) bool { return true }, func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u })
	start(t, b)
	s.SendContact(alice, fakeapi.Contact{PhoneNumber: "+8613800138000", UserID: alice.ID})
	s.Inject(json.RawMessage(`{"message":{"message_id":9,"date":1,"chat":{"id":777,"type":"private"},"from":{"id":777,"is_bot":false,"first_name":"Z"},"text":"raw"}}`))
	s.Inject(json.RawMessage(`not json`))
	var ups []*models.Update
	for len(ups) < 3 {
		select {
		case u := <-got:
			ups = append(ups, u)
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d updates", len(ups))
		}
	}
	for _, u := range ups {
		switch {
		case u.Message != nil && u.Message.Contact != nil:
			if c := u.Message.Contact; c.PhoneNumber != "+8613800138000" || c.UserID != alice.ID || c.FirstName != "Alice" {
				t.Fatalf("contact: %+v", c)
			}
		case u.Message != nil:
			if u.Message.Text != "raw" || u.ID != 2 {
				t.Fatalf("injected: %+v", u)
			}
		case u.ID != 3:
			t.Fatalf("not-json update: %+v", u)
		}
	}
	// The injected chat is known now; its message ids continue.
	m, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: 777, Text: "hi"})
	if err != nil || m.ID != 10 {
		t.Fatalf("send to injected chat: %+v %v", m, err)
	}
}

func TestLatencyAndSubscribe(t *testing.T) {
	s := newServer(t, fakeapi.WithKnownChat(alice.ID))
	b := newBot(t, s)
	events, unsubscribe := s.Subscribe()
	s.SetLatency(100 * time.Millisecond)
	t0 := time.Now()
	sent, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "slow"})
	if err != nil || time.Since(t0) < 100*time.Millisecond {
		t.Fatalf("latency: %v after %v", err, time.Since(t0))
	}
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.SendMessage(short, &bot.SendMessageParams{ChatID: alice.ID, Text: "abandoned"}); err == nil {
		t.Fatal("the request outlived its context")
	}
	s.SetLatency(0)
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: sent.ID, Text: "edited"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"message:slow", "edit:edited"} {
		select {
		case ev := <-events:
			if got := ev.Kind + ":" + ev.Message.Text; got != want {
				t.Fatalf("event %s, want %s", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event %s", want)
		}
	}
	unsubscribe()
	if _, ok := <-events; ok {
		t.Fatal("channel open after unsubscribe")
	}
	unsubscribe()
	// A subscriber that never reads does not block the server.
	_, unsubscribe = s.Subscribe()
	defer unsubscribe()
	for i := 0; i < 300; i++ {
		if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	b.RegisterHandler(bot.HandlerTypeMessageText, "", bot.MatchTypePrefix, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "echo " + u.Message.Text})
	})
	start(t, b)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fakeapi.User{ID: int64(1000 + i), FirstName: "U"}
			s.SendText(u, "hi")
			s.SendText(u, "again")
			s.Messages(u.ID)
			s.Requests()
		}()
	}
	wg.Wait()
	for i := range 20 {
		if _, err := s.WaitMessages(ctx(t), int64(1000+i), 2); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCloseLeavesNothing: Close ends long polls and delayed answers at once,
// and no goroutine of the server outlives it.
func TestCloseLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	s := fakeapi.New(token, fakeapi.WithKnownChat(alice.ID))
	transport := &http.Transport{}
	client := &http.Client{Transport: transport}
	b, err := bot.New(token, bot.WithServerURL(s.URL()), bot.WithHTTPClient(time.Minute, client),
		bot.WithErrorsHandler(func(error) {}), bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Start(ctx) }()
	s.SetLatency(time.Minute)
	sent := make(chan error, 1)
	go func() {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "slow"})
		sent <- err
	}()
	if err := s.WaitFor(ctx, func() bool {
		return len(s.RequestsFor("getUpdates")) > 0 && len(s.RequestsFor("sendMessage")) > 0
	}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	s.Close()
	if took := time.Since(t0); took > time.Second {
		t.Fatalf("Close took %v", took)
	}
	<-sent
	cancel()
	<-done
	transport.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestSetChatMenuButton: a web_app menu button needs a text and an https
// URL, as Telegram's; the default one clears it.
func TestSetChatMenuButton(t *testing.T) {
	s := fakeapi.New("1:menu")
	defer s.Close()
	b, err := bot.New("1:menu", bot.WithServerURL(s.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{ChatID: 7,
		MenuButton: models.MenuButtonWebApp{Type: models.MenuButtonTypeWebApp, Text: "📊", WebApp: models.WebAppInfo{URL: "http://insecure.example/app/"}}}); err == nil {
		t.Fatal("an http Mini App accepted")
	}
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{ChatID: 7,
		MenuButton: models.MenuButtonWebApp{Type: models.MenuButtonTypeWebApp, Text: "📊", WebApp: models.WebAppInfo{URL: "https://ok.example/app/"}}}); err != nil || s.MenuButton(7) != "https://ok.example/app/" {
		t.Fatalf("an https one: %v %q", err, s.MenuButton(7))
	}
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{ChatID: 7, MenuButton: models.MenuButtonDefault{Type: models.MenuButtonTypeDefault}}); err != nil || s.MenuButton(7) != "" {
		t.Fatalf("back to the default: %v %q", err, s.MenuButton(7))
	}
}
