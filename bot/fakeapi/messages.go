package fakeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// rawButton is a button as JSON, with every kind of field a button may carry,
// to count how many a client set.
type rawButton map[string]json.RawMessage

type rawMarkup struct {
	InlineKeyboard [][]rawButton `json:"inline_keyboard"`
	Keyboard       [][]rawButton `json:"keyboard"`
	RemoveKeyboard bool          `json:"remove_keyboard"`
	ForceReply     bool          `json:"force_reply"`
}

// inlineButtonKinds are the optional fields of InlineKeyboardButton, of which
// the Bot API says "exactly one of the optional fields must be used to specify
// type of the button".
var inlineButtonKinds = []string{"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"}

// parseMarkup validates reply_markup and returns the inline keyboard, the
// reply keyboard and whether the keyboard is removed.
func parseMarkup(raw string) (inline, keyboard [][]Button, remove bool, err *apiError) {
	if raw == "" {
		return nil, nil, false, nil
	}
	var m rawMarkup
	if e := json.Unmarshal([]byte(raw), &m); e != nil {
		return nil, nil, false, badRequest("can't parse reply keyboard markup JSON object")
	}
	for _, row := range m.InlineKeyboard {
		var out []Button
		for _, b := range row {
			var text string
			json.Unmarshal(b["text"], &text)
			if text == "" {
				return nil, nil, false, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			kinds := 0
			for _, k := range inlineButtonKinds {
				if _, ok := b[k]; ok {
					kinds++
				}
			}
			if kinds != 1 {
				return nil, nil, false, badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
			}
			btn := Button{Text: text}
			if d, ok := b["callback_data"]; ok {
				json.Unmarshal(d, &btn.CallbackData)
				if n := len(btn.CallbackData); n < 1 || n > 64 {
					return nil, nil, false, badRequest("BUTTON_DATA_INVALID")
				}
			}
			if u, ok := b["url"]; ok {
				json.Unmarshal(u, &btn.URL)
			}
			out = append(out, btn)
		}
		inline = append(inline, out)
	}
	for _, row := range m.Keyboard {
		var out []Button
		for _, b := range row {
			var btn Button
			json.Unmarshal(b["text"], &btn.Text)
			json.Unmarshal(b["request_contact"], &btn.RequestContact)
			if btn.Text == "" {
				return nil, nil, false, badRequest("keyboard button text must be non-empty")
			}
			out = append(out, btn)
		}
		keyboard = append(keyboard, out)
	}
	return inline, keyboard, m.RemoveKeyboard, nil
}

func parseChat(p map[string]string) (int64, *apiError) {
	id, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

// checkChatLocked answers what Telegram answers for an unknown or blocked chat.
func (s *Server) checkChatLocked(chat int64) *apiError {
	if !s.known[chat] {
		return badRequest("chat not found")
	}
	if s.blocked[chat] {
		return &apiError{status: 403, desc: "Forbidden: bot was blocked by the user"}
	}
	return nil
}

func (s *Server) sendMessage(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	chat, aerr := parseChat(p)
	if aerr != nil {
		return nil, aerr
	}
	text := p["text"]
	if strings.TrimSpace(text) == "" {
		return nil, badRequest("message text is empty")
	}
	if utf16Len(text) > 4096 {
		return nil, badRequest("message is too long")
	}
	inline, keyboard, remove, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	return s.deliver(chat, &Message{Text: text, Inline: inline, Keyboard: keyboard, RemoveKeyboard: remove})
}

// deliver stores a bot message after the chat, block and rate checks.
func (s *Server) deliver(chat int64, m *Message) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr := s.checkChatLocked(chat); aerr != nil {
		return nil, aerr
	}
	if aerr := s.limitLocked(chat); aerr != nil {
		return nil, aerr
	}
	s.nextMsgID[chat]++
	m.ID = s.nextMsgID[chat]
	m.ChatID = chat
	m.Date = time.Now()
	s.messages[chat] = append(s.messages[chat], m)
	s.publishLocked("message", m)
	return s.messageJSON(m), nil
}

func (s *Server) publishLocked(kind string, m *Message) {
	s.notifyLocked()
	for _, ch := range s.subs {
		select {
		case ch <- Event{Kind: kind, Message: copyMessage(m)}:
		default: // a subscriber that does not keep up loses events, the server never blocks
		}
	}
}

// messageJSON is the Message object the Bot API returns.
func (s *Server) messageJSON(m *Message) map[string]any {
	chat := map[string]any{"id": m.ChatID, "type": "private"}
	if m.ChatID < 0 {
		chat["type"] = "supergroup"
		chat["title"] = "Group"
	} else if u, ok := s.users[m.ChatID]; ok {
		chat["first_name"] = u.FirstName
	}
	out := map[string]any{"message_id": m.ID, "chat": chat, "date": m.Date.Unix(),
		"from": map[string]any{"id": s.botUser.ID, "is_bot": true, "first_name": s.botUser.FirstName, "username": s.botUser.Username}}
	if m.Document != nil || m.Photo != nil {
		if m.Text != "" {
			out["caption"] = m.Text
		}
	} else {
		out["text"] = m.Text
	}
	if m.Edited > 0 {
		out["edit_date"] = time.Now().Unix()
	}
	if len(m.Inline) > 0 {
		var rows [][]map[string]any
		for _, r := range m.Inline {
			var row []map[string]any
			for _, b := range r {
				btn := map[string]any{"text": b.Text}
				if b.CallbackData != "" {
					btn["callback_data"] = b.CallbackData
				}
				if b.URL != "" {
					btn["url"] = b.URL
				}
				row = append(row, btn)
			}
			rows = append(rows, row)
		}
		out["reply_markup"] = map[string]any{"inline_keyboard": rows}
	}
	if m.Document != nil {
		out["document"] = map[string]any{"file_id": m.Document.FileID, "file_unique_id": "u" + m.Document.FileID, "file_name": m.Document.Name, "file_size": len(m.Document.Data)}
	}
	if m.Photo != nil {
		out["photo"] = []map[string]any{{"file_id": m.Photo.FileID, "file_unique_id": "u" + m.Photo.FileID, "width": 640, "height": 480}}
	}
	return out
}

func (s *Server) findLocked(p map[string]string) (*Message, *apiError) {
	chat, aerr := parseChat(p)
	if aerr != nil {
		return nil, aerr
	}
	id, _ := strconv.ParseInt(p["message_id"], 10, 64)
	for _, m := range s.messages[chat] {
		if m.ID == id {
			return m, nil
		}
	}
	return nil, badRequest("message to edit not found")
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) editMessageText(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	text := p["text"]
	if strings.TrimSpace(text) == "" {
		return nil, badRequest("message text is empty")
	}
	if utf16Len(text) > 4096 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	inline, _, _, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.findLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkChatLocked(m.ChatID); aerr != nil {
		return nil, aerr
	}
	if m.Text == text && reflect.DeepEqual(m.Inline, inline) {
		return nil, badRequest(notModified)
	}
	if aerr := s.limitLocked(m.ChatID); aerr != nil {
		return nil, aerr
	}
	m.Text, m.Inline = text, inline
	m.Edited++
	s.publishLocked("edit", m)
	return s.messageJSON(m), nil
}

func (s *Server) editMessageReplyMarkup(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	inline, _, _, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.findLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	if reflect.DeepEqual(m.Inline, inline) {
		return nil, badRequest(notModified)
	}
	m.Inline = inline
	m.Edited++
	s.publishLocked("edit", m)
	return s.messageJSON(m), nil
}

func copyMessage(m *Message) Message {
	c := *m
	c.Inline = copyButtons(m.Inline)
	c.Keyboard = copyButtons(m.Keyboard)
	return c
}

func copyButtons(in [][]Button) [][]Button {
	if in == nil {
		return nil
	}
	out := make([][]Button, len(in))
	for i, r := range in {
		out[i] = append([]Button(nil), r...)
	}
	return out
}

// Messages returns the chat's bot messages in their current state.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[chatID]))
	for _, m := range s.messages[chatID] {
		out = append(out, copyMessage(m))
	}
	return out
}

// Last returns the chat's newest bot message.
func (s *Server) Last(chatID int64) (Message, bool) {
	msgs := s.Messages(chatID)
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// WaitMessages blocks until the chat has at least n bot messages.
func (s *Server) WaitMessages(ctx context.Context, chatID int64, n int) ([]Message, error) {
	err := s.WaitFor(ctx, func() bool { return len(s.Messages(chatID)) >= n })
	return s.Messages(chatID), err
}

// Subscribe streams every message the bot sends or edits. The returned
// function unsubscribes.
func (s *Server) Subscribe() (<-chan Event, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan Event, 4096)
	id := s.nextSub
	s.nextSub++
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			close(c)
			delete(s.subs, id)
		}
	}
}

var commandPattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func scopeKey(raw string) (string, *apiError) {
	if raw == "" {
		return "default", nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil || sc.Type == "" {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, nil
	case "chat", "chat_administrators", "chat_member":
		id := strings.Trim(string(sc.ChatID), `"`)
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return "", badRequest("chat not found")
		}
		return sc.Type + ":" + id, nil
	}
	return "", badRequest("wrong BotCommandScope type specified")
}

func checkLang(code string) *apiError {
	if code != "" && !regexp.MustCompile(`^[a-z]{2}$`).MatchString(code) {
		return badRequest("invalid language code specified")
	}
	return nil
}

func (s *Server) setMyCommands(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	var cmds []struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON array")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	set := &CommandSet{LanguageCode: p["language_code"]}
	for _, c := range cmds {
		if !commandPattern.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := len([]rune(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
		set.Commands = append(set.Commands, Command{Command: c.Command, Description: c.Description})
	}
	if aerr := checkLang(set.LanguageCode); aerr != nil {
		return nil, aerr
	}
	key, aerr := scopeKey(p["scope"])
	if aerr != nil {
		return nil, aerr
	}
	set.Scope = key
	s.mu.Lock()
	s.commands[key+"|"+set.LanguageCode] = set
	s.notifyLocked()
	s.mu.Unlock()
	return true, nil
}

func (s *Server) deleteMyCommands(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	key, aerr := scopeKey(p["scope"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	delete(s.commands, key+"|"+p["language_code"])
	s.mu.Unlock()
	return true, nil
}

func (s *Server) getMyCommands(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	key, aerr := scopeKey(p["scope"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]string{}
	if set, ok := s.commands[key+"|"+p["language_code"]]; ok {
		for _, c := range set.Commands {
			out = append(out, map[string]string{"command": c.Command, "description": c.Description})
		}
	}
	return out, nil
}

// Commands returns every menu currently set.
func (s *Server) Commands() []CommandSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CommandSet
	for _, c := range s.commands {
		cp := *c
		cp.Commands = append([]Command(nil), c.Commands...)
		out = append(out, cp)
	}
	return out
}

func (s *Server) storeFile(name string, data []byte) *File {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextFile++
	f := &File{FileID: fmt.Sprintf("file%d", s.nextFile), Name: name, Data: append([]byte(nil), data...)}
	s.files[f.FileID] = f
	return f
}

// sendFile handles sendDocument and sendPhoto: an upload or a file_id.
func (s *Server) sendFile(p map[string]string, files map[string]upload, field string) (any, *apiError) {
	chat, aerr := parseChat(p)
	if aerr != nil {
		return nil, aerr
	}
	if n := len([]rune(p["caption"])); n > 1024 {
		return nil, badRequest("message caption is too long")
	}
	var f *File
	if up, ok := files[field]; ok {
		f = s.storeFile(up.name, up.data)
	} else if id := p[field]; id != "" {
		s.mu.Lock()
		f = s.files[id]
		s.mu.Unlock()
		if f == nil {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	} else {
		return nil, badRequest("there is no " + field + " in the request")
	}
	inline, keyboard, remove, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	m := &Message{Text: p["caption"], Inline: inline, Keyboard: keyboard, RemoveKeyboard: remove}
	if field == "photo" {
		m.Photo = f
	} else {
		m.Document = f
	}
	return s.deliver(chat, m)
}

func (s *Server) sendDocument(_ context.Context, p map[string]string, files map[string]upload) (any, *apiError) {
	return s.sendFile(p, files, "document")
}

func (s *Server) sendPhoto(_ context.Context, p map[string]string, files map[string]upload) (any, *apiError) {
	return s.sendFile(p, files, "photo")
}

func (s *Server) getFile(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	s.mu.Lock()
	f := s.files[p["file_id"]]
	s.mu.Unlock()
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	return map[string]any{"file_id": f.FileID, "file_unique_id": "u" + f.FileID, "file_size": len(f.Data), "file_path": "documents/" + f.FileID}, nil
}
