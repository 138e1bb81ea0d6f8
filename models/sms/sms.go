// Package sms is what an outbox row says as an SMS (SPEC C12), without I/O:
// providers in China send only pre-approved templates, so a row becomes a
// template key (its kind, or the neutral health reminder), and the
// template's parameters, rendered short: dates in a few characters, no
// emoji, each within the provider's per-variable limit. It also reads what
// a member answers by SMS (a digit, TD).
package sms

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
)

// Param names one template parameter.
type Param string

// The parameters a template can take.
const (
	Title      Param = "title"  // the event's title
	Time       Param = "time"   // when it starts, in the member's zone: 12月5日09:30
	Place      Param = "place"  // where
	Due        Param = "due"    // a check's due date, an answer's deadline: 12月5日
	Check      Param = "check"  // the kind of check, in the member's language
	Text       Param = "text"   // a notice's words
	Branch     Param = "branch" // the sender's branch (its last part)
	Answer     Param = "answer" // what a member's SMS answered
	AnswerText Param = "reply"  // an organizer's answer to the member's question
	// A survey's question and its answers by number ("1.非常满意 2.满意 …").
	Question Param = "question"
	Options  Param = "options"
)

// Private is the template key of the neutral health reminder, for members
// who did not consent to health reminders by SMS: a phone's lock screen is
// not private (您有一项协会提醒，请联系本村计生专干).
const Private = "check.private"

// params are each key's parameters, in their default order.
var params = map[string][]Param{
	string(outbox.KindBroadcast):      {Branch, Text},
	string(outbox.KindEventAnnounce):  {Title, Time, Place},
	string(outbox.KindEventReminder):  {Title, Time, Place},
	string(outbox.KindEventDeadline):  {Title, Time, Due},
	string(outbox.KindEventNudge):     {Title, Time},
	string(outbox.KindEventChanged):   {Title, Time, Place},
	string(outbox.KindEventCancelled): {Title, Time},
	string(outbox.KindPromoted):       {Title, Time},
	string(outbox.KindCheckReminder):  {Check, Due},
	string(outbox.KindSMSAck):         {Title, Answer},
	string(outbox.KindSurveyAsk):      {Title, Question, Options},
	string(outbox.KindSurveyRemind):   {Title, Question, Options},
	string(outbox.KindInquiryAnswer):  {Branch, AnswerText},
	Private:                           {Branch},
}

// Keys lists every template key, in order: the kinds that may go by SMS and
// the neutral health reminder.
func Keys() []string {
	out := make([]string, 0, len(params))
	for k := range params {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Params are a key's parameters in their default order (nil: not a key).
func Params(key string) []Param { return params[key] }

// ParseParams reads a template's parameter order ("title,time"), each a
// parameter of key; "" is the default order.
func ParseParams(key, s string) ([]Param, error) {
	if strings.TrimSpace(s) == "" {
		return Params(key), nil
	}
	var out []Param
	for _, f := range strings.Split(s, ",") {
		p := Param(strings.TrimSpace(f))
		if !slices.Contains(params[key], p) {
			return nil, fmt.Errorf("%q is not a parameter of %s (it has %s)", p, key, JoinParams(params[key]))
		}
		out = append(out, p)
	}
	return out, nil
}

// JoinParams writes parameters as ParseParams reads them.
func JoinParams(ps []Param) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// Template is an approved template: the provider's id and the order of its
// parameters.
type Template struct {
	ID     string
	Params []Param
}

// Templates finds the template for a key in a language.
type Templates interface {
	Template(key string, lang locales.Lang) (Template, bool)
}

// Key is the template key of a row to member m: its kind, or the neutral
// reminder for a health reminder to a member who did not consent — and for
// an answer to a question asked in the bot (it may be about health) that
// must go by SMS now; a question asked by SMS is answered by SMS.
func Key(row *outbox.Row, m *models.Member) string {
	consented := m != nil && m.SMSHealth
	switch outbox.Kind(row.Kind) {
	case outbox.KindCheckReminder:
		if !consented {
			return Private
		}
	case outbox.KindInquiryAnswer:
		if a, _ := planner.DecodeArgs(row.Args); a.Ints["BySMS"] == 0 && !consented {
			return Private
		}
	}
	return row.Kind
}

// Value is one rendered parameter.
type Value struct {
	Name  Param
	Value string
}

// Render is what row says to member m as an SMS: the key's template, its
// parameters in the template's order, each at most max characters (0: no
// limit). ok is false when no template is set for the key and language.
func Render(tpls Templates, cat *locales.Catalog, lang locales.Lang, zone *time.Location, row *outbox.Row, m *models.Member, max int) (tpl Template, values []Value, ok bool, err error) {
	key := Key(row, m)
	if tpl, ok = tpls.Template(key, lang); !ok {
		return tpl, nil, false, nil
	}
	args, err := planner.DecodeArgs(row.Args)
	if err != nil {
		return tpl, nil, true, fmt.Errorf("%w: arguments: %v", planner.ErrUnrenderable, err)
	}
	order := tpl.Params
	if len(order) == 0 {
		order = Params(key)
	}
	for _, p := range order {
		values = append(values, Value{Name: p, Value: Short(value(p, args, cat, lang, zone, m), max)})
	}
	return tpl, values, true, nil
}

// value is one parameter of a row.
func value(p Param, a planner.Args, cat *locales.Catalog, lang locales.Lang, zone *time.Location, m *models.Member) string {
	switch p {
	case Title:
		if t := a.Strings["Title"]; t != "" {
			return t
		}
		return text(a.Texts["Title"], lang)
	case Place:
		return a.Strings["Location"]
	case Time:
		return DateTime(lang, a.Times["StartAt"], zone)
	case Due:
		if t, ok := a.Times["DeadlineAt"]; ok {
			return DateTime(lang, t, zone)
		}
		return Date(lang, a.Dates["DueAt"])
	case Check:
		return text(a.Texts["Kind"], lang)
	case Text:
		if t := a.Strings["Text"]; t != "" {
			return t
		}
		return text(a.Texts["Text"], lang) // a recurring notice's, by language
	case Branch:
		path := a.Strings["Branch"]
		if path == "" && m != nil {
			path = m.BranchPath()
		}
		return path[strings.LastIndex(path, "/")+1:]
	case AnswerText:
		return a.Strings["Answer"]
	case Answer:
		if k := a.Keys["Answer"]; k != "" {
			return cat.T(lang, k)
		}
	case Question:
		if q := a.Strings["Question"]; q != "" {
			return q
		}
		// A day-after survey's question is the reader's words, with the
		// occurrence's time as an SMS writes it and without its title (the
		// title parameter has it).
		if ls := a.Lines["Question"]; len(ls) == 1 {
			return cat.T(lang, "survey.event_question_sms", "When", DateTime(lang, ls[0].Args.Times["When"], zone))
		}
	case Options:
		var opts []string
		for _, l := range a.Lines["Options"] {
			opts = append(opts, cat.T(lang, l.Key, l.Args.KV(cat, lang, zone, time.Time{})...))
		}
		return strings.Join(opts, " ")
	}
	return ""
}

// text is words given in each language, in lang (else Simplified Chinese).
func text(names map[string]string, lang locales.Lang) string { return planner.InLang(names, lang) }

// DateTime is a time as an SMS writes it: 12月5日09:30, or Dec 5 09:30.
func DateTime(lang locales.Lang, t time.Time, zone *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if zone != nil {
		t = t.In(zone)
	}
	if lang == locales.En {
		return t.Format("Jan 2 15:04")
	}
	return fmt.Sprintf("%d月%d日%s", t.Month(), t.Day(), t.Format("15:04"))
}

// Date is a calendar date as an SMS writes it: 12月5日, or Dec 5.
func Date(lang locales.Lang, d time.Time) string {
	if d.IsZero() {
		return ""
	}
	if lang == locales.En {
		return d.Format("Jan 2")
	}
	return fmt.Sprintf("%d月%d日", d.Month(), d.Day())
}

// refused are characters providers refuse in an SMS: 【】 would read as a
// sign (they become brackets), ※ ¥ and the like come out garbled.
var refused = strings.NewReplacer("【", "(", "】", ")", "※", "", "¥", "", "￥", "")

// Short is s for an SMS parameter: no emoji or symbols a phone may not
// show or a provider refuses, one line, spaces collapsed, at most max
// characters (0: any) with the cut marked "…".
func Short(s string, max int) string {
	s = refused.Replace(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || unicode.Is(unicode.Cs, r) || unicode.Is(unicode.Co, r) ||
			r == 0xFE0F || r == 0x200D || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if max > 0 {
		if r := []rune(out); len(r) > max {
			out = string(r[:max-1]) + "…"
		}
	}
	return out
}

// ReplyKind is what a member's SMS means.
type ReplyKind int

// The kinds of reply.
const (
	ReplyText  ReplyKind = iota // words for the organizers
	ReplyDigit                  // an answer to the latest question
	ReplyStop                   // TD, 退订: no more SMS, for good
)

// Reply is a member's SMS, read.
type Reply struct {
	Kind  ReplyKind
	Digit int    // for ReplyDigit: 1–9
	Text  string // as sent, trimmed
}

// stopWords are the opt-out words providers in China require honoured,
// and English's.
var stopWords = []string{"TD", "退订", "退訂", "STOP", "UNSUBSCRIBE"}

// ParseReply reads an SMS a member sent: a digit (full-width too, with
// spaces or punctuation around it) answers; TD or 退订 stops SMS; anything
// else is words.
func ParseReply(text string) Reply {
	text = strings.TrimSpace(text)
	folded := fold(text)
	if slices.Contains(stopWords, folded) {
		return Reply{Kind: ReplyStop, Text: text}
	}
	if len(folded) == 1 && folded[0] >= '1' && folded[0] <= '9' {
		return Reply{Kind: ReplyDigit, Digit: int(folded[0] - '0'), Text: text}
	}
	return Reply{Kind: ReplyText, Text: text}
}

// fold is a reply's words as they are compared: without the spaces,
// punctuation and symbols around them or spaces within, full-width digits
// and letters as ASCII, letters upper case.
func fold(text string) string {
	core := strings.TrimFunc(strings.TrimSpace(text), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.Is(unicode.So, r)
	})
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		if r >= 'Ａ' && r <= 'Ｚ' {
			return 'A' + (r - 'Ａ')
		}
		if r >= 'ａ' && r <= 'ｚ' {
			return 'a' + (r - 'ａ')
		}
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, core))
}

// surveyWords are the words a member may reply instead of a digit to a
// satisfaction or yes/no question, folded as ParseReply folds them.
var surveyWords = map[models.QuestionKind]map[string]int{
	models.QuestionSatisfaction: {
		"非常满意": 1, "非常滿意": 1, "VERYSATISFIED": 1,
		"满意": 2, "滿意": 2, "SATISFIED": 2,
		"一般": 3, "NEUTRAL": 3,
		"不满意": 4, "不滿意": 4, "DISSATISFIED": 4,
		"很不满意": 5, "很不滿意": 5, "非常不满意": 5, "非常不滿意": 5, "VERYDISSATISFIED": 5,
	},
	models.QuestionYesNo: {"是": 1, "是的": 1, "对": 1, "對": 1, "YES": 1, "Y": 1, "否": 2, "不是": 2, "NO": 2, "N": 2},
}

// SurveyWord is the answer a reply's words give to a question of kind
// (满意 to a satisfaction question: 2); false when they give none. Only a
// survey question reads words: to any other, 满意 means nothing.
func SurveyWord(kind models.QuestionKind, text string) (int, bool) {
	n, ok := surveyWords[kind][fold(text)]
	return n, ok
}
