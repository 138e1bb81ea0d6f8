package fakeapi_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot/fakeapi"
)

// TestReplyMarkupAsTelegramReadsIt: the reply_markup and text rules of the
// Bot API server (tdlib/telegram-bot-api, Client::get_reply_markup and
// get_input_message_text; tdlib's get_reply_markup drops empty rows and an
// inline keyboard without a button): JSON null, an array or a string is
// "Object expected as reply markup"; text empty or over 4096 UTF-16 code
// units is refused. What Telegram accepts and drops silently ({}, no rows,
// an empty row) passes by default and is refused WithStrictMarkup, except
// an empty inline keyboard given to editMessageReplyMarkup, which removes
// the buttons.
func TestReplyMarkupAsTelegramReadsIt(t *testing.T) {
	lenient := newServer(t, fakeapi.WithKnownChat(alice.ID))
	strict := newServer(t, fakeapi.WithKnownChat(alice.ID), fakeapi.WithStrictMarkup())
	const button = `{"text":"A","callback_data":"a"}`
	send := func(s *fakeapi.Server, method string, params url.Values) (int, string) {
		t.Helper()
		params.Set("chat_id", "501")
		return post(t, s, token, method, "application/x-www-form-urlencoded", params.Encode())
	}
	msg := func(text, markup string) url.Values {
		v := url.Values{"text": {text}}
		if markup != "" {
			v.Set("reply_markup", markup)
		}
		return v
	}
	for _, c := range []struct {
		name, text, markup string
		lenient, strict    string // "" accepted, else a part of the 400's description
	}{
		{"no markup", "hi", "", "", ""},
		{"null", "hi", "null", "Object expected as reply markup", "Object expected as reply markup"},
		{"array", "hi", "[]", "Object expected as reply markup", "Object expected as reply markup"},
		{"string", "hi", `"x"`, "Object expected as reply markup", "Object expected as reply markup"},
		{"not JSON", "hi", "{", "can't parse reply keyboard markup", "can't parse reply keyboard markup"},
		{"empty object", "hi", "{}", "", "no button"},
		{"no rows", "hi", `{"inline_keyboard":[]}`, "", "no button"},
		{"only an empty row", "hi", `{"inline_keyboard":[[]]}`, "", "empty row"},
		{"an empty row among others", "hi", `{"inline_keyboard":[[` + button + `],[]]}`, "", "empty row"},
		{"empty reply keyboard", "hi", `{"keyboard":[],"resize_keyboard":true}`, "", "no button"},
		{"reply keyboard with an empty row", "hi", `{"keyboard":[["A"],[]]}`, "", "empty row"},
		{"a button", "hi", `{"inline_keyboard":[[` + button + `]]}`, "", ""},
		{"remove keyboard", "hi", `{"remove_keyboard":true}`, "", ""},
		{"empty text", "", "", "message text is empty", "message text is empty"},
		{"white space", " \n\t", "", "message text is empty", "message text is empty"},
		{"4096 characters", strings.Repeat("字", 4096), "", "", ""},
		{"4097 characters", strings.Repeat("字", 4097), "", "message is too long", "message is too long"},
		{"2049 emoji: 4098 UTF-16 units", strings.Repeat("🩺", 2049), "", "message is too long", "message is too long"},
	} {
		for _, s := range []struct {
			srv  *fakeapi.Server
			want string
		}{{lenient, c.lenient}, {strict, c.strict}} {
			code, body := send(s.srv, "sendMessage", msg(c.text, c.markup))
			switch {
			case s.want == "" && code != 200:
				t.Errorf("%s (strict %v): %d %s, want it accepted", c.name, s.srv == strict, code, body)
			case s.want != "" && (code != 400 || !strings.Contains(body, s.want) || !strings.Contains(body, "Bad Request: ")):
				t.Errorf("%s (strict %v): %d %s, want a 400 with %q", c.name, s.srv == strict, code, body, s.want)
			}
		}
	}
	// A message with a button, then edits of its markup.
	code, body := send(strict, "sendMessage", msg("pick", `{"inline_keyboard":[[`+button+`]]}`))
	if code != 200 {
		t.Fatal(body)
	}
	id := lastID(t, strict)
	edit := func(method, markup string) (int, string) {
		v := url.Values{"message_id": {id}, "text": {"picked"}}
		if markup != "" {
			v.Set("reply_markup", markup)
		}
		return send(strict, method, v)
	}
	if code, body := edit("editMessageText", `{"inline_keyboard":[]}`); code != 400 || !strings.Contains(body, "no button") {
		t.Errorf("editMessageText with no rows: %d %s", code, body)
	}
	if code, body := edit("editMessageText", "null"); code != 400 || !strings.Contains(body, "Object expected") {
		t.Errorf("editMessageText with null: %d %s", code, body)
	}
	if code, body := edit("editMessageReplyMarkup", `{"inline_keyboard":[]}`); code != 200 {
		t.Errorf("editMessageReplyMarkup removing the buttons: %d %s", code, body)
	}
	if m, _ := strict.Last(alice.ID); m.Inline != nil {
		t.Errorf("buttons left after their removal: %v", m.Inline)
	}
}

// lastID is the id of the bot's latest message to alice.
func lastID(t *testing.T, s *fakeapi.Server) string {
	t.Helper()
	m, ok := s.Last(alice.ID)
	if !ok {
		t.Fatal("no message")
	}
	return strconv.FormatInt(m.ID, 10)
}
