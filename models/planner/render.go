package planner

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// Markup is a message's buttons as stored in outbox.markup: inline buttons
// whose labels are message keys, or a named reply keyboard; both are
// rendered at send time in the reader's language.
type Markup struct {
	Inline   [][]models.ButtonSpec `json:"inline,omitempty"`
	Keyboard Keyboard              `json:"keyboard,omitempty"`
}

// Keyboard names a persistent reply keyboard.
type Keyboard string

// The reply keyboards.
const (
	MemberKeys   Keyboard = "member"   // 📅 My events, 🩺 My checks, ❓ Help, 🌐 Language
	StrangerKeys Keyboard = "stranger" // 📱 Share my phone number, 🙋 Request to join, 🌐 Language
)

// Encode is the markup as stored.
func (m Markup) Encode() string {
	if len(m.Inline) == 0 && m.Keyboard == "" {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// DecodeMarkup reads stored markup.
func DecodeMarkup(s string) (Markup, error) {
	var m Markup
	if s == "" {
		return m, nil
	}
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}

// ErrUnrenderable is returned for a stored row that cannot be rendered (its
// arguments or buttons do not decode): it fails rather than being retried.
var ErrUnrenderable = errors.New("planner: the message cannot be rendered")

// Text is what an outbox row says, in the reader's language and zone, at
// send time (SPEC C7), with its buttons as stored: each channel shows them
// its own way (the Telegram edge as keyboards in the reader's language).
func Text(cat *locales.Catalog, l locales.Lang, zone *time.Location, now time.Time, o *outbox.Row) (string, Markup, error) {
	text := o.Text
	if o.TemplateKey != "" {
		args, err := DecodeArgs(o.Args)
		if err != nil {
			return "", Markup{}, fmt.Errorf("%w: arguments: %v", ErrUnrenderable, err)
		}
		text = cat.T(l, o.TemplateKey, args.KV(cat, l, zone, now)...)
	}
	m, err := DecodeMarkup(o.Markup)
	if err != nil {
		return "", Markup{}, fmt.Errorf("%w: markup: %v", ErrUnrenderable, err)
	}
	return text, m, nil
}
