package fakeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Message is a message the bot sent, in its current state (edits applied).
type Message struct {
	ID     int64
	ChatID int64
	Text   string // the text, or a document's or photo's caption, as the chat shows it (parse_mode applied, trimmed)

	Inline         [][]Button // the current inline keyboard; nil if none
	Keyboard       [][]Button // the reply keyboard sent with the message; nil if none
	RemoveKeyboard bool       // the message removed the reply keyboard

	Document *File // set when sent with sendDocument
	Photo    *File // set when sent with sendPhoto

	Edited int // how many times it was edited
	Date   time.Time
}

// Event is a message the bot sent (Kind "message") or edited (Kind "edit"),
// or the answer to a tapped button a user sees (Kind "toast" or "alert",
// Message.ChatID the user, Message.Text the answer).
type Event struct {
	Kind    string
	Message Message
}

// chat is one chat's state. A private chat's messages, the user's and the
// bot's, share one sequence of ids.
type chat struct {
	id       int64
	lastID   int64
	bot      []*botMessage  // the bot's messages, in order (deleted ones removed)
	fromUser map[int64]bool // the user's messages
}

type botMessage struct {
	id             int64
	date, editDate time.Time
	text           string // text or caption
	entities       []wireEntity
	inline         [][]inlineButton
	keyboard       [][]Button
	remove         bool
	document       *storedFile
	photo          *storedFile
	edited         int
	uneditable     bool // see Uneditable
}

// chatLocked returns a chat's state, making the chat known.
func (s *Server) chatLocked(id int64) *chat {
	c, ok := s.chats[id]
	if !ok {
		c = &chat{id: id, fromUser: map[int64]bool{}}
		s.chats[id] = c
	}
	return c
}

func (s *Server) viewLocked(c *chat, m *botMessage) Message {
	v := Message{ID: m.id, ChatID: c.id, Text: m.text, RemoveKeyboard: m.remove, Edited: m.edited, Date: m.date}
	for _, row := range m.inline {
		r := make([]Button, len(row))
		for i, b := range row {
			r[i] = b.view()
		}
		v.Inline = append(v.Inline, r)
	}
	for _, row := range m.keyboard {
		v.Keyboard = append(v.Keyboard, slices.Clone(row))
	}
	if m.document != nil {
		f := m.document.File
		v.Document = &f
	}
	if m.photo != nil {
		f := m.photo.File
		v.Photo = &f
	}
	return v
}

// publishLocked tells subscribers about a sent or edited message.
func (s *Server) publishLocked(kind string, c *chat, m *botMessage) {
	ev := Event{Kind: kind, Message: s.viewLocked(c, m)}
	for _, sub := range s.subs {
		sub.send(ev)
	}
}

// parseChatID reads chat_id: an integer, or "@username" of a known user.
func (s *Server) parseChatID(p map[string]string, key string) (int64, *apiError) {
	raw := strings.TrimSpace(p[key])
	if raw == "" {
		return 0, badRequest("%s is empty", key)
	}
	if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return id, nil
	}
	if name, ok := strings.CutPrefix(raw, "@"); ok {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, u := range s.users {
			if u.Username != "" && strings.EqualFold(u.Username, name) {
				return u.ID, nil
			}
		}
	}
	return 0, badRequest("chat not found")
}

var errBlocked = &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}

// deliverLocked sends a new bot message to a chat: the chat must be known and
// not have blocked the bot, and the rate limits must allow it.
func (s *Server) deliverLocked(chatID int64, m *botMessage) (any, *apiError) {
	c, ok := s.chats[chatID]
	if !ok {
		return nil, badRequest("chat not found")
	}
	if s.faults.blocked[chatID] {
		return nil, errBlocked
	}
	now := time.Now()
	if err := s.faults.limitLocked(chatID, now); err != nil {
		return nil, err
	}
	s.faults.noteSendLocked(chatID, now)
	c.lastID++
	m.id, m.date = c.lastID, s.now()
	c.bot = append(c.bot, m)
	s.delivered++
	s.publishLocked("message", c, m)
	s.notifyLocked()
	return s.wireMessageLocked(c, m), nil
}

// applyMarkup puts a parsed reply_markup on a new message.
func (m *botMessage) applyMarkup(mk markup) {
	switch mk.kind {
	case markupInline:
		m.inline = mk.inline
	case markupKeyboard:
		m.keyboard = mk.keyboard
	case markupRemove:
		m.remove = true
	}
}

func (s *Server) sendMessage(c *call) (any, *apiError) {
	text, ents, err := parseText(c.params["text"], c.params["parse_mode"], c.params["entities"])
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	if utf16Len(text) > 4096 {
		return nil, badRequest("message is too long")
	}
	mk, err := s.parseMarkup(c)
	if err != nil {
		return nil, err
	}
	chatID, err := s.parseChatID(c.params, "chat_id")
	if err != nil {
		return nil, err
	}
	m := &botMessage{text: text, entities: ents}
	m.applyMarkup(mk)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliverLocked(chatID, m)
}

// findLocked finds the bot message an edit or delete names.
func (s *Server) findLocked(chatID, msgID int64, verb string) (*chat, *botMessage, *apiError) {
	c, ok := s.chats[chatID]
	if !ok {
		return nil, nil, badRequest("chat not found")
	}
	for _, m := range c.bot {
		if m.id == msgID {
			return c, m, nil
		}
	}
	if c.fromUser[msgID] && verb == "edit" {
		return nil, nil, badRequest("message can't be edited")
	}
	return nil, nil, badRequest("message to %s not found", verb)
}

// editTarget reads chat_id and message_id (inline messages are not supported).
func (s *Server) editTarget(p map[string]string) (int64, int64, *apiError) {
	if p["inline_message_id"] != "" {
		return 0, 0, badRequest("MESSAGE_ID_INVALID")
	}
	chatID, err := s.parseChatID(p, "chat_id")
	if err != nil {
		return 0, 0, err
	}
	msgID, perr := strconv.ParseInt(p["message_id"], 10, 64)
	if perr != nil || msgID <= 0 {
		return 0, 0, badRequest("message identifier is not specified")
	}
	return chatID, msgID, nil
}

var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

// edit applies one of the editMessage* methods. change validates the edit
// against the message and returns the new text, entities and keyboard.
func (s *Server) edit(c *call, change func(m *botMessage, mk markup) (string, []wireEntity, *apiError)) (any, *apiError) {
	mk, err := s.parseMarkup(c)
	if err != nil {
		return nil, err
	}
	if mk.kind != markupNone && mk.kind != markupInline {
		return nil, badRequest("inline keyboard expected")
	}
	chatID, msgID, err := s.editTarget(c.params)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, m, err := s.findLocked(chatID, msgID, "edit")
	if err != nil {
		return nil, err
	}
	if m.uneditable {
		return nil, badRequest("message can't be edited")
	}
	text, ents, err := change(m, mk)
	if err != nil {
		return nil, err
	}
	if text == m.text && entitiesEqual(ents, m.entities) && inlineEqual(mk.inline, m.inline) {
		return nil, errNotModified
	}
	now := time.Now()
	if err := s.faults.limitLocked(chatID, now); err != nil {
		return nil, err
	}
	s.faults.noteSendLocked(chatID, now)
	m.text, m.entities, m.inline = text, ents, mk.inline
	m.edited++
	m.editDate = s.now()
	s.publishLocked("edit", ch, m)
	s.notifyLocked()
	return s.wireMessageLocked(ch, m), nil
}

func (s *Server) editMessageText(c *call) (any, *apiError) {
	text, ents, err := parseText(c.params["text"], c.params["parse_mode"], c.params["entities"])
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	if utf16Len(text) > 4096 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	return s.edit(c, func(m *botMessage, _ markup) (string, []wireEntity, *apiError) {
		if m.document != nil || m.photo != nil {
			return "", nil, badRequest("there is no text in the message to edit")
		}
		return text, ents, nil
	})
}

func (s *Server) editMessageCaption(c *call) (any, *apiError) {
	text, ents, err := parseText(c.params["caption"], c.params["parse_mode"], c.params["caption_entities"])
	if err != nil {
		return nil, err
	}
	if utf16Len(text) > 1024 {
		return nil, badRequest("message caption is too long")
	}
	return s.edit(c, func(m *botMessage, _ markup) (string, []wireEntity, *apiError) {
		if m.document == nil && m.photo == nil {
			return "", nil, badRequest("there is no caption in the message to edit")
		}
		return text, ents, nil
	})
}

// editMessageReplyMarkup replaces the inline keyboard; without reply_markup
// it removes it.
func (s *Server) editMessageReplyMarkup(c *call) (any, *apiError) {
	return s.edit(c, func(m *botMessage, _ markup) (string, []wireEntity, *apiError) {
		return m.text, m.entities, nil
	})
}

func entitiesEqual(a, b []wireEntity) bool {
	return slices.Equal(a, b)
}

func (s *Server) deleteMessage(c *call) (any, *apiError) {
	chatID, msgID, err := s.editTarget(c.params)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.chats[chatID]
	if !ok {
		return nil, badRequest("chat not found")
	}
	if ch.fromUser[msgID] { // bots may delete incoming messages in private chats
		delete(ch.fromUser, msgID)
		return true, nil
	}
	for i, m := range ch.bot {
		if m.id == msgID {
			ch.bot = slices.Delete(ch.bot, i, i+1)
			s.notifyLocked()
			return true, nil
		}
	}
	return nil, badRequest("message to delete not found")
}

var chatActions = []string{"typing", "upload_photo", "record_video", "upload_video", "record_voice",
	"upload_voice", "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}

func (s *Server) sendChatAction(c *call) (any, *apiError) {
	if !slices.Contains(chatActions, c.params["action"]) {
		return nil, badRequest("wrong parameter action in request")
	}
	chatID, err := s.parseChatID(c.params, "chat_id")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.chats[chatID]; !ok {
		return nil, badRequest("chat not found")
	}
	if s.faults.blocked[chatID] {
		return nil, errBlocked
	}
	return true, nil
}

// callbackQuery is a callback query delivered to the bot.
type callbackQuery struct {
	answered bool
	text     string
	user     int64 // who tapped: the answer shows in their client
}

func (s *Server) answerCallbackQuery(c *call) (any, *apiError) {
	id := c.params["callback_query_id"]
	text := c.params["text"]
	if utf16Len(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queries[id]
	if !ok || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered, q.text = true, text
	if text != "" && q.user != 0 {
		// What the user sees: a toast, or an alert to dismiss.
		kind := "toast"
		if c.params["show_alert"] == "true" {
			kind = "alert"
		}
		ev := Event{Kind: kind, Message: Message{ChatID: q.user, Text: text}}
		for _, sub := range s.subs {
			sub.send(ev)
		}
	}
	s.notifyLocked()
	return true, nil
}

// Messages returns the bot's messages in a chat, in their current state, in
// the order sent. Deleted messages are left out.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	out := make([]Message, len(c.bot))
	for i, m := range c.bot {
		out[i] = s.viewLocked(c, m)
	}
	return out
}

// Last returns the bot's latest message in a chat.
func (s *Server) Last(chatID int64) (Message, bool) {
	msgs := s.Messages(chatID)
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// WaitMessages blocks until the bot has sent at least n messages to a chat,
// and returns them; when ctx ends first it returns those there are and the
// context's error.
func (s *Server) WaitMessages(ctx context.Context, chatID int64, n int) ([]Message, error) {
	err := s.WaitFor(ctx, func() bool { return len(s.Messages(chatID)) >= n })
	msgs := s.Messages(chatID)
	if err != nil {
		return msgs, fmt.Errorf("fakeapi: chat %d has %d of %d bot messages: %w", chatID, len(msgs), n, err)
	}
	return msgs, nil
}

// CallbackAnswers maps the id of every callback query the bot answered to
// the text of its answer ("" when it answered without text).
func (s *Server) CallbackAnswers() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for id, q := range s.queries {
		if q.answered {
			out[id] = q.text
		}
	}
	return out
}

// subscriber is a Subscribe channel. Sends never block: when the buffer is
// full the oldest event is dropped.
type subscriber struct {
	ch   chan Event
	once sync.Once
}

func (sub *subscriber) send(ev Event) {
	for {
		select {
		case sub.ch <- ev:
			return
		default:
		}
		select {
		case <-sub.ch:
		default:
		}
	}
}

func (sub *subscriber) close() { sub.once.Do(func() { close(sub.ch) }) }

// Subscribe returns a channel of every message the bot sends or edits from
// now on, and a function that unsubscribes (and closes the channel). The
// channel holds 256 events; a slow reader loses the oldest, never blocks the
// server. Close closes every subscriber channel.
func (s *Server) Subscribe() (<-chan Event, func()) {
	sub := &subscriber{ch: make(chan Event, 256)}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closing:
		sub.close()
		return sub.ch, func() {}
	default:
	}
	id := s.nextSub
	s.nextSub++
	s.subs[id] = sub
	return sub.ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
		sub.close()
	}
}

// The Bot API's objects, as the fake writes them.

type wireUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

func toWireUser(u User, bot bool) wireUser {
	return wireUser{ID: u.ID, IsBot: bot, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

func (s *Server) wireChatLocked(id int64) wireChat {
	if id < 0 {
		return wireChat{ID: id, Type: "supergroup", Title: "Group " + strconv.FormatInt(-id, 10)}
	}
	u := s.users[id]
	return wireChat{ID: id, Type: "private", FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

type wireEntity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

type wireContact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	UserID      int64  `json:"user_id,omitempty"`
}

type wireMessage struct {
	MessageID       int64           `json:"message_id"`
	From            *wireUser       `json:"from,omitempty"`
	Chat            wireChat        `json:"chat"`
	Date            int64           `json:"date"`
	EditDate        int64           `json:"edit_date,omitempty"`
	Text            string          `json:"text,omitempty"`
	Entities        []wireEntity    `json:"entities,omitempty"`
	Document        *wireDocument   `json:"document,omitempty"`
	Photo           []wirePhotoSize `json:"photo,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []wireEntity    `json:"caption_entities,omitempty"`
	Contact         *wireContact    `json:"contact,omitempty"`
	ReplyMarkup     json.RawMessage `json:"reply_markup,omitempty"`
}

// wireMessageLocked renders a bot message; reply_markup only when inline, as
// Telegram returns it.
func (s *Server) wireMessageLocked(c *chat, m *botMessage) wireMessage {
	from := toWireUser(s.bot, true)
	w := wireMessage{MessageID: m.id, From: &from, Chat: s.wireChatLocked(c.id), Date: m.date.Unix()}
	if !m.editDate.IsZero() {
		w.EditDate = m.editDate.Unix()
	}
	switch {
	case m.document != nil:
		w.Document = m.document.wireDocument()
		w.Caption, w.CaptionEntities = m.text, m.entities
	case m.photo != nil:
		w.Photo = m.photo.wirePhoto()
		w.Caption, w.CaptionEntities = m.text, m.entities
	default:
		w.Text, w.Entities = m.text, m.entities
	}
	if len(m.inline) > 0 {
		w.ReplyMarkup = inlineJSON(m.inline)
	}
	return w
}

// Delivered is how many messages the bot has sent successfully, in all chats
// (cheap enough to poll from a benchmark).
func (s *Server) Delivered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered
}
