package fakeapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Failure is how a call fails (see FailNext).
type Failure struct {
	// Status is the HTTP status and error_code. 0 (or 200) with a Delay
	// answers normally, only late.
	Status int
	// Description is the error's description; "" gives Telegram's usual one
	// for the status ("Too Many Requests: retry after N" for 429).
	Description string
	// RetryAfter is parameters.retry_after, in seconds (at least 1 for 429).
	RetryAfter int
	// Delay is how long to wait before answering.
	Delay time.Duration
	// NonJSON answers an HTML page instead of JSON, as a proxy's 502 does.
	NonJSON bool
}

// fails reports whether f is an error answer rather than only a delay.
func (f Failure) fails() bool { return f.NonJSON || f.Status != 0 && f.Status != http.StatusOK }

type pendingFailure struct {
	method string // "" for any method except getUpdates
	n      int
	f      Failure
}

// faultState is the misbehaviour a test asked for.
type faultState struct {
	blocked  map[int64]bool
	failures []*pendingFailure
	refused  map[string]bool
	latency  time.Duration

	global, perChat int
	recent          []time.Time           // successful sends in the last second
	recentByChat    map[int64][]time.Time // the same per chat
	n429            int
}

func (f *faultState) init() {
	f.blocked, f.refused, f.recentByChat = map[int64]bool{}, map[string]bool{}, map[int64][]time.Time{}
}

// Block makes a chat's user have blocked the bot: sends to the chat answer
// 403 "Forbidden: bot was blocked by the user". Edits still work. Messages the
// test sends as that user are still delivered.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.blocked[chatID] = true
	s.notifyLocked()
}

// UserBlocks is a user blocking the bot, as Telegram tells it: sends to
// their chat answer 403 from now on, and a my_chat_member update says
// kicked.
func (s *Server) UserBlocks(u User) {
	s.Block(u.ID)
	s.Inject(myChatMember(u, "member", "kicked"))
}

// UserUnblocks undoes UserBlocks: the update says member again.
func (s *Server) UserUnblocks(u User) {
	s.Unblock(u.ID)
	s.Inject(myChatMember(u, "kicked", "member"))
}

func myChatMember(u User, from, to string) json.RawMessage {
	user := map[string]any{"id": u.ID, "is_bot": false, "first_name": u.FirstName}
	bot := map[string]any{"id": 1, "is_bot": true, "first_name": "assocbot"}
	body, _ := json.Marshal(map[string]any{"my_chat_member": map[string]any{
		"chat": map[string]any{"id": u.ID, "type": "private", "first_name": u.FirstName},
		"from": user, "date": time.Now().Unix(),
		"old_chat_member": map[string]any{"status": from, "user": bot},
		"new_chat_member": map[string]any{"status": to, "user": bot, "until_date": 0},
	}})
	return body
}

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults.blocked, chatID)
	s.notifyLocked()
}

// FailNext makes the next n calls of method (case-insensitive; "" for any
// method except getUpdates and file downloads) answer f instead. Failures
// queue up in the order given.
func (s *Server) FailNext(method string, n int, f Failure) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.failures = append(s.faults.failures, &pendingFailure{method: method, n: n, f: f})
}

// takeFailure consumes the first pending failure that applies to method.
func (s *Server) takeFailure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.faults.failures {
		match := strings.EqualFold(p.method, method) ||
			p.method == "" && method != "getUpdates" && method != "file"
		if !match {
			continue
		}
		p.n--
		if p.n == 0 {
			s.faults.failures = append(s.faults.failures[:i], s.faults.failures[i+1:]...)
		}
		return p.f, true
	}
	return Failure{}, false
}

// writeFailure answers f and returns the status written.
func (s *Server) writeFailure(w http.ResponseWriter, f Failure) int {
	if f.NonJSON {
		status := f.Status
		if status == 0 || status == http.StatusOK {
			status = http.StatusBadGateway
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		text := fmt.Sprintf("%d %s", status, http.StatusText(status))
		io.WriteString(w, "<html>\r\n<head><title>"+text+"</title></head>\r\n<body>\r\n<center><h1>"+text+
			"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
		if status == http.StatusTooManyRequests {
			s.count429()
		}
		return status
	}
	e := &apiError{code: f.Status, desc: f.Description, retryAfter: f.RetryAfter}
	if f.Status == http.StatusTooManyRequests {
		e.retryAfter = max(e.retryAfter, 1)
		if e.desc == "" {
			e.desc = fmt.Sprintf("Too Many Requests: retry after %d", e.retryAfter)
		}
		s.count429()
	}
	if e.desc == "" {
		e.desc = http.StatusText(f.Status)
	}
	return writeError(w, e)
}

// Refuse makes a method always answer 400, as a server that refuses an
// optional call would.
func (s *Server) Refuse(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.refused[strings.ToLower(method)] = true
}

func (s *Server) isRefused(method string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.refused[strings.ToLower(method)]
}

// SetLatency makes every call except getUpdates wait d before answering
// (less when the client gives up, or the server closes).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.latency = d
}

func (s *Server) latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.latency
}

// EnforceLimits answers 429 (description "Too Many Requests: retry after N",
// parameters.retry_after N ≥ 1) to a send (sendMessage, sendPhoto,
// sendDocument) or edit (editMessage*) that would make more than global
// successful ones in the last second overall, or more than perChatPerSec in
// one chat. 0 disables a limit.
func (s *Server) EnforceLimits(global int, perChatPerSec int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.global, s.faults.perChat = global, perChatPerSec
}

// Count429 is how many 429 answers the server gave.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.n429
}

func (s *Server) count429() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.n429++
	s.notifyLocked()
}

// limitLocked is the 429 a send to chatID would get now, or nil.
func (f *faultState) limitLocked(chatID int64, now time.Time) *apiError {
	f.prune(chatID, now)
	if e := tooMany(f.recent, f.global, now); e != nil {
		return e
	}
	return tooMany(f.recentByChat[chatID], f.perChat, now)
}

// tooMany: when sends already holds limit times in the last second, the
// wait until the oldest of those leaves the window.
func tooMany(sends []time.Time, limit int, now time.Time) *apiError {
	if limit <= 0 || len(sends) < limit {
		return nil
	}
	wait := sends[len(sends)-limit].Add(time.Second).Sub(now)
	secs := max(int((wait+time.Second-1)/time.Second), 1)
	return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
}

// noteSendLocked counts a successful send.
func (f *faultState) noteSendLocked(chatID int64, now time.Time) {
	f.prune(chatID, now)
	f.recent = append(f.recent, now)
	f.recentByChat[chatID] = append(f.recentByChat[chatID], now)
}

func (f *faultState) prune(chatID int64, now time.Time) {
	cut := now.Add(-time.Second)
	keep := func(ts []time.Time) []time.Time {
		i := 0
		for i < len(ts) && !ts[i].After(cut) {
			i++
		}
		return ts[i:]
	}
	f.recent = keep(f.recent)
	if ts := keep(f.recentByChat[chatID]); len(ts) > 0 {
		f.recentByChat[chatID] = ts
	} else {
		delete(f.recentByChat, chatID)
	}
}

// Uneditable makes a message the bot sent one that Telegram no longer lets
// it edit (as it refuses some messages after 48 hours): editMessage* on it
// answers 400 "Bad Request: message can't be edited". It reports whether
// the bot sent such a message.
func (s *Server) Uneditable(chatID, msgID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.chats[chatID]; ok {
		for _, m := range c.bot {
			if m.id == msgID {
				m.uneditable = true
				return true
			}
		}
	}
	return false
}

// UserDeletes deletes a message the bot sent as its user may in a private
// chat, for both sides: it leaves Messages, and editing it answers 400
// "Bad Request: message to edit not found". It reports whether the bot
// sent such a message.
func (s *Server) UserDeletes(chatID, msgID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return false
	}
	for i, m := range c.bot {
		if m.id == msgID {
			c.bot = slices.Delete(c.bot, i, i+1)
			s.notifyLocked()
			return true
		}
	}
	return false
}
