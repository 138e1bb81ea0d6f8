package bot

import (
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
)

// The Bot API's keyboard types are planner's (the dispatcher renders the
// same ones); these names keep the handlers short.
type (
	inlineButton   = planner.InlineButton
	inlineKeyboard = planner.InlineKeyboard
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
func (b *Bot) keyboardFor(r *request) *planner.ReplyKeyboard {
	switch {
	case r.member.IsOrganizer():
		return planner.OrganizerKeyboard(b.cat, r.lang)
	case r.member.OnRoster():
		return planner.MemberKeyboard(b.cat, r.lang)
	}
	return planner.StrangerKeyboard(b.cat, r.lang)
}

// menuAction finds which keyboard button a text is, in any language: a
// member who switched language may still press an old keyboard.
func (b *Bot) menuAction(text string) string {
	for _, key := range planner.MenuKeys() {
		for _, l := range locales.All() {
			if text == b.cat.T(l, key) {
				return key
			}
		}
	}
	return ""
}
