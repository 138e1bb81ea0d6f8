package bot

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// goldenMessage is one message of one language as the locales' golden file
// renders it.
type goldenMessage struct {
	key  string
	lang locales.Lang
	text string
}

// goldenMessages reads locales/testdata/messages.golden: every message of
// the catalog in every language, with sample arguments (TestEveryMessage-
// Golden writes it, so a new message is in it as soon as it exists).
func goldenMessages(t *testing.T) []goldenMessage {
	t.Helper()
	raw, err := os.ReadFile("../locales/testdata/messages.golden")
	if err != nil {
		t.Fatal(err)
	}
	keyLine, langLine := regexp.MustCompile(`^== (\S+)$`), regexp.MustCompile(`^-- (zh-Hans|zh-Hant|en)$`)
	var out []goldenMessage
	var cur *goldenMessage
	var lines []string
	flush := func() {
		if cur != nil {
			cur.text = strings.Join(lines, "\n")
			out = append(out, *cur)
		}
		cur, lines = nil, nil
	}
	key := ""
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := keyLine.FindStringSubmatch(line); m != nil {
			flush()
			key = m[1]
			continue
		}
		if m := langLine.FindStringSubmatch(line); m != nil {
			flush()
			cur = &goldenMessage{key: key, lang: locales.Lang(m[1])}
			continue
		}
		lines = append(lines, line)
	}
	flush()
	if len(out) < 3*500 {
		t.Fatalf("only %d messages read from the golden file", len(out))
	}
	return out
}

// TestEveryMessageIsAValidBotAPIRequest renders every outbound message and
// every reply the bot makes, with and without buttons, and sends each to a
// fake Bot API that refuses what Telegram refuses (JSON null as markup:
// "Object expected as reply markup"; text empty or over 4096 characters)
// and, strict, what Telegram drops without a word (a markup without a
// button, an empty row). Every message of the catalog in every language
// (the golden file) goes
//
//   - as a reply, through sendParams (the request b.send makes), once with
//     each markup a handler may pass that shows nothing (nil, a nil
//     *inlineKeyboard — the 🩺 list after ✅ Done —, no rows, an empty row,
//     a nil or empty reply keyboard) and once with one that shows buttons
//     (inline, each persistent keyboard, buttons beside an empty row);
//   - as an outbox row of each kind (planner.Kinds, taken in turn) through
//     planner.Text and the Telegram channel, as the dispatcher sends it, with each stored
//     markup (none, an empty row, buttons, each keyboard, for a member and
//     an organizer), and with a photo: the caption fitted to 1024.
//
// Over-long texts (a list of 5,000 characters, emoji that count twice)
// are fitted, and an empty text is never sent.
func TestEveryMessageIsAValidBotAPIRequest(t *testing.T) {
	// Many chats, each keeping a few of the messages (reading a chat's
	// last message copies them all).
	const chats = 200
	opts := []fakeapi.Option{fakeapi.WithStrictMarkup()}
	for c := range int64(chats) {
		opts = append(opts, fakeapi.WithKnownChat(1000+c))
	}
	srv := fakeapi.New("1:strict", opts...)
	chatOf := func(i int) int64 { return 1000 + int64(i%chats) }
	defer srv.Close()
	api, err := tg.New("1:strict", tg.WithServerURL(srv.URL()), tg.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	msgs := goldenMessages(t)
	long := strings.Repeat("王芳 — 季度孕检（三查）已于12月10日到期\n", 200) // 5,000+ characters
	msgs = append(msgs,
		goldenMessage{key: "(a long list)", lang: locales.ZhHans, text: long},
		goldenMessage{key: "(emoji)", lang: locales.En, text: strings.Repeat("🩺", 3000)})

	data := models.Callback{Action: models.ActPlanDone, ID: 1, Op: "1"}
	shows := func(l locales.Lang) []any { // markups that show buttons
		return []any{
			inline(row(cb(cat.T(l, "check.button.done"), data))),
			inline(row(cb("A", data)), row(), row(cb("B", data))),
			telegram.MemberKeyboard(cat, l), telegram.StrangerKeyboard(cat, l), telegram.OrganizerKeyboard(cat, l, ""),
		}
	}
	var nilInline *inlineKeyboard
	var nilReply *telegram.ReplyKeyboard
	hides := []any{nil, nilInline, inline(), inline(row()), nilReply, &telegram.ReplyKeyboard{}}

	check := func(what string, m goldenMessage, chat int64, sent *tgm.Message, err error, wantButtons bool) {
		t.Helper()
		switch {
		case err != nil:
			t.Errorf("%s %s %s: %v", what, m.key, m.lang, err)
		case wantButtons != (sent.ReplyMarkup != nil || lastHasKeyboard(srv, chat)):
			t.Errorf("%s %s %s: buttons shown %v, want %v", what, m.key, m.lang, !wantButtons, wantButtons)
		}
	}
	// Replies.
	for i, m := range msgs {
		for _, with := range []bool{false, true} {
			markup := hides[i%len(hides)]
			if with {
				s := shows(m.lang)
				markup = s[i%len(s)]
			}
			chat := chatOf(i)
			p := sendParams(chat, m.text, markup)
			if p == nil {
				t.Fatalf("reply %s %s: not sent", m.key, m.lang)
			}
			sent, err := api.SendMessage(ctx, p)
			check("reply", m, chat, sent, err, with)
		}
	}
	if sendParams(chatOf(0), " \n", nil) != nil {
		t.Error("an empty reply would be sent")
	}

	// Outbox rows, as the dispatcher renders and sends them.
	kinds := outbox.Kinds()
	button := models.ButtonSpec{Key: "check.button.done", Data: data.Encode()}
	stored := []struct {
		markup  planner.Markup
		buttons bool
	}{
		{planner.Markup{}, false},
		{planner.Markup{Inline: [][]models.ButtonSpec{{}}}, false},
		{planner.Markup{Inline: [][]models.ButtonSpec{{button}, {}}}, true},
		{planner.Markup{Inline: [][]models.ButtonSpec{{button}}}, true},
		{planner.Markup{Keyboard: planner.MemberKeys}, true},
		{planner.Markup{Keyboard: planner.StrangerKeys}, true},
		{planner.Markup{Keyboard: "gone"}, false},
	}
	photo := uploadPhoto(t, api, chatOf(0))
	channel, err := telegram.NewChannel(telegram.ChannelConfig{Token: "1:strict", APIURL: srv.URL(),
		Budget: budget.New(budget.NewMemory(1000, time.Millisecond, budget.SendTimeout), nil)}, cat)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i, m := range msgs {
		for j := range 2 {
			s := stored[(i+j)%len(stored)]
			chat := chatOf(i)
			o := outbox.Row{Kind: string(kinds[i%len(kinds)]), ChatID: chat, Text: m.text, Markup: s.markup.Encode()}
			photoRow := i%7 == 0 && j == 1
			if photoRow {
				o.PhotoFileID = photo
			}
			text, markup, err := planner.Text(cat, m.lang, time.UTC, now, &o)
			if err != nil {
				t.Fatalf("render %s %s: %v", m.key, m.lang, err)
			}
			res := channel.Send(ctx, dispatch.Message{Row: &o, Text: text, Markup: markup, Lang: m.lang, Organizer: i%2 == 0})
			sent, err := &tgm.Message{}, res.Err
			check(fmt.Sprintf("row %s (photo %v)", o.Kind, photoRow), m, chat, sent, err, s.buttons)
		}
	}
	// Every request reached the fake, and each was accepted.
	for _, r := range srv.Requests() {
		if r.Status != 200 {
			t.Fatalf("%s answered %d: %v", r.Method, r.Status, r.Params)
		}
		if mk, ok := r.Params["reply_markup"]; ok && (mk == "null" || mk == "{}" || strings.Contains(mk, "[]")) {
			t.Fatalf("%s sent reply_markup %s", r.Method, mk)
		}
		if n := len(utf16.Encode([]rune(r.Params["text"]))); r.Method == "sendMessage" && (n == 0 || n > telegram.MaxText) {
			t.Fatalf("a text of %d UTF-16 code units was sent", n)
		}
	}
}

// lastHasKeyboard reports whether the chat's latest message came with a
// reply keyboard (Telegram returns only inline markup on the message).
func lastHasKeyboard(srv *fakeapi.Server, chat int64) bool {
	m, ok := srv.Last(chat)
	return ok && (m.Keyboard != nil || m.Inline != nil)
}

// uploadPhoto sends a small photo to chat and returns its file_id, for
// rows that carry one.
func uploadPhoto(t *testing.T, api *tg.Bot, chat int64) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	m, err := api.SendPhoto(context.Background(), &tg.SendPhotoParams{ChatID: chat,
		Photo: &tgm.InputFileUpload{Filename: "c.png", Data: &buf}})
	if err != nil || len(m.Photo) == 0 {
		t.Fatalf("upload: %+v %v", m, err)
	}
	return m.Photo[len(m.Photo)-1].FileID
}
