package fakeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Button is one button of an inline keyboard (Text with CallbackData or URL)
// or of a reply keyboard (Text, RequestContact).
type Button struct {
	Text, CallbackData, URL string
	RequestContact          bool
	WebApp                  string // a web_app button's URL (inline or reply keyboard)
}

type markupKind int

const (
	markupNone markupKind = iota
	markupInline
	markupKeyboard
	markupRemove
	markupForceReply
)

// markup is a parsed reply_markup.
type markup struct {
	kind     markupKind
	inline   [][]inlineButton
	keyboard [][]Button
	// What Telegram accepts and drops without a word, and WithStrictMarkup
	// refuses: a row without a button, and a markup sent with no button
	// and no other effect ({}, {"inline_keyboard":[]}).
	emptyRow, empty bool
}

// inlineButton is an accepted inline button: its text, and the one field
// that gives it its type, with that field's value (compact JSON).
type inlineButton struct {
	text  string
	field string
	value json.RawMessage
}

func (b inlineButton) view() Button {
	v := Button{Text: b.text}
	var str string
	json.Unmarshal(b.value, &str)
	switch b.field {
	case "callback_data":
		v.CallbackData = str
	case "url":
		v.URL = str
	case "web_app":
		var app struct {
			URL string `json:"url"`
		}
		json.Unmarshal(b.value, &app)
		v.WebApp = app.URL
	}
	return v
}

// inlineTypeFields are InlineKeyboardButton's optional fields, in the order
// the Bot API server (tdlib/telegram-bot-api, Client::get_inline_keyboard_button)
// tries them.
var inlineTypeFields = []string{"url", "callback_data", "callback_game", "pay", "switch_inline_query",
	"switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url", "web_app", "copy_text"}

const maxMarkupButtons = 100

// parseMarkup parses and validates the reply_markup parameter of a call:
// as Telegram does (tdlib/telegram-bot-api, Client::get_reply_markup: JSON
// null or another non-object is "Object expected as reply markup"), and
// under WithStrictMarkup also refusing what Telegram accepts but drops.
func (s *Server) parseMarkup(c *call) (markup, *apiError) {
	m, err := s.parseMarkupJSON(c.params["reply_markup"])
	if err != nil || !s.strictMarkup {
		return m, err
	}
	switch {
	case m.emptyRow:
		return m, badRequest("reply markup has an empty row (the fake's strict check: Telegram drops it)")
	case m.empty && !(c.method == "editMessageReplyMarkup" && m.kind == markupNone):
		// editMessageReplyMarkup with an empty inline keyboard removes the
		// buttons: the one place an empty markup means something.
		return m, badRequest("reply markup has no button (the fake's strict check: Telegram sends the message without one; send no reply_markup)")
	}
	return m, nil
}

// parseMarkupJSON parses and validates a reply_markup parameter.
func (s *Server) parseMarkupJSON(raw string) (markup, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return markup{}, nil
	}
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		return markup{}, badRequest("can't parse reply keyboard markup JSON object")
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &obj) != nil || obj == nil {
		return markup{}, badRequest("Object expected as reply markup")
	}
	var m markup
	var count int
	if rows, ok := obj["keyboard"]; ok {
		var grid [][]json.RawMessage
		if json.Unmarshal(rows, &grid) != nil {
			return m, badRequest(`Field "keyboard" must be an Array of Arrays`)
		}
		for _, row := range grid {
			m.emptyRow = m.emptyRow || len(row) == 0
			var out []Button
			for _, raw := range row {
				b, err := parseKeyboardButton(raw)
				if err != nil {
					return m, err
				}
				out = append(out, b)
				count++
			}
			m.keyboard = append(m.keyboard, out)
		}
	}
	if rows, ok := obj["inline_keyboard"]; ok {
		var grid [][]map[string]json.RawMessage
		if json.Unmarshal(rows, &grid) != nil {
			return m, badRequest(`Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays of Objects`)
		}
		for _, row := range grid {
			m.emptyRow = m.emptyRow || len(row) == 0
			var out []inlineButton
			for _, b := range row {
				ib, err := s.validateInlineButton(b)
				if err != nil {
					return m, err
				}
				out = append(out, ib)
				count++
			}
			m.inline = append(m.inline, out)
		}
	}
	if count > maxMarkupButtons {
		return m, badRequest("reply markup is too long")
	}
	switch {
	case hasButtons(m.keyboard):
		m.kind, m.inline = markupKeyboard, nil
	case hasInline(m.inline):
		m.kind, m.keyboard = markupInline, nil
	case boolField(obj, "remove_keyboard") || boolField(obj, "hide_keyboard"):
		m = markup{kind: markupRemove}
	case boolField(obj, "force_reply"):
		m = markup{kind: markupForceReply}
	default:
		m = markup{empty: true, emptyRow: m.emptyRow}
	}
	return m, nil
}

func hasButtons(rows [][]Button) bool {
	for _, r := range rows {
		if len(r) > 0 {
			return true
		}
	}
	return false
}

func hasInline(rows [][]inlineButton) bool {
	for _, r := range rows {
		if len(r) > 0 {
			return true
		}
	}
	return false
}

func boolField(obj map[string]json.RawMessage, key string) bool {
	var b bool
	return json.Unmarshal(obj[key], &b) == nil && b
}

func parseKeyboardButton(raw json.RawMessage) (Button, *apiError) {
	var text string
	if json.Unmarshal(raw, &text) == nil { // a bare string is a text button
		return Button{Text: text}, nil
	}
	var b struct {
		Text           *string `json:"text"`
		RequestContact bool    `json:"request_contact"`
		WebApp         *struct {
			URL string `json:"url"`
		} `json:"web_app"`
	}
	if json.Unmarshal(raw, &b) != nil || b.Text == nil {
		return Button{}, badRequest(`can't parse keyboard button: Field "text" must be of type String`)
	}
	if strings.TrimSpace(*b.Text) == "" {
		return Button{}, badRequest("BUTTON_TEXT_INVALID")
	}
	out := Button{Text: *b.Text, RequestContact: b.RequestContact}
	if b.WebApp != nil {
		// A Mini App opens only over HTTPS.
		if !strings.HasPrefix(b.WebApp.URL, "https://") {
			return Button{}, badRequest("BUTTON_URL_INVALID")
		}
		out.WebApp = b.WebApp.URL
	}
	return out, nil
}

// validateInlineButton decides what an InlineKeyboardButton is.
//
// The Bot API documentation says of InlineKeyboardButton: "Exactly one of
// the optional fields must be used to specify type of the button." The real
// server does not check that: it tries the optional fields in a fixed order
// (inlineTypeFields) and the first one present, or for url and callback_data
// the first non-empty one, decides the type; the others are ignored. Only a
// button that has none is rejected ("Text buttons are unallowed in the inline
// keyboard"). So go-telegram/bot v1.19's models.InlineKeyboardButton, which
// always serializes "copy_text":{"text":""} (CopyText is a struct, and
// omitempty never omits a struct), works as a callback or URL button, but
// one whose callback_data is empty becomes a copy-text button with empty
// text, which Telegram answers with "Bad Request: BUTTON_COPY_TEXT_INVALID"
// (go-telegram/bot issue #245). The fake does the same; WithStrictButtons
// enforces the documented rule instead.
func (s *Server) validateInlineButton(obj map[string]json.RawMessage) (inlineButton, *apiError) {
	var text string
	if raw, ok := obj["text"]; !ok || json.Unmarshal(raw, &text) != nil {
		return inlineButton{}, badRequest(`can't parse inline keyboard button: Field "text" must be of type String`)
	}
	if s.strictButtons {
		var used []string
		for _, f := range inlineTypeFields {
			if raw, ok := obj[f]; ok && string(raw) != "null" {
				used = append(used, f)
			}
		}
		if len(used) > 1 {
			return inlineButton{}, badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used, found %s",
				strings.Join(used, ", "))
		}
	}
	b := inlineButton{text: text}
	for _, f := range inlineTypeFields {
		raw, ok := obj[f]
		if !ok {
			continue
		}
		if f == "url" || f == "callback_data" {
			var str string
			if json.Unmarshal(raw, &str) != nil {
				return b, badRequest(`can't parse inline keyboard button: Field "%s" must be of type String`, f)
			}
			if str == "" {
				continue
			}
		}
		if err := checkInlineField(f, raw); err != nil {
			return b, err
		}
		var compact bytes.Buffer
		json.Compact(&compact, raw)
		b.field, b.value = f, compact.Bytes()
		break
	}
	if b.field == "" {
		return b, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	if strings.TrimSpace(text) == "" {
		return b, badRequest("BUTTON_TEXT_INVALID")
	}
	return b, nil
}

// checkInlineField validates the value of the field that types a button.
func checkInlineField(field string, raw json.RawMessage) *apiError {
	var str string
	switch field {
	case "url":
		json.Unmarshal(raw, &str)
		u, err := url.Parse(str)
		if err != nil {
			return badRequest("BUTTON_URL_INVALID")
		}
		switch strings.ToLower(u.Scheme) {
		case "", "http", "https", "tg", "ton":
		default:
			return badRequest("inline keyboard button URL '%s' is invalid: Unsupported URL protocol", str)
		}
	case "callback_data":
		json.Unmarshal(raw, &str)
		if len(str) > 64 {
			return badRequest("BUTTON_DATA_INVALID")
		}
	case "switch_inline_query", "switch_inline_query_current_chat":
		if json.Unmarshal(raw, &str) != nil {
			return badRequest(`can't parse inline keyboard button: Field "%s" must be of type String`, field)
		}
	case "copy_text":
		var ct struct {
			Text *string `json:"text"`
		}
		if json.Unmarshal(raw, &ct) != nil || ct.Text == nil {
			return badRequest(`can't parse inline keyboard button: Field "text" must be of type String`)
		}
		if n := utf8.RuneCountInString(*ct.Text); n < 1 || n > 256 {
			return badRequest("BUTTON_COPY_TEXT_INVALID")
		}
	case "web_app", "login_url":
		var o struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(raw, &o) != nil || o.URL == "" {
			return badRequest(`can't parse inline keyboard button: Field "url" must be of type String`)
		}
		if field == "web_app" && !strings.HasPrefix(o.URL, "https://") {
			return badRequest("BUTTON_URL_INVALID") // a Mini App opens only over HTTPS
		}
	}
	return nil
}

func inlineEqual(a, b [][]inlineButton) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			x, y := a[i][j], b[i][j]
			if x.text != y.text || x.field != y.field || !bytes.Equal(x.value, y.value) {
				return false
			}
		}
	}
	return true
}

// inlineJSON renders an inline keyboard as Telegram returns it: each button
// with its text and the one field that types it.
func inlineJSON(rows [][]inlineButton) json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"inline_keyboard":[`)
	for i, row := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		for j, btn := range row {
			if j > 0 {
				b.WriteByte(',')
			}
			text, _ := json.Marshal(btn.text)
			fmt.Fprintf(&b, `{"text":%s,%q:%s}`, text, btn.field, btn.value)
		}
		b.WriteByte(']')
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// parseText applies parse_mode (or explicit entities) to a text or caption
// and trims it as Telegram does. It returns the text the chat shows.
func parseText(text, parseMode, entitiesJSON string) (string, []wireEntity, *apiError) {
	var ents []wireEntity
	switch strings.ToLower(parseMode) {
	case "":
		if entitiesJSON != "" && json.Unmarshal([]byte(entitiesJSON), &ents) != nil {
			return "", nil, badRequest("can't parse entities JSON object")
		}
	case "html":
		var err *apiError
		if text, ents, err = parseHTML(text); err != nil {
			return "", nil, err
		}
	case "markdown", "markdownv2":
		// Accepted, not interpreted: the text is kept as sent.
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	text, ents = trimText(text, ents)
	return text, ents, nil
}

// trimText drops leading and trailing white space, moving entities along.
func trimText(text string, ents []wireEntity) (string, []wireEntity) {
	rest := strings.TrimLeftFunc(text, unicode.IsSpace)
	shift := utf16Len(text[:len(text)-len(rest)])
	text = strings.TrimRightFunc(rest, unicode.IsSpace)
	n := utf16Len(text)
	var out []wireEntity
	for _, e := range ents {
		start, end := max(e.Offset-shift, 0), min(e.Offset+e.Length-shift, n)
		if end > start {
			e.Offset, e.Length = start, end-start
			out = append(out, e)
		}
	}
	return text, out
}

// htmlEntityTypes maps the tags Telegram's HTML style supports to entity types.
var htmlEntityTypes = map[string]string{
	"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
	"tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
	"tg-emoji": "custom_emoji",
}

// parseHTML parses Telegram's HTML style: the supported tags, properly
// nested, and &lt; &gt; &amp; &quot; and numeric entities.
func parseHTML(src string) (string, []wireEntity, *apiError) {
	type open struct {
		tag   string
		ent   wireEntity
		start int
	}
	var (
		out   strings.Builder
		ents  []wireEntity
		stack []open
		pos   int // UTF-16 length of out
	)
	fail := func(format string, args ...any) (string, []wireEntity, *apiError) {
		return "", nil, badRequest("can't parse entities: "+format, args...)
	}
	for i := 0; i < len(src); {
		switch src[i] {
		case '&':
			end := strings.IndexByte(src[i:], ';')
			if r, ok := htmlEntity(src[i+1 : i+max(end, 1)]); end > 0 && ok {
				out.WriteRune(r)
				pos += utf16Len(string(r))
				i += end + 1
				continue
			}
			out.WriteByte('&')
			pos++
			i++
		case '<':
			end := strings.IndexByte(src[i:], '>')
			if end < 0 {
				return fail("Unclosed start tag at byte offset %d", i)
			}
			inner := src[i+1 : i+end]
			if strings.HasPrefix(inner, "/") {
				name := strings.ToLower(strings.TrimSpace(inner[1:]))
				if len(stack) == 0 {
					return fail("Unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top.tag {
					return fail(`Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"`, i, top.tag, name)
				}
				stack = stack[:len(stack)-1]
				if pos > top.start {
					top.ent.Offset, top.ent.Length = top.start, pos-top.start
					ents = append(ents, top.ent)
				}
			} else {
				name, attrs, _ := strings.Cut(inner, " ")
				name = strings.ToLower(name)
				typ, ok := htmlEntityTypes[name]
				if !ok {
					return fail(`Unsupported start tag "%s" at byte offset %d`, name, i)
				}
				ent := wireEntity{Type: typ}
				switch name {
				case "a":
					ent.URL = htmlAttr(attrs, "href")
				case "tg-emoji":
					ent.CustomEmojiID = htmlAttr(attrs, "emoji-id")
				case "blockquote":
					if strings.Contains(attrs, "expandable") {
						ent.Type = "expandable_blockquote"
					}
				}
				stack = append(stack, open{tag: name, ent: ent, start: pos})
			}
			i += end + 1
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			out.WriteString(src[i : i+size])
			pos += utf16Len(string(r))
			i += size
		}
	}
	if len(stack) > 0 {
		return fail(`Can't find end tag corresponding to start tag "%s"`, stack[len(stack)-1].tag)
	}
	sort.SliceStable(ents, func(a, b int) bool {
		if ents[a].Offset != ents[b].Offset {
			return ents[a].Offset < ents[b].Offset
		}
		return ents[a].Length > ents[b].Length
	})
	return out.String(), ents, nil
}

func htmlEntity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
			num, base = hex, 16
		}
		if n, err := strconv.ParseUint(num, base, 32); err == nil && utf8.ValidRune(rune(n)) {
			return rune(n), true
		}
	}
	return 0, false
}

// htmlAttr finds name="value" (or 'value', or a bare value) in a tag's attributes.
func htmlAttr(attrs, name string) string {
	i := strings.Index(attrs, name+"=")
	if i < 0 {
		return ""
	}
	v := attrs[i+len(name)+1:]
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			v = v[1 : end+1]
		}
	} else if end := strings.IndexAny(v, " \t\n"); end >= 0 {
		v = v[:end]
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(v)
}

// commandEntities finds the bot commands in a user's text as Telegram marks
// them: "/" at the start or after white space, then 1–64 of [A-Za-z0-9_],
// optionally "@" and a bot username.
func commandEntities(text string) []wireEntity {
	var out []wireEntity
	pos := 0 // UTF-16 offset
	prev := ' '
	for i := 0; i < len(text); {
		if text[i] == '/' && unicode.IsSpace(prev) {
			j := i + 1
			for j < len(text) && j-i-1 < 64 && isWordByte(text[j]) {
				j++
			}
			if j > i+1 {
				if j+1 < len(text) && text[j] == '@' && isWordByte(text[j+1]) {
					for j++; j < len(text) && isWordByte(text[j]); j++ {
					}
				}
				out = append(out, wireEntity{Type: "bot_command", Offset: pos, Length: j - i}) // ASCII: bytes = UTF-16 units
				pos += j - i
				prev, i = rune(text[j-1]), j
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		pos += utf16Len(string(r))
		prev, i = r, i+size
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// utf16Len is a string's length in UTF-16 code units, the unit Telegram
// counts text lengths and entity offsets in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
