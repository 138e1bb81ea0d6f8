package bot_test

import (
	"encoding/json"
	"testing"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// FuzzUpdates feeds the real handlers, on a real database, with updates built
// from fuzzed parts (kind, text, callback data, language, contact) and with
// raw update JSON. The handlers run without the panic guard, so any panic
// fails. `make fuzz` runs it for two minutes.
func FuzzUpdates(f *testing.F) {
	for _, s := range []struct {
		kind  uint8
		text  string
		data  string
		lang  string
		phone string
		raw   string
	}{
		{0, "/start", "", "zh-hant", "", ""},
		{0, "/start AAAAAAAAAAAAAAAAAAAAAA", "", "en", "", ""},
		{0, "/invite 13800138000", "", "zh", "", ""},
		{0, "/help@assoc_test_bot", "", "fr", "", ""},
		{0, "📅 My events", "", "", "", ""},
		{0, "/", "", "", "", ""},
		{1, "", "lang:zh-Hant", "en", "", ""},
		{1, "", "jr:a:1", "en", "", ""},
		{1, "", "jb:1", "", "", ""},
		{1, "", "jc:99999999999", "", "", ""},
		{1, "", "join", "", "", ""},
		{1, "", "rv:1:29400000:y", "en", "", ""},
		{1, "", "rv:1:-5:g", "en", "", ""},
		{1, "", "ck:1:29400000:2", "", "", ""},
		{1, "", "rt:1:29400000:9", "", "", ""},
		{1, "", "ic:1", "", "", ""},
		{1, "", "ne:k:meeting", "", "", ""},
		{1, "", "ne:a:b:1", "", "", ""},
		{1, "", "bc:a:t:", "", "", ""},
		{0, "/newevent meeting | 2030-01-01 09:00 | T | P | branch:Town | cap=3 deadline=2029-12-31 18:00", "", "", "", ""},
		{0, "/rsvp 1 yes 13800138000", "", "", "", ""},
		{0, "/editevent 1 time 2030-01-01 10:00", "", "", "", ""},
		{0, "/checkin 1", "", "", "", ""},
		{0, "/calendar", "", "", "", ""},
		{2, "", "", "zh-cn", "8613800138000", ""},
		{2, "", "", "zh-cn", "+1 (555) 0100", ""},
		{3, "", "", "", "", `{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"x"},"text":"/lang"}}`},
		{3, "", "", "", "", `{"callback_query":{"id":"1","from":{"id":5,"first_name":"x"},"data":"jr:d:1"}}`},
	} {
		f.Add(s.kind, s.text, s.data, s.lang, s.phone, s.raw)
	}
	h := bottest.New(f)
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer})
	h.Add(store.NewMember{Name: "M", Phone: "13800138000", Branch: "Town/Village"})
	// The fuzzing user is an organizer, so the organizer paths are reached too.
	h.Add(store.NewMember{Name: "Fuzz", Phone: "13800000009", Branch: "Town", Role: models.RoleOrganizer})
	h.Link("13800000009", fakeapi.User{ID: 5, FirstName: "Fuzz"})
	ev := &models.Event{Kind: models.EventMeeting, Title: "E", StartAt: time.Now().Add(48 * time.Hour), Audience: "branch:Town", RSVP: true, Capacity: 2, AllowGuests: true}
	if _, err := h.St.CreateEvent(ctx, ev, bottest.Shanghai, time.Now()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, kind uint8, text, data, lang, phone, raw string) {
		from := tgm.User{ID: 5, FirstName: "Fuzz", LanguageCode: lang}
		chat := tgm.Chat{ID: 5, Type: tgm.ChatTypePrivate}
		var upd tgm.Update
		switch kind % 4 {
		case 0:
			upd.Message = &tgm.Message{ID: 1, From: &from, Chat: chat, Text: text}
		case 1:
			upd.CallbackQuery = &tgm.CallbackQuery{ID: "q", From: from, Data: data,
				Message: tgm.MaybeInaccessibleMessage{Message: &tgm.Message{ID: 1, Chat: chat}}}
		case 2:
			upd.Message = &tgm.Message{ID: 1, From: &from, Chat: chat, Contact: &tgm.Contact{PhoneNumber: phone, UserID: 5}}
		case 3:
			if json.Unmarshal([]byte(raw), &upd) != nil {
				return
			}
		}
		h.Bot.HandleUpdate(ctx, &upd)
	})
}
