package fakeapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Block makes sends to chatID fail with 403, as when the user blocked the bot.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	s.blocked[chatID] = true
	s.mu.Unlock()
}

// FailNext makes the next n calls of method ("" = any but getUpdates) answer f.
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	key := strings.ToLower(method)
	s.failNext[key] = append(s.failNext[key], failCount{n: n, f: f})
	s.mu.Unlock()
}

// Refuse makes method always answer 400, like a server that does not offer an
// optional call.
func (s *Server) Refuse(method string) {
	s.mu.Lock()
	s.refused[strings.ToLower(method)] = true
	s.mu.Unlock()
}

// SetLatency delays every call but getUpdates by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

func (s *Server) takeFailure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	if s.refused[key] {
		return Failure{Status: 400, Description: "Bad Request: method is not available"}, true
	}
	for _, k := range []string{key, ""} {
		if k == "" && key == "getupdates" {
			continue
		}
		q := s.failNext[k]
		if len(q) == 0 {
			continue
		}
		f := q[0].f
		q[0].n--
		if q[0].n <= 0 {
			q = q[1:]
		}
		s.failNext[k] = q
		if f.Status == 0 {
			f.Status = http.StatusOK
		}
		return f, true
	}
	return Failure{}, false
}

// limits enforces Telegram's flood limits when set.
type limits struct {
	global, perChat int
	recent          []time.Time           // successful sends in the last second, overall
	perChatRecent   map[int64][]time.Time // and per chat
	count429        int
}

// EnforceLimits makes sends beyond global per second overall, or perChat per
// second to one chat (any sliding one-second window), answer 429 with
// retry_after. Zero disables a limit.
func (s *Server) EnforceLimits(global, perChat int) {
	s.mu.Lock()
	s.limits.global, s.limits.perChat = global, perChat
	s.limits.recent = nil
	s.limits.perChatRecent = map[int64][]time.Time{}
	s.mu.Unlock()
}

// Count429 is how many 429 answers the limits gave.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.count429
}

// limitLocked counts a send to chat, or refuses it with 429.
func (s *Server) limitLocked(chat int64) *apiError {
	l := &s.limits
	if l.global <= 0 && l.perChat <= 0 {
		return nil
	}
	now := time.Now()
	cut := now.Add(-time.Second)
	l.recent = trim(l.recent, cut)
	l.perChatRecent[chat] = trim(l.perChatRecent[chat], cut)
	over := func(times []time.Time, max int) (bool, int) {
		if max <= 0 || len(times) < max {
			return false, 0
		}
		// Free again when the oldest send in the window leaves it.
		wait := times[len(times)-max].Add(time.Second).Sub(now)
		secs := int(wait/time.Second) + 1
		return true, secs
	}
	if o, secs := over(l.recent, l.global); o {
		l.count429++
		return &apiError{status: 429, desc: "Too Many Requests: retry after " + itoa(secs), retryAfter: secs}
	}
	if o, secs := over(l.perChatRecent[chat], l.perChat); o {
		l.count429++
		return &apiError{status: 429, desc: "Too Many Requests: retry after " + itoa(secs), retryAfter: secs}
	}
	l.recent = append(l.recent, now)
	l.perChatRecent[chat] = append(l.perChatRecent[chat], now)
	return nil
}

func trim(ts []time.Time, cut time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	return ts[i:]
}

func itoa(n int) string { return strconv.Itoa(n) }
