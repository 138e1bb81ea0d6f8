// Package planner owns every message the association starts. A producer
// (the CLI, a bot handler, a scheduler job, a store transaction) describes a
// message with one of the constructors here (Announcement, Reminder,
// Broadcast, JoinRequest …): its kind, its subject, who should get it
// (an audience and a filter on answers), when, and its words as a template
// key with typed arguments. The store resolves the audience and writes the
// rows that Message.Rows builds, the only place outbox rows are made, with
// the one dedupe key format (outbox.Row). The dispatcher renders them at
// send time with Text, in the reader's language and zone, and hands them to
// a channel.
//
//	producer → planner.Message → store (audience → outbox rows) → dispatch → channel (bot/telegram) → Bot API
//
// The package is pure: no database, no network. It also decides what is
// due when (EventReminders, DayAfter …), so that the scheduler's jobs and a
// preview compute the same messages.
package planner

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// Subject is what a message is about; each part is a column of the outbox.
type Subject struct {
	EventID       uint
	Occurrence    time.Time // zero when not about one occurrence
	BroadcastID   uint
	JoinRequestID uint
	PlanID        uint
	SurveyID      uint
}

// Filter narrows an audience by the answers to the subject's occurrence.
type Filter int

// The filters.
const (
	Everyone    Filter = iota
	NotNo              // reminders: all but those who said no
	Undecided          // the deadline nudge: those who said maybe or nothing
	NotAnswered        // an organizer's nudge: those who said nothing
	YesOrMaybe         // change and cancellation notices
	Came               // the day-after survey: those who came (models.Came)
)

// Recipient is one chat a message goes to.
type Recipient struct {
	MemberID uint  // 0 for a chat without a member record (a stranger)
	ChatID   int64 // the member's private chat (0 for SMS)
	Lang     locales.Lang
	Channel  outbox.Channel // how it goes ("": Telegram)
}

// Message is one message to an audience, before it is resolved into rows.
type Message struct {
	Kind    outbox.Kind
	Subject Subject
	// Slot tells apart the kind's messages about one subject: a reminder's
	// offset, a change's revision, a nudge's day.
	Slot string
	// To is who gets it, narrowed by Filter; Chat instead names one chat
	// (a stranger, who has no member record yet).
	To     models.Audience
	Filter Filter
	Chat   *Recipient

	Template string
	Args     Args
	Markup   Markup
	// An organizer's own words and attachments, sent as written.
	Text, PhotoFileID, DocumentFileID string
	// EditMessageID: the message is an edit in place of one the bot sent
	// (models.Outbox.EditMessageID); SendIfUneditable sends it anew when
	// that message can no longer be edited.
	EditMessageID    int64
	SendIfUneditable bool

	NotBefore time.Time
	ExpiresAt *time.Time
}

// Rows builds the outbox rows of the message for its recipients: the one
// place outbox rows are made.
func (m Message) Rows(to []Recipient) []outbox.Row {
	args := m.Args.Encode()
	markup := m.Markup.Encode()
	rows := make([]outbox.Row, 0, len(to))
	for _, r := range to {
		o := outbox.Row{
			DedupeKey: m.key(r), ChatID: r.ChatID, Kind: string(m.Kind),
			TemplateKey: m.Template, Args: args, Markup: markup,
			Text: m.Text, PhotoFileID: m.PhotoFileID, DocumentFileID: m.DocumentFileID,
			NotBefore: m.NotBefore.UTC(), NextAttemptAt: m.NotBefore.UTC(), ExpiresAt: utc(m.ExpiresAt),
			Urgent: m.Kind.Urgent(), Status: outbox.Pending, EditMessageID: m.EditMessageID, SendIfUneditable: m.SendIfUneditable,
			EventID: idOrNil(m.Subject.EventID), BroadcastID: idOrNil(m.Subject.BroadcastID),
			JoinRequestID: idOrNil(m.Subject.JoinRequestID), PlanID: idOrNil(m.Subject.PlanID), SurveyID: idOrNil(m.Subject.SurveyID),
			Channel: r.Channel,
		}
		if o.Channel == "" {
			o.Channel = outbox.ByTelegram
		}
		if !m.Subject.Occurrence.IsZero() {
			occ := m.Subject.Occurrence.UTC()
			o.Occurrence = &occ
		}
		if r.MemberID != 0 {
			id := r.MemberID
			o.MemberID = &id
		} else {
			o.Lang = string(r.Lang)
		}
		rows = append(rows, o)
	}
	return rows
}

// key is the dedupe key: kind, subject, slot and recipient, so that a
// message planned twice, or on two replicas, is written once.
func (m Message) key(r Recipient) string {
	parts := []string{string(m.Kind)}
	add := func(prefix string, n uint64) {
		if n != 0 {
			parts = append(parts, prefix+strconv.FormatUint(n, 10))
		}
	}
	add("e", uint64(m.Subject.EventID))
	if !m.Subject.Occurrence.IsZero() {
		parts = append(parts, "o"+strconv.FormatInt(m.Subject.Occurrence.Unix()/60, 10))
	}
	add("b", uint64(m.Subject.BroadcastID))
	add("j", uint64(m.Subject.JoinRequestID))
	add("p", uint64(m.Subject.PlanID))
	if m.Subject.EventID == 0 {
		// An occurrence's day-after survey is named by its occurrence (one
		// each), so that a forecast, made before the survey is, has the key
		// of the message that will be sent.
		add("v", uint64(m.Subject.SurveyID))
	}
	if m.Slot != "" {
		parts = append(parts, "s"+m.Slot)
	}
	if r.MemberID != 0 {
		add("m", uint64(r.MemberID))
	} else {
		parts = append(parts, "c"+strconv.FormatInt(r.ChatID, 10))
	}
	return strings.Join(parts, ":")
}

func idOrNil(id uint) *uint {
	if id == 0 {
		return nil
	}
	return &id
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Args are a message's template arguments, typed so that rendering needs no
// guessing: strings and numbers as they are, times as dates in the reader's
// language and zone, keys as the reader's words.
type Args struct {
	Strings map[string]string    `json:"s,omitempty"`
	Ints    map[string]int       `json:"n,omitempty"`
	Times   map[string]time.Time `json:"t,omitempty"`
	Dates   map[string]time.Time `json:"d,omitempty"` // calendar dates (models.Day)
	Keys    map[string]string    `json:"k,omitempty"`
	// Texts are words that are data, given in each language (a kind of
	// check's name): the reader's is used.
	Texts map[string]map[string]string `json:"x,omitempty"`
	// Lines are lists, each line a message of its own, joined one a line.
	Lines map[string][]Line `json:"l,omitempty"`
}

// Line is one line of a list argument.
type Line struct {
	Key  string `json:"k"`
	Args Args   `json:"a"`
}

// Str sets a string argument.
func (a *Args) Str(name, v string) *Args {
	if a.Strings == nil {
		a.Strings = map[string]string{}
	}
	a.Strings[name] = v
	return a
}

// Int sets a number argument.
func (a *Args) Int(name string, v int) *Args {
	if a.Ints == nil {
		a.Ints = map[string]int{}
	}
	a.Ints[name] = v
	return a
}

// Time sets a time argument, rendered as a date and time.
func (a *Args) Time(name string, v time.Time) *Args {
	if a.Times == nil {
		a.Times = map[string]time.Time{}
	}
	a.Times[name] = v.UTC()
	return a
}

// Date sets a calendar date argument, rendered as a date.
func (a *Args) Date(name string, v time.Time) *Args {
	if a.Dates == nil {
		a.Dates = map[string]time.Time{}
	}
	a.Dates[name] = v.UTC()
	return a
}

// Text sets an argument given in each language.
func (a *Args) Text(name string, byLang map[string]string) *Args {
	if a.Texts == nil {
		a.Texts = map[string]map[string]string{}
	}
	a.Texts[name] = byLang
	return a
}

// List sets a list argument.
func (a *Args) List(name string, lines []Line) *Args {
	if a.Lines == nil {
		a.Lines = map[string][]Line{}
	}
	a.Lines[name] = lines
	return a
}

// Key sets an argument that is itself a message key.
func (a *Args) Key(name, key string) *Args {
	if a.Keys == nil {
		a.Keys = map[string]string{}
	}
	a.Keys[name] = key
	return a
}

// Encode is the arguments as stored in outbox.args.
func (a Args) Encode() string {
	if len(a.Strings)+len(a.Ints)+len(a.Times)+len(a.Dates)+len(a.Keys)+len(a.Texts)+len(a.Lines) == 0 {
		return ""
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// DecodeArgs reads stored arguments.
func DecodeArgs(s string) (Args, error) {
	var a Args
	if s == "" {
		return a, nil
	}
	err := json.Unmarshal([]byte(s), &a)
	return a, err
}

// KV renders the arguments for locales.Catalog.T in the reader's language
// and zone.
func (a Args) KV(cat *locales.Catalog, lang locales.Lang, zone *time.Location, now time.Time) []any {
	kv := make([]any, 0, 2*(len(a.Strings)+len(a.Ints)+len(a.Times)+len(a.Keys)))
	for k, v := range a.Strings {
		kv = append(kv, k, v)
	}
	for k, v := range a.Ints {
		kv = append(kv, k, v)
	}
	for k, v := range a.Times {
		kv = append(kv, k, cat.DateTime(lang, v, zone, now))
	}
	for k, v := range a.Dates {
		kv = append(kv, k, cat.Date(lang, v, now))
	}
	for k, v := range a.Keys {
		kv = append(kv, k, cat.T(lang, v))
	}
	for k, v := range a.Texts {
		kv = append(kv, k, InLang(v, lang))
	}
	for k, lines := range a.Lines {
		rendered := make([]string, len(lines))
		for i, l := range lines {
			rendered[i] = cat.T(lang, l.Key, l.Args.KV(cat, lang, zone, now)...)
		}
		kv = append(kv, k, strings.Join(rendered, "\n"))
	}
	return kv
}

// InLang is the text of byLang in lang: else the Simplified Chinese one,
// else any, so that a text written in one language reaches everyone.
func InLang(byLang map[string]string, lang locales.Lang) string {
	return models.TextIn(byLang, string(lang))
}

// Clip shortens s to n characters, marking the cut with "…".
func Clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
