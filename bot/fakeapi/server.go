// Package fakeapi is an in-memory Telegram Bot API server, for tests and for
// the terminal demo (`assocbot demo`).
//
// It serves the Bot API over HTTP, on a port of 127.0.0.1, the way
// https://core.telegram.org/bots/api documents it: requests at
// {URL}/bot{token}/{method}, as multipart/form-data (what
// github.com/go-telegram/bot sends), application/x-www-form-urlencoded,
// application/json or query parameters; answers in Telegram's envelope
// {"ok":true,"result":…} or {"ok":false,"error_code":…,"description":…}.
//
// A test acts as Telegram users (SendText, PressButton, …), reads what the bot
// did (Messages, Requests, CallbackAnswers, Commands), and makes the server
// misbehave like the real one (Block, FailNext, SetLatency, Refuse,
// EnforceLimits). The server never prints its token.
package fakeapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is a Telegram user. The id of a user's private chat with the bot is
// the user's id.
type User struct {
	ID                                          int64
	FirstName, LastName, Username, LanguageCode string
}

// Request is one API call, as received. Params holds every parameter as
// text; an uploaded file appears as "<file NAME, N bytes>". Status is the
// HTTP status answered, 0 while the call is in flight or when the client went
// away before an answer.
type Request struct {
	Method string
	ChatID int64
	Params map[string]string
	At     time.Time
	Status int
}

// Option configures a Server.
type Option func(*Server)

// WithBotUsername sets the bot's username (default "assoc_test_bot").
func WithBotUsername(name string) Option { return func(s *Server) { s.bot.Username = name } }

// WithKnownChat makes a chat known, as if its user had written to the bot
// before: the bot may send to it without "chat not found".
func WithKnownChat(id int64) Option {
	return func(s *Server) { s.chatLocked(id) }
}

// WithStrictButtons makes the server enforce the Bot API documentation's
// rule that exactly one optional field of an InlineKeyboardButton is used.
// Real Telegram is more lenient (see validateInlineButton); the default
// follows the real server.
func WithStrictButtons() Option { return func(s *Server) { s.strictButtons = true } }

// WithStrictMarkup makes the server refuse, with a 400, a reply_markup
// that Telegram accepts but drops without a word: one with no button
// ({}, {"inline_keyboard":[]}) or with an empty row. Such a markup is
// always a sender's mistake (it meant buttons, or none); the bot's tests
// run with it. An empty inline keyboard stays accepted by
// editMessageReplyMarkup, where it removes the buttons.
func WithStrictMarkup() Option { return func(s *Server) { s.strictMarkup = true } }

// Server is a fake Telegram Bot API. Its methods are safe for concurrent use.
type Server struct {
	token         string
	url           string
	http          *http.Server
	served        chan struct{} // closed when the HTTP server has stopped
	now           func() time.Time
	strictButtons bool
	strictMarkup  bool
	closing       chan struct{} // closed by Close
	closeOnce     sync.Once

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change
	bot         User
	requests    []Request
	updates     updateQueue
	users       map[int64]User
	chats       map[int64]*chat
	delivered   int
	queries     map[string]*callbackQuery
	nQueries    int64
	menuButtons map[int64]string // chat → its menu button's web_app URL
	commands    []*CommandSet
	files       fileStore
	webhook     webhookState
	faults      faultState
	subs        map[int]*subscriber
	nextSub     int
}

// New starts a fake Bot API server that accepts token. Close it when done.
func New(token string, opts ...Option) *Server {
	s := &Server{
		token:   token,
		now:     time.Now,
		closing: make(chan struct{}),
		changed: make(chan struct{}),
		bot:     User{ID: 100000, FirstName: "Assoc Test Bot", Username: "assoc_test_bot"},
		users:   map[int64]User{},
		chats:   map[int64]*chat{},
		queries: map[string]*callbackQuery{},
		subs:    map[int]*subscriber{},
	}
	s.updates.next = 1
	s.files.init()
	s.faults.init()
	for _, o := range opts {
		o(s)
	}
	// A plain net/http server, not net/http/httptest: the fake is linked
	// into the assocbot binary for its demo, and httptest would bring its
	// flag and its code to every run of the bot.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("fakeapi: cannot listen on a local port: %v", err))
		}
	}
	s.url = "http://" + ln.Addr().String()
	// net/http's own messages never carry the path, but keep them quiet anyway.
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ErrorLog: log.New(io.Discard, "", 0)}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return s
}

// URL is the server's base URL, for bot.WithServerURL.
func (s *Server) URL() string { return s.url }

// Close stops the server. Long polls and delayed answers return at once;
// subscriber channels are closed. Close may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.mu.Lock()
		s.notifyLocked()
		s.mu.Unlock()
		// Requests in flight answer at once now that closing is closed; let
		// them finish, as httptest's Close does, but not for long.
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		if s.http.Shutdown(ctx) != nil {
			s.http.Close()
		}
		cancel()
		<-s.served
		// Connections the test's default client kept to this server would
		// outlive it (httptest closes them too).
		if t, ok := http.DefaultTransport.(interface{ CloseIdleConnections() }); ok {
			t.CloseIdleConnections()
		}
		s.mu.Lock()
		for id, sub := range s.subs {
			sub.close()
			delete(s.subs, id)
		}
		s.mu.Unlock()
	})
}

// BotUser is the bot's own user, as getMe answers it.
func (s *Server) BotUser() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bot
}

// Requests returns a copy of every API call so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Params = copyParams(r.Params)
		out[i] = r
	}
	return out
}

// RequestsFor returns the calls of one method (case-insensitive), in order.
func (s *Server) RequestsFor(method string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.EqualFold(r.Method, method) {
			out = append(out, r)
		}
	}
	return out
}

// WaitFor blocks until cond returns true or ctx ends. cond is re-checked
// whenever the server's state changes, and every 25 ms in case it also
// depends on state outside the server. cond runs without the server's lock,
// so it may call the server's methods.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notifyLocked wakes everything waiting for a change. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is an unsuccessful answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

var (
	errNotFound     = &apiError{code: http.StatusNotFound, desc: "Not Found"}
	errUnauthorized = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	// errGone means the client went away (or the server closed): no answer.
	errGone = &apiError{}
)

// envelope is Telegram's response object.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func writeResult(w http.ResponseWriter, result any) int {
	body, err := json.Marshal(envelope{OK: true, Result: result})
	if err != nil {
		return writeError(w, &apiError{code: 500, desc: "Internal Server Error: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return http.StatusOK
}

func writeError(w http.ResponseWriter, e *apiError) int {
	env := envelope{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		env.Parameters = &responseParams{RetryAfter: e.retryAfter}
	}
	body, _ := json.Marshal(env)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	w.Write(body)
	return e.code
}

// call is one parsed API request.
type call struct {
	ctx    context.Context
	method string // canonical name when known
	params map[string]string
	files  map[string]upload
}

// upload is a file sent as a multipart part.
type upload struct {
	name string
	data []byte
}

type handler func(s *Server, c *call) (any, *apiError)

type method struct {
	name string
	fn   handler
}

// methods maps lower-case method names (Telegram's are case-insensitive) to
// their handlers. It is built on first use: assocbot links the fake for its
// demo, and a running bot should not pay for it.
var methods = sync.OnceValue(func() map[string]method {
	out := map[string]method{}
	for name, fn := range map[string]handler{
		"getMe": (*Server).getMe, "logOut": okTrue, "close": okTrue,
		"getUpdates": (*Server).getUpdates, "setWebhook": (*Server).setWebhook,
		"deleteWebhook": (*Server).deleteWebhook, "getWebhookInfo": (*Server).getWebhookInfo,
		"sendMessage": (*Server).sendMessage, "editMessageText": (*Server).editMessageText,
		"editMessageCaption": (*Server).editMessageCaption, "editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"deleteMessage": (*Server).deleteMessage, "sendChatAction": (*Server).sendChatAction,
		"answerCallbackQuery": (*Server).answerCallbackQuery,
		"setMyCommands":       (*Server).setMyCommands, "deleteMyCommands": (*Server).deleteMyCommands,
		"getMyCommands": (*Server).getMyCommands, "setChatMenuButton": (*Server).setChatMenuButton,
		"sendDocument": (*Server).sendDocument, "sendPhoto": (*Server).sendPhoto, "getFile": (*Server).getFile,
	} {
		out[strings.ToLower(name)] = method{name: name, fn: fn}
	}
	return out
})

func okTrue(*Server, *call) (any, *apiError) { return true, nil }

func (s *Server) getMe(*call) (any, *apiError) {
	u := s.BotUser()
	return struct {
		wireUser
		CanJoinGroups           bool `json:"can_join_groups"`
		CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool `json:"supports_inline_queries"`
	}{wireUser: toWireUser(u, true), CanJoinGroups: true}, nil
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/file/bot"):
		s.serveFile(w, r, strings.TrimPrefix(path, "/file/bot"))
	case strings.HasPrefix(path, "/bot"):
		s.serveMethod(w, r, strings.TrimPrefix(path, "/bot"))
	default:
		writeError(w, errNotFound)
	}
}

// tokenOK compares in constant time; the token is never echoed anywhere.
func (s *Server) tokenOK(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}

func (s *Server) serveMethod(w http.ResponseWriter, r *http.Request, rest string) {
	token, name, ok := strings.Cut(rest, "/")
	name = strings.TrimPrefix(name, "test/") // the test environment's path
	if !ok || name == "" || strings.Contains(name, "/") {
		writeError(w, errNotFound)
		return
	}
	if !s.tokenOK(token) {
		idx := s.record(&call{method: name})
		s.finish(idx, writeError(w, errUnauthorized))
		return
	}
	m, known := methods()[strings.ToLower(name)]
	if known {
		name = m.name
	}
	c, err := readCall(r)
	if err != nil {
		c = &call{params: map[string]string{}}
	}
	c.ctx, c.method = r.Context(), name
	idx := s.record(c)
	if err != nil {
		s.finish(idx, writeError(w, badRequest("%v", err)))
		return
	}
	s.finish(idx, s.answer(w, c, m.fn, known))
}

// answer applies latency and faults, then the method; it returns the status
// written, 0 when nothing was.
func (s *Server) answer(w http.ResponseWriter, c *call, fn handler, known bool) int {
	if c.method != "getUpdates" && !s.sleep(c.ctx, s.latency()) {
		return 0
	}
	if f, ok := s.takeFailure(c.method); ok {
		if !s.sleep(c.ctx, f.Delay) {
			return 0
		}
		if f.fails() {
			return s.writeFailure(w, f)
		}
	}
	if s.isRefused(c.method) {
		return writeError(w, badRequest("method is not available"))
	}
	if !known {
		return writeError(w, errNotFound)
	}
	result, aerr := fn(s, c)
	switch {
	case aerr == errGone:
		return 0
	case aerr != nil:
		if aerr.code == http.StatusTooManyRequests {
			s.count429()
		}
		return writeError(w, aerr)
	}
	return writeResult(w, result)
}

// sleep waits d unless the request or the server ends first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// record appends a request (status pending) and returns its index.
func (s *Server) record(c *call) int {
	params := copyParams(c.params)
	for k, f := range c.files {
		params[k] = fmt.Sprintf("<file %s, %d bytes>", f.name, len(f.data))
	}
	chatID, _ := strconv.ParseInt(params["chat_id"], 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: c.method, ChatID: chatID, Params: params, At: time.Now()})
	s.notifyLocked()
	return len(s.requests) - 1
}

func (s *Server) finish(idx, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[idx].Status = status
	s.notifyLocked()
}

func copyParams(p map[string]string) map[string]string {
	out := make(map[string]string, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

const maxBody = 64 << 20

// readCall parses the query string and a multipart, urlencoded or JSON body.
func readCall(r *http.Request) (*call, error) {
	c := &call{params: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		c.params[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errors.New("can't read request body")
	}
	if len(body) > maxBody {
		return nil, errors.New("request body is too big")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return c, nil // go-telegram/bot sends no body for a call without parameters
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		err = readMultipart(c, body, ctParams["boundary"])
	case "application/json":
		err = readJSONBody(c, body)
	default: // Telegram treats other bodies as urlencoded forms
		var vals url.Values
		if vals, err = url.ParseQuery(string(body)); err == nil {
			for k, v := range vals {
				c.params[k] = v[0]
			}
		}
	}
	return c, err
}

func readMultipart(c *call, body []byte, boundary string) error {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errors.New("can't parse multipart/form-data body")
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return errors.New("can't parse multipart/form-data body")
		}
		// A part with a filename parameter is a file, even an empty name.
		_, disp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if _, isFile := disp["filename"]; isFile {
			c.files[part.FormName()] = upload{name: part.FileName(), data: data}
			continue
		}
		c.params[part.FormName()] = string(data)
	}
}

// readJSONBody flattens a JSON object: strings as they are, null dropped,
// anything else as its JSON text (as a form would carry it).
func readJSONBody(c *call, body []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return errors.New("can't parse JSON object in request body")
	}
	for k, raw := range obj {
		var str string
		switch {
		case string(raw) == "null":
		case json.Unmarshal(raw, &str) == nil:
			c.params[k] = str
		default:
			c.params[k] = string(raw)
		}
	}
	return nil
}
