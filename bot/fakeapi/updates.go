package fakeapi

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Contact is a contact a user shares (with a request_contact button, their
// own: UserID is then theirs).
type Contact struct {
	PhoneNumber, FirstName string
	UserID                 int64
}

// updateQueue holds the updates not yet confirmed by getUpdates' offset.
type updateQueue struct {
	pending []pendingUpdate
	next    int64 // the next update_id
	pollGen int64 // bumped by every getUpdates; an older one then gives up
}

type pendingUpdate struct {
	id   int64
	body json.RawMessage
}

type wireUpdate struct {
	UpdateID      int64              `json:"update_id"`
	Message       *wireMessage       `json:"message,omitempty"`
	CallbackQuery *wireCallbackQuery `json:"callback_query,omitempty"`
}

type wireCallbackQuery struct {
	ID           string   `json:"id"`
	From         wireUser `json:"from"`
	Message      any      `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// wireInaccessible is an InaccessibleMessage: a message the bot can't see.
type wireInaccessible struct {
	Chat      wireChat `json:"chat"`
	MessageID int64    `json:"message_id"`
	Date      int64    `json:"date"` // always 0
}

// pushLocked queues an update, setting its update_id.
func (s *Server) pushLocked(u wireUpdate) int64 {
	u.UpdateID = s.updates.next
	body, _ := json.Marshal(u)
	return s.pushRawLocked(body)
}

func (s *Server) pushRawLocked(body json.RawMessage) int64 {
	id := s.updates.next
	s.updates.next++
	s.updates.pending = append(s.updates.pending, pendingUpdate{id: id, body: body})
	s.notifyLocked()
	return id
}

// confirmLocked applies getUpdates' offset: updates below a positive offset
// are forgotten; a negative one keeps only the last -offset updates.
func (q *updateQueue) confirmLocked(offset int64) {
	drop := 0
	switch {
	case offset > 0:
		for drop < len(q.pending) && q.pending[drop].id < offset {
			drop++
		}
	case offset < 0:
		drop = max(len(q.pending)+int(offset), 0)
	}
	q.pending = q.pending[drop:]
}

var (
	errWebhookActive = &apiError{code: http.StatusConflict,
		desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	errOtherPoll = &apiError{code: http.StatusConflict,
		desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	errSetWebhook = &apiError{code: http.StatusConflict, desc: "Conflict: terminated by setWebhook request"}
)

// getUpdates long-polls: it answers as soon as there are updates with
// update_id >= offset, when timeout seconds pass, when the client goes away
// or when the server closes. A newer getUpdates makes a waiting one answer
// 409, as Telegram does.
func (s *Server) getUpdates(c *call) (any, *apiError) {
	offset, _ := strconv.ParseInt(c.params["offset"], 10, 64)
	limit, err := strconv.Atoi(c.params["limit"])
	if err != nil || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(c.params["timeout"])
	deadline := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, errWebhookActive
	}
	s.updates.pollGen++
	gen := s.updates.pollGen
	s.notifyLocked() // wakes an older poll, which then answers 409
	s.mu.Unlock()
	for {
		s.mu.Lock()
		switch {
		case gen != s.updates.pollGen && s.webhook.url != "":
			s.mu.Unlock()
			return nil, errSetWebhook
		case gen != s.updates.pollGen:
			s.mu.Unlock()
			return nil, errOtherPoll
		}
		s.updates.confirmLocked(offset)
		var batch []json.RawMessage
		for _, u := range s.updates.pending[:min(limit, len(s.updates.pending))] {
			batch = append(batch, u.body)
		}
		changed := s.changed
		s.mu.Unlock()
		if len(batch) > 0 {
			return batch, nil
		}
		if timeout <= 0 {
			return []json.RawMessage{}, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return []json.RawMessage{}, nil
		case <-s.closing:
			return []json.RawMessage{}, nil
		case <-c.ctx.Done():
			return nil, errGone
		}
	}
}

// webhookState is what setWebhook set.
type webhookState struct {
	url, secret string
}

// validSecret is Telegram's rule for a webhook's secret_token: 1-256
// characters of A-Z a-z 0-9 _ -. The length is checked apart: the regexp
// ^[A-Za-z0-9_-]{1,256}$ would compile to 256 copies of its class, a
// quarter of a megabyte held from the start.
func validSecret(s string) bool {
	return len(s) <= 256 && secretChars.MatchString(s)
}

var secretChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (s *Server) setWebhook(c *call) (any, *apiError) {
	u := c.params["url"]
	if u != "" && !strings.HasPrefix(strings.ToLower(u), "https://") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := c.params["secret_token"]
	if secret != "" && !validSecret(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u != "" {
		s.updates.pollGen++ // a waiting getUpdates answers 409
	}
	s.webhook = webhookState{url: u, secret: secret}
	if c.params["drop_pending_updates"] == "true" {
		s.updates.pending = nil
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteWebhook(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhookState{}
	if c.params["drop_pending_updates"] == "true" {
		s.updates.pending = nil
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getWebhookInfo(*call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return struct {
		URL                  string `json:"url"`
		HasCustomCertificate bool   `json:"has_custom_certificate"`
		PendingUpdateCount   int    `json:"pending_update_count"`
	}{s.webhook.url, false, len(s.updates.pending)}, nil
}

// Webhook returns the URL and secret token setWebhook set; "" when none.
func (s *Server) Webhook() (url, secretToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// Meet makes u known, as if they had written to the bot before, without an
// update: the bot may then write to them first.
func (s *Server) Meet(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.chatLocked(u.ID)
	s.notifyLocked()
}

// fromUser queues a message from u in their private chat and returns its id.
func (s *Server) fromUser(u User, fill func(m *wireMessage)) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	c := s.chatLocked(u.ID)
	c.lastID++
	c.fromUser[c.lastID] = true
	from := toWireUser(u, false)
	m := wireMessage{MessageID: c.lastID, From: &from, Chat: s.wireChatLocked(u.ID), Date: s.now().Unix()}
	fill(&m)
	s.pushLocked(wireUpdate{Message: &m})
	return c.lastID
}

// SendText delivers a text message from u to the bot and returns its message
// id. Bot commands in it get their bot_command entities, as Telegram marks
// them.
func (s *Server) SendText(u User, text string) int64 {
	return s.fromUser(u, func(m *wireMessage) {
		m.Text, m.Entities = text, commandEntities(text)
	})
}

// SendContact delivers a message with a shared contact from u. An empty
// FirstName is u's.
func (s *Server) SendContact(u User, c Contact) int64 {
	if c.FirstName == "" {
		c.FirstName = u.FirstName
	}
	return s.fromUser(u, func(m *wireMessage) {
		m.Contact = &wireContact{PhoneNumber: c.PhoneNumber, FirstName: c.FirstName, UserID: c.UserID}
	})
}

// SendDocument delivers a document from u, with an optional caption. The bot
// can fetch it with getFile and the download URL.
func (s *Server) SendDocument(u User, name string, data []byte, caption string) int64 {
	s.mu.Lock()
	f := s.files.add("document", name, data)
	s.mu.Unlock()
	return s.fromUser(u, func(m *wireMessage) {
		m.Document, m.Caption = f.wireDocument(), caption
	})
}

// SendPhoto delivers a photo from u, with an optional caption.
func (s *Server) SendPhoto(u User, data []byte, caption string) int64 {
	s.mu.Lock()
	f := s.files.add("photo", "", data)
	s.mu.Unlock()
	return s.fromUser(u, func(m *wireMessage) {
		m.Photo, m.Caption = f.wirePhoto(), caption
	})
}

// PressButton taps the inline button labelled buttonText on the bot's
// message messageID in chatID, in its current state: it delivers a callback
// query from u with that button's callback_data and returns the query's id.
// It fails when there is no such message or callback button.
func (s *Server) PressButton(u User, chatID, messageID int64, buttonText string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return "", fmt.Errorf("fakeapi: no chat %d", chatID)
	}
	for _, m := range c.bot {
		if m.id != messageID {
			continue
		}
		var labels []string
		for _, row := range m.inline {
			for _, b := range row {
				if v := b.view(); b.text == buttonText && v.CallbackData != "" {
					return s.callbackLocked(u, chatID, messageID, v.CallbackData), nil
				}
				labels = append(labels, fmt.Sprintf("%q", b.text))
			}
		}
		return "", fmt.Errorf("fakeapi: message %d in chat %d has no callback button %q (buttons: %s)",
			messageID, chatID, buttonText, strings.Join(labels, ", "))
	}
	return "", fmt.Errorf("fakeapi: the bot has no message %d in chat %d", messageID, chatID)
}

// SendCallback delivers a callback query from u with any data, forged or
// not, for message messageID in chatID. When the bot has no such message the
// query carries an inaccessible message (date 0), as Telegram's does.
func (s *Server) SendCallback(u User, chatID, messageID int64, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callbackLocked(u, chatID, messageID, data)
}

func (s *Server) callbackLocked(u User, chatID, messageID int64, data string) string {
	s.users[u.ID] = u
	s.chatLocked(u.ID)
	s.nQueries++
	id := strconv.FormatInt(4000000000000000000+s.nQueries, 10)
	s.queries[id] = &callbackQuery{user: u.ID}
	var msg any = wireInaccessible{Chat: s.wireChatLocked(chatID), MessageID: messageID}
	if c, ok := s.chats[chatID]; ok {
		for _, m := range c.bot {
			if m.id == messageID {
				msg = s.wireMessageLocked(c, m)
			}
		}
	}
	h := fnv.New64a()
	fmt.Fprint(h, chatID)
	s.pushLocked(wireUpdate{CallbackQuery: &wireCallbackQuery{ID: id, From: toWireUser(u, false), Message: msg,
		ChatInstance: strconv.FormatInt(int64(h.Sum64()>>1), 10), Data: data}})
	return id
}

// Inject queues any update, for fuzzing; the server sets update_id. What
// isn't a JSON object arrives as an update with only its update_id. The chats
// and users it names become known, and a callback_query in it can be
// answered.
func (s *Server) Inject(update json.RawMessage) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(update, &obj) != nil || obj == nil {
		obj = map[string]json.RawMessage{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.learnLocked(obj)
	obj["update_id"] = json.RawMessage(strconv.FormatInt(s.updates.next, 10))
	body, _ := json.Marshal(obj)
	s.pushRawLocked(body)
}

// learnLocked makes the chats of an injected update known.
func (s *Server) learnLocked(obj map[string]json.RawMessage) {
	var probe struct {
		ID   json.RawMessage `json:"id"`
		From *struct {
			ID int64 `json:"id"`
		} `json:"from"`
		Chat *struct {
			ID int64 `json:"id"`
		} `json:"chat"`
		MessageID int64 `json:"message_id"`
	}
	for key, raw := range obj {
		probe.From, probe.Chat, probe.ID, probe.MessageID = nil, nil, nil, 0
		if json.Unmarshal(raw, &probe) != nil {
			continue
		}
		if probe.From != nil && probe.From.ID > 0 && probe.From.ID != s.bot.ID {
			s.chatLocked(probe.From.ID)
		}
		if probe.Chat != nil && probe.Chat.ID != 0 {
			c := s.chatLocked(probe.Chat.ID)
			if strings.HasSuffix(key, "message") && probe.MessageID > 0 {
				c.fromUser[probe.MessageID] = true
				c.lastID = max(c.lastID, probe.MessageID)
			}
		}
		var qid string
		if key == "callback_query" && json.Unmarshal(probe.ID, &qid) == nil && qid != "" {
			if _, ok := s.queries[qid]; !ok {
				s.queries[qid] = &callbackQuery{}
			}
		}
	}
}

// Polls is how many getUpdates calls have been taken up (a test waits for
// a poll to be waiting, not only received, before it starts a newer one).
func (s *Server) Polls() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updates.pollGen
}
