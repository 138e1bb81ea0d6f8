package bot

import (
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// The Bot API's keyboard types, written out here rather than taken from
// go-telegram/bot: its InlineKeyboardButton always serializes
// "copy_text":{"text":""} beside the button's real type. The Bot API's
// documentation asks for exactly one type per button; today's server lets
// callback_data win, but a button whose data came out empty would turn into an
// invalid copy-text button. Ours carry exactly one.

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type keyButton struct {
	Text           string `json:"text"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

type replyKeyboard struct {
	Keyboard              [][]keyButton `json:"keyboard"`
	ResizeKeyboard        bool          `json:"resize_keyboard"`
	IsPersistent          bool          `json:"is_persistent"`
	InputFieldPlaceholder string        `json:"input_field_placeholder,omitempty"`
}

func inline(rows ...[]inlineButton) *inlineKeyboard {
	return &inlineKeyboard{InlineKeyboard: rows}
}

func row(buttons ...inlineButton) []inlineButton { return buttons }

func cb(text, data string) inlineButton { return inlineButton{Text: text, CallbackData: data} }

// The menu labels a member reads on the persistent keyboard.
const (
	menuEvents   = "menu.my_events"
	menuChecks   = "menu.my_checks"
	menuHelp     = "menu.help"
	menuLanguage = "menu.language"
	menuJoin     = "menu.request_join"
	menuShare    = "menu.share_phone"
)

// memberKeyboard is the persistent keyboard with a member's main actions, so
// that nobody has to type (SPEC C2).
func (b *Bot) memberKeyboard(l locales.Lang) *replyKeyboard {
	return &replyKeyboard{
		Keyboard: [][]keyButton{
			{{Text: b.cat.T(l, menuEvents)}, {Text: b.cat.T(l, menuChecks)}},
			{{Text: b.cat.T(l, menuHelp)}, {Text: b.cat.T(l, menuLanguage)}},
		},
		ResizeKeyboard: true, IsPersistent: true,
		InputFieldPlaceholder: b.cat.T(l, "menu.placeholder"),
	}
}

// strangerKeyboard offers what someone not yet linked can do with one tap.
func (b *Bot) strangerKeyboard(l locales.Lang) *replyKeyboard {
	return &replyKeyboard{
		Keyboard: [][]keyButton{
			{{Text: b.cat.T(l, menuShare), RequestContact: true}},
			{{Text: b.cat.T(l, menuJoin)}, {Text: b.cat.T(l, menuLanguage)}},
		},
		ResizeKeyboard: true, IsPersistent: true,
	}
}

func (b *Bot) keyboardFor(r *request) *replyKeyboard {
	if r.member != nil {
		return b.memberKeyboard(r.lang)
	}
	return b.strangerKeyboard(r.lang)
}

// menuAction finds which keyboard button a text is, in any language: a
// member who switched language may still press an old keyboard.
func (b *Bot) menuAction(text string) string {
	for _, key := range []string{menuEvents, menuChecks, menuHelp, menuLanguage, menuJoin, menuShare} {
		for _, l := range locales.All() {
			if text == b.cat.T(l, key) {
				return key
			}
		}
	}
	return ""
}

func isOrganizer(m *models.Member) bool {
	return m != nil && (m.Role == models.RoleOrganizer || m.Role == models.RoleAdmin)
}
