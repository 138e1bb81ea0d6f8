package fakeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// getUpdates long-polls: it answers at once when updates are pending, else
// when one arrives, the timeout passes or the client goes away. offset
// confirms (drops) every update below it.
func (s *Server) getUpdates(ctx context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)

	s.mu.Lock()
	if s.webhook != "" {
		s.mu.Unlock()
		return nil, &apiError{status: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	s.pollGen++
	gen := s.pollGen
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if gen != s.pollGen {
			s.mu.Unlock()
			return nil, &apiError{status: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		if offset > s.firstID {
			drop := offset - s.firstID
			if drop > int64(len(s.updates)) {
				drop = int64(len(s.updates))
			}
			s.updates = s.updates[drop:]
			s.firstID += drop
		}
		if len(s.updates) > 0 || s.closed {
			n := len(s.updates)
			if n > limit {
				n = limit
			}
			out := append([]json.RawMessage{}, s.updates[:n]...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		wait := time.Until(deadline)
		if wait <= 0 {
			return []json.RawMessage{}, nil
		}
		select {
		case <-ch:
		case <-time.After(wait):
		case <-ctx.Done():
			return []json.RawMessage{}, nil
		}
	}
}

// push queues an update (a JSON object without update_id) and returns its id.
func (s *Server) push(fields map[string]any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID
	s.nextID++
	fields["update_id"] = id
	raw, _ := json.Marshal(fields)
	s.updates = append(s.updates, raw)
	s.notifyLocked()
	return id
}

func userJSON(u User) map[string]any {
	m := map[string]any{"id": u.ID, "is_bot": false, "first_name": u.FirstName}
	if u.LastName != "" {
		m["last_name"] = u.LastName
	}
	if u.Username != "" {
		m["username"] = u.Username
	}
	if u.LanguageCode != "" {
		m["language_code"] = u.LanguageCode
	}
	return m
}

func privateChat(u User) map[string]any {
	m := map[string]any{"id": u.ID, "type": "private", "first_name": u.FirstName}
	if u.Username != "" {
		m["username"] = u.Username
	}
	return m
}

// userMessage builds a message from u in their private chat and queues it.
func (s *Server) userMessage(u User, fill func(m map[string]any)) int64 {
	s.mu.Lock()
	s.known[u.ID] = true
	s.users[u.ID] = u
	s.nextMsgID[u.ID]++
	id := s.nextMsgID[u.ID]
	s.mu.Unlock()
	m := map[string]any{"message_id": id, "from": userJSON(u), "chat": privateChat(u), "date": time.Now().Unix()}
	fill(m)
	s.push(map[string]any{"message": m})
	return id
}

// Meet makes u known, as if they had started the bot before: the bot can
// write to them first.
func (s *Server) Meet(u User) {
	s.mu.Lock()
	s.known[u.ID] = true
	s.users[u.ID] = u
	s.mu.Unlock()
}

// SendText delivers a text message from u; a leading /command gets its
// bot_command entity, as Telegram sends it.
func (s *Server) SendText(u User, text string) int64 {
	return s.userMessage(u, func(m map[string]any) {
		m["text"] = text
		if strings.HasPrefix(text, "/") {
			n := strings.IndexAny(text, " \n\t")
			if n < 0 {
				n = len(text)
			}
			m["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": utf16Len(text[:n])}}
		}
	})
}

// SendContact delivers a shared contact from u.
func (s *Server) SendContact(u User, c Contact) int64 {
	return s.userMessage(u, func(m map[string]any) {
		contact := map[string]any{"phone_number": c.PhoneNumber, "first_name": c.FirstName}
		if c.FirstName == "" {
			contact["first_name"] = u.FirstName
		}
		if c.UserID != 0 {
			contact["user_id"] = c.UserID
		}
		m["contact"] = contact
	})
}

// SendDocument delivers a document from u; the bot can fetch it with getFile.
func (s *Server) SendDocument(u User, name string, data []byte, caption string) int64 {
	f := s.storeFile(name, data)
	return s.userMessage(u, func(m map[string]any) {
		m["document"] = map[string]any{"file_id": f.FileID, "file_unique_id": "u" + f.FileID, "file_name": name, "file_size": len(data)}
		if caption != "" {
			m["caption"] = caption
		}
	})
}

// SendPhoto delivers a photo from u.
func (s *Server) SendPhoto(u User, data []byte, caption string) int64 {
	f := s.storeFile("photo.jpg", data)
	return s.userMessage(u, func(m map[string]any) {
		m["photo"] = []map[string]any{{"file_id": f.FileID, "file_unique_id": "u" + f.FileID, "width": 640, "height": 480, "file_size": len(data)}}
		if caption != "" {
			m["caption"] = caption
		}
	})
}

// PressButton taps the inline button labelled buttonText on a bot message and
// returns the callback query id.
func (s *Server) PressButton(u User, chatID, messageID int64, buttonText string) (string, error) {
	s.mu.Lock()
	var data string
	found := false
	for _, m := range s.messages[chatID] {
		if m.ID != messageID {
			continue
		}
		for _, row := range m.Inline {
			for _, b := range row {
				if b.Text == buttonText && b.CallbackData != "" {
					data, found = b.CallbackData, true
				}
			}
		}
	}
	s.mu.Unlock()
	if !found {
		return "", fmt.Errorf("fakeapi: no button %q on message %d in chat %d", buttonText, messageID, chatID)
	}
	return s.SendCallback(u, chatID, messageID, data), nil
}

// SendCallback delivers a callback query with any data, forged or not.
func (s *Server) SendCallback(u User, chatID, messageID int64, data string) string {
	s.mu.Lock()
	s.known[u.ID] = true
	s.users[u.ID] = u
	id := fmt.Sprintf("cq%d", len(s.callbacks)+1)
	s.callbacks[id] = &callbackState{}
	var msg map[string]any
	for _, m := range s.messages[chatID] {
		if m.ID == messageID {
			msg = s.messageJSON(m)
		}
	}
	s.mu.Unlock()
	if msg == nil {
		// A message the bot never sent (or too old): Telegram marks it
		// inaccessible with date 0.
		msg = map[string]any{"message_id": messageID, "chat": map[string]any{"id": chatID, "type": "private"}, "date": 0}
	}
	s.push(map[string]any{"callback_query": map[string]any{
		"id": id, "from": userJSON(u), "message": msg, "chat_instance": strconv.FormatInt(chatID, 10), "data": data,
	}})
	return id
}

// Inject queues any update JSON (the server sets update_id); the chats it
// names become known.
func (s *Server) Inject(update json.RawMessage) {
	var m map[string]any
	if err := json.Unmarshal(update, &m); err != nil || m == nil {
		return
	}
	var probe struct {
		Message *struct {
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	}
	if json.Unmarshal(update, &probe) == nil && probe.Message != nil {
		s.mu.Lock()
		s.known[probe.Message.Chat.ID] = true
		s.mu.Unlock()
	}
	s.push(m)
}

// CallbackAnswers maps callback query ids the bot answered to its text.
func (s *Server) CallbackAnswers() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for id, c := range s.callbacks {
		if c.answered {
			out[id] = c.text
		}
	}
	return out
}

func (s *Server) answerCallbackQuery(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.callbacks[p["callback_query_id"]]
	if !ok || c.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if n := len([]rune(p["text"])); n > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	c.answered = true
	c.text = p["text"]
	s.notifyLocked()
	return true, nil
}

// utf16Len is a string's length in UTF-16 code units, Telegram's unit for
// entity offsets.
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
