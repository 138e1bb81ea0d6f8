package bot

import (
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// The Bot API's keyboard types are planner's (the dispatcher renders the
// same ones); these names keep the handlers short.
type (
	inlineButton   = telegram.InlineButton
	inlineKeyboard = telegram.InlineKeyboard
)

func inline(rows ...[]inlineButton) *inlineKeyboard {
	return &inlineKeyboard{InlineKeyboard: rows}
}

func row(buttons ...inlineButton) []inlineButton { return buttons }

func cb(text string, data models.Callback) inlineButton {
	return inlineButton{Text: text, CallbackData: data.Encode()}
}

// keyboardFor is the one rule of which persistent keyboard a reply brings:
// an organizer's (📢 🆕 📋 besides a member's keys), a member's, or a
// stranger's (share the phone, ask to join), by the role the user has now.
// Every reply that shows a keyboard takes it from here.
func (b *Bot) keyboardFor(r *request) *telegram.ReplyKeyboard {
	switch {
	case r.member.IsOrganizer():
		return telegram.OrganizerKeyboard(b.cat, r.lang, b.cfg.ConsoleURL)
	case r.member.OnRoster():
		return telegram.MemberKeyboard(b.cat, r.lang)
	}
	return telegram.StrangerKeyboard(b.cat, r.lang)
}

// menuAction finds which keyboard button a text is, in any language: a
// member who switched language may still press an old keyboard.
func (b *Bot) menuAction(text string) string {
	for _, key := range telegram.MenuKeys() {
		for _, l := range locales.All() {
			if text == b.cat.T(l, key) {
				return key
			}
		}
	}
	return ""
}
