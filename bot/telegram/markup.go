package telegram

import (
	"reflect"
	"unicode/utf16"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
)

// The Bot API's keyboard types, written out here rather than taken from
// go-telegram/bot: its InlineKeyboardButton always serializes
// "copy_text":{"text":""} beside the button's real type, and the Bot API
// asks for exactly one type per button. Ours carry exactly one.

// InlineButton is one inline button.
type InlineButton struct {
	Text         string      `json:"text"`
	CallbackData string      `json:"callback_data,omitempty"`
	URL          string      `json:"url,omitempty"`
	WebApp       *WebAppInfo `json:"web_app,omitempty"` // a Mini App, opened with the user's signed init data
}

// InlineKeyboard is the inline keyboard of a message.
type InlineKeyboard struct {
	InlineKeyboard [][]InlineButton `json:"inline_keyboard"`
}

// KeyButton is one button of a reply keyboard.
type KeyButton struct {
	Text           string      `json:"text"`
	RequestContact bool        `json:"request_contact,omitempty"`
	WebApp         *WebAppInfo `json:"web_app,omitempty"`
}

// WebAppInfo is the Mini App a web_app button opens (an https URL).
type WebAppInfo struct {
	URL string `json:"url"`
}

// ReplyKeyboard is a persistent keyboard below the input field.
type ReplyKeyboard struct {
	Keyboard              [][]KeyButton `json:"keyboard"`
	ResizeKeyboard        bool          `json:"resize_keyboard"`
	IsPersistent          bool          `json:"is_persistent"`
	InputFieldPlaceholder string        `json:"input_field_placeholder,omitempty"`
}

// The labels of the reply keyboards' buttons.
const (
	MenuEvents   = "menu.my_events"
	MenuChecks   = "menu.my_checks"
	MenuNotices  = "menu.notices"
	MenuHelp     = "menu.help"
	MenuLanguage = "menu.language"
	MenuJoin     = "menu.request_join"
	MenuShare    = "menu.share_phone"
	// An organizer's keys besides: a notice, an event, their events, the
	// home visits to make.
	MenuNotice    = "menu.notice"
	MenuNewEvent  = "menu.new_event"
	MenuOurEvents = "menu.our_events"
	MenuVisits    = "menu.visits"
	// MenuConsole answers with the console's inline web_app button: a
	// reply keyboard's own web_app button would open the Mini App without
	// the user's init data (Telegram sends none for keyboard-button Mini
	// Apps), and the console would not know who opened it.
	MenuConsole = "menu.console"
)

// MenuKeys lists every reply-keyboard label.
func MenuKeys() []string {
	return []string{MenuEvents, MenuChecks, MenuNotices, MenuHelp, MenuLanguage, MenuJoin, MenuShare, MenuNotice, MenuNewEvent, MenuOurEvents, MenuVisits, MenuConsole}
}

// OrganizerKeyboard is a member's keyboard with an organizer's main
// actions added, so that they do not type either; with a console URL
// (https, SPEC C16), 📊 Console, which answers with the Mini App's button.
func OrganizerKeyboard(cat *locales.Catalog, l locales.Lang, consoleURL string) *ReplyKeyboard {
	k := MemberKeyboard(cat, l)
	top := []KeyButton{{Text: cat.T(l, MenuNotice)}, {Text: cat.T(l, MenuNewEvent)}, {Text: cat.T(l, MenuOurEvents)}, {Text: cat.T(l, MenuVisits)}}
	rows := [][]KeyButton{top}
	if consoleURL != "" {
		rows = append(rows, []KeyButton{{Text: cat.T(l, MenuConsole)}})
	}
	k.Keyboard = append(rows, k.Keyboard...)
	return k
}

// MemberKeyboard is the persistent keyboard with a member's main actions, so
// that nobody has to type (SPEC C2).
func MemberKeyboard(cat *locales.Catalog, l locales.Lang) *ReplyKeyboard {
	return &ReplyKeyboard{
		Keyboard: [][]KeyButton{
			{{Text: cat.T(l, MenuEvents)}, {Text: cat.T(l, MenuChecks)}},
			{{Text: cat.T(l, MenuNotices)}, {Text: cat.T(l, MenuHelp)}, {Text: cat.T(l, MenuLanguage)}},
		},
		ResizeKeyboard: true, IsPersistent: true,
		InputFieldPlaceholder: cat.T(l, "menu.placeholder"),
	}
}

// StrangerKeyboard offers what someone not yet linked can do with one tap.
func StrangerKeyboard(cat *locales.Catalog, l locales.Lang) *ReplyKeyboard {
	return &ReplyKeyboard{
		Keyboard: [][]KeyButton{
			{{Text: cat.T(l, MenuShare), RequestContact: true}},
			{{Text: cat.T(l, MenuJoin)}, {Text: cat.T(l, MenuLanguage)}},
		},
		ResizeKeyboard: true, IsPersistent: true,
	}
}

// RenderInline renders inline button specs in the reader's language (nil
// when there is no button: empty rows are left out).
func RenderInline(cat *locales.Catalog, l locales.Lang, rows [][]models.ButtonSpec) *InlineKeyboard {
	var kb *InlineKeyboard
	for _, r := range rows {
		if len(r) == 0 {
			continue
		}
		if kb == nil {
			kb = &InlineKeyboard{}
		}
		out := make([]InlineButton, 0, len(r))
		for _, b := range r {
			kv := make([]any, 0, 2*len(b.Args))
			for k, v := range b.Args {
				kv = append(kv, k, v)
			}
			out = append(out, InlineButton{Text: cat.T(l, b.Key, kv...), CallbackData: b.Data})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	return kb
}

// Telegram's limits on what a message says, in UTF-16 code units (how the
// Bot API counts): a text, and a photo's or document's caption.
const (
	MaxText    = 4096
	MaxCaption = 1024
)

// Fit shortens s to at most limit UTF-16 code units, marking a cut with
// "…": what the Bot API accepts as a text (MaxText) or a caption
// (MaxCaption).
func Fit(s string, limit int) string {
	if utf16Len(s) <= limit {
		return s
	}
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if n+w > limit-1 { // room for the "…"
			return s[:i] + "…"
		}
		n += w
	}
	return s
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if utf16.RuneLen(r) == 2 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// ReplyMarkup is the one rule for the reply_markup a message goes with
// (the bot's replies and the dispatcher's rows alike): nil, never a typed
// nil or a keyboard without a button, when there is nothing to show.
// Telegram answers a null markup with "Object expected as reply markup"
// and drops empty rows and keyboards; a request without reply_markup is
// what is meant. Empty rows are left out of a keyboard that keeps others.
func ReplyMarkup(markup any) any {
	switch m := markup.(type) {
	case nil:
		return nil
	case *InlineKeyboard:
		if m == nil {
			return nil
		}
		rows := make([][]InlineButton, 0, len(m.InlineKeyboard))
		for _, r := range m.InlineKeyboard {
			if len(r) > 0 {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			return nil
		}
		if len(rows) == len(m.InlineKeyboard) {
			return m
		}
		return &InlineKeyboard{InlineKeyboard: rows}
	case *ReplyKeyboard:
		if m == nil {
			return nil
		}
		rows := make([][]KeyButton, 0, len(m.Keyboard))
		for _, r := range m.Keyboard {
			if len(r) > 0 {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			return nil
		}
		if len(rows) == len(m.Keyboard) {
			return m
		}
		k := *m
		k.Keyboard = rows
		return &k
	}
	// Any other type (a library's markup): only a nil pointer is taken out.
	if v := reflect.ValueOf(markup); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	return markup
}

// Markup is the reply_markup for a message's stored buttons in the reader's
// language (nil when it has none): its inline buttons, or the named reply
// keyboard (a member's with an organizer's keys added when the reader is
// one).
func Markup(cat *locales.Catalog, l locales.Lang, m planner.Markup, organizer bool, consoleURL string) any {
	switch {
	case len(m.Inline) > 0:
		return ReplyMarkup(RenderInline(cat, l, m.Inline))
	case m.Keyboard == planner.MemberKeys && organizer:
		return OrganizerKeyboard(cat, l, consoleURL)
	case m.Keyboard == planner.MemberKeys:
		return MemberKeyboard(cat, l)
	case m.Keyboard == planner.StrangerKeys:
		return StrangerKeyboard(cat, l)
	}
	return nil
}
