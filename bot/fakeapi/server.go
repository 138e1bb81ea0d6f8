// Package fakeapi is an in-memory Telegram Bot API server for tests and for
// `assocbot demo`. It speaks the methods assocbot uses, validates requests the
// way Telegram documents (https://core.telegram.org/bots/api), records every
// call, lets a test act as users, and can be told to fail like a real server:
// 429 with retry_after, 403 for a user who blocked the bot, 5xx, slowness.
package fakeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is a Telegram user; their private chat has the same id.
type User struct {
	ID                                          int64
	FirstName, LastName, Username, LanguageCode string
}

// Button is one button, inline or of a reply keyboard.
type Button struct {
	Text, CallbackData, URL string
	RequestContact          bool
}

// File is a document or photo, sent by the bot or by a user.
type File struct {
	FileID, Name string
	Data         []byte
}

// Message is a message the bot sent, in its current state (edits applied).
type Message struct {
	ID             int64
	ChatID         int64
	Text           string // text, or caption
	Inline         [][]Button
	Keyboard       [][]Button
	RemoveKeyboard bool
	Document       *File
	Photo          *File
	Edited         int
	Date           time.Time
}

// Request is one recorded API call.
type Request struct {
	Method string
	ChatID int64
	Params map[string]string
	At     time.Time
	Status int
}

// Contact is a shared contact.
type Contact struct {
	PhoneNumber, FirstName string
	UserID                 int64
}

// Command is one entry of a command menu.
type Command struct{ Command, Description string }

// CommandSet is the current menu of one scope and language.
type CommandSet struct {
	Scope        string // "default", "chat:<id>", "all_private_chats", …
	LanguageCode string
	Commands     []Command
}

// Event is a message the bot sent ("message") or edited ("edit").
type Event struct {
	Kind    string
	Message Message
}

// Failure is how a call should fail.
type Failure struct {
	Status      int
	Description string
	RetryAfter  int
	Delay       time.Duration
	NonJSON     bool // answer an HTML page, like a proxy's 502
}

// Option configures a Server.
type Option func(*Server)

// WithBotUsername sets the bot's username (default assoc_test_bot).
func WithBotUsername(name string) Option { return func(s *Server) { s.botUser.Username = name } }

// WithKnownChat makes a chat known, as if its user had written to the bot.
func WithKnownChat(id int64) Option { return func(s *Server) { s.known[id] = true } }

// Server is the fake Bot API.
type Server struct {
	token string
	http  *httptest.Server

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	botUser   User
	updates   []json.RawMessage // pending, index = id - firstID
	firstID   int64             // update_id of updates[0]
	nextID    int64
	pollGen   int64
	known     map[int64]bool
	users     map[int64]User
	messages  map[int64][]*Message
	nextMsgID map[int64]int64
	callbacks map[string]*callbackState
	requests  []Request
	commands  map[string]*CommandSet
	files     map[string]*File
	nextFile  int
	webhook   string

	blocked  map[int64]bool
	failNext map[string][]failCount
	refused  map[string]bool
	latency  time.Duration
	limits   limits
	subs     map[int]chan Event
	nextSub  int
	closed   bool
}

type callbackState struct {
	answered bool
	text     string
}

type failCount struct {
	n int
	f Failure
}

// New starts a fake Bot API that accepts token.
func New(token string, opts ...Option) *Server {
	s := &Server{
		token:     token,
		changed:   make(chan struct{}),
		botUser:   User{ID: 100000, FirstName: "Assoc Bot", Username: "assoc_test_bot"},
		firstID:   1,
		nextID:    1,
		known:     map[int64]bool{},
		users:     map[int64]User{},
		messages:  map[int64][]*Message{},
		nextMsgID: map[int64]int64{},
		callbacks: map[string]*callbackState{},
		commands:  map[string]*CommandSet{},
		files:     map[string]*File{},
		blocked:   map[int64]bool{},
		failNext:  map[string][]failCount{},
		refused:   map[string]bool{},
		subs:      map[int]chan Event{},
	}
	for _, o := range opts {
		o(s)
	}
	s.limits.perChatRecent = map[int64][]time.Time{}
	s.http = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the base URL to give bot.WithServerURL.
func (s *Server) URL() string { return s.http.URL }

// Close stops the server; long polls return at once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.notifyLocked()
	for id, ch := range s.subs {
		close(ch)
		delete(s.subs, id)
	}
	s.mu.Unlock()
	s.http.CloseClientConnections()
	s.http.Close()
}

// BotUser is what getMe answers.
func (s *Server) BotUser() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botUser
}

// notifyLocked wakes everyone waiting for a change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitFor blocks until cond holds (checked on every change) or ctx ends.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
			// Conditions may read state outside the server (a database).
		}
	}
}

// envelope is Telegram's answer.
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

// apiError is a Bot API error answer.
type apiError struct {
	status     int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError { return &apiError{status: 400, desc: "Bad Request: " + desc} }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if strings.HasPrefix(path, "file/bot") {
		s.serveFile(w, path)
		return
	}
	if !strings.HasPrefix(path, "bot") {
		writeJSON(w, 404, envelope{ErrorCode: 404, Description: "Not Found"})
		return
	}
	tokenAndMethod := strings.TrimPrefix(path, "bot")
	i := strings.LastIndex(tokenAndMethod, "/")
	if i < 0 {
		writeJSON(w, 404, envelope{ErrorCode: 404, Description: "Not Found"})
		return
	}
	token, method := tokenAndMethod[:i], tokenAndMethod[i+1:]
	if token != s.token {
		writeJSON(w, 401, envelope{ErrorCode: 401, Description: "Unauthorized"})
		return
	}
	params, files, err := parseParams(r)
	if err != nil {
		writeJSON(w, 400, envelope{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	h, ok := s.handlers()[strings.ToLower(method)]
	if !ok {
		s.record(method, params, files, 404)
		writeJSON(w, 404, envelope{ErrorCode: 404, Description: "Not Found"})
		return
	}
	if f, fail := s.takeFailure(method); fail {
		s.record(method, params, files, f.Status)
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.NonJSON {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
			return
		}
		if f.Status == 0 || f.Status == 200 {
			// A slow but successful answer: fall through after the delay.
		} else {
			env := envelope{ErrorCode: f.Status, Description: f.Description}
			if f.RetryAfter > 0 {
				env.Parameters = &responseParams{RetryAfter: f.RetryAfter}
			}
			writeJSON(w, f.Status, env)
			return
		}
	}
	if lower := strings.ToLower(method); lower != "getupdates" {
		s.mu.Lock()
		d := s.latency
		s.mu.Unlock()
		if d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
	}
	result, aerr := h(r.Context(), params, files)
	status := 200
	if aerr != nil {
		status = aerr.status
	}
	s.record(method, params, files, status)
	if aerr != nil {
		env := envelope{ErrorCode: aerr.status, Description: aerr.desc}
		if aerr.retryAfter > 0 {
			env.Parameters = &responseParams{RetryAfter: aerr.retryAfter}
		}
		writeJSON(w, aerr.status, env)
		return
	}
	writeJSON(w, 200, envelope{OK: true, Result: result})
}

func writeJSON(w http.ResponseWriter, status int, v envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// upload is a file part of a multipart request.
type upload struct {
	name string
	data []byte
}

// parseParams reads multipart, urlencoded or JSON bodies and the query string.
func parseParams(r *http.Request) (map[string]string, map[string]upload, error) {
	params := map[string]string{}
	files := map[string]upload{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(r.Body, ctParams["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				if len(params) == 0 && len(files) == 0 && strings.Contains(err.Error(), "EOF") {
					// go-telegram/bot sends an empty body for a call
					// without parameters; Telegram accepts it.
					break
				}
				return nil, nil, fmt.Errorf("bad multipart body: %v", err)
			}
			data, err := io.ReadAll(io.LimitReader(p, 50<<20))
			if err != nil {
				return nil, nil, err
			}
			if p.FileName() != "" {
				files[p.FormName()] = upload{name: p.FileName(), data: data}
				continue
			}
			params[p.FormName()] = string(data)
		}
	case "application/x-www-form-urlencoded":
		body, _ := io.ReadAll(r.Body)
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, nil, err
		}
		for k, v := range vals {
			params[k] = v[0]
		}
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil && err != io.EOF {
			return nil, nil, err
		}
		for k, v := range m {
			switch vv := v.(type) {
			case string:
				params[k] = vv
			default:
				b, _ := json.Marshal(vv)
				params[k] = string(b)
			}
		}
	}
	return params, files, nil
}

// record keeps the call; file contents are summarized.
func (s *Server) record(method string, params map[string]string, files map[string]upload, status int) {
	cp := make(map[string]string, len(params)+len(files))
	for k, v := range params {
		cp[k] = v
	}
	for k, f := range files {
		cp[k] = fmt.Sprintf("<file %s, %d bytes>", f.name, len(f.data))
	}
	chat, _ := strconv.ParseInt(params["chat_id"], 10, 64)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: method, ChatID: chat, Params: cp, At: time.Now(), Status: status})
	s.notifyLocked()
	s.mu.Unlock()
}

// Requests returns every call so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsFor returns the calls of one method.
func (s *Server) RequestsFor(method string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.EqualFold(r.Method, method) {
			out = append(out, r)
		}
	}
	return out
}

type handlerFunc func(ctx context.Context, p map[string]string, files map[string]upload) (any, *apiError)

func (s *Server) handlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"getme":                  s.getMe,
		"getupdates":             s.getUpdates,
		"setwebhook":             s.setWebhook,
		"deletewebhook":          s.deleteWebhook,
		"sendmessage":            s.sendMessage,
		"editmessagetext":        s.editMessageText,
		"editmessagereplymarkup": s.editMessageReplyMarkup,
		"answercallbackquery":    s.answerCallbackQuery,
		"setmycommands":          s.setMyCommands,
		"deletemycommands":       s.deleteMyCommands,
		"getmycommands":          s.getMyCommands,
		"senddocument":           s.sendDocument,
		"sendphoto":              s.sendPhoto,
		"getfile":                s.getFile,
	}
}

func (s *Server) getMe(context.Context, map[string]string, map[string]upload) (any, *apiError) {
	u := s.BotUser()
	return map[string]any{"id": u.ID, "is_bot": true, "first_name": u.FirstName, "username": u.Username,
		"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}, nil
}

func (s *Server) setWebhook(_ context.Context, p map[string]string, _ map[string]upload) (any, *apiError) {
	if p["url"] == "" {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	s.mu.Lock()
	s.webhook = p["url"]
	s.mu.Unlock()
	return true, nil
}

func (s *Server) deleteWebhook(context.Context, map[string]string, map[string]upload) (any, *apiError) {
	s.mu.Lock()
	s.webhook = ""
	s.mu.Unlock()
	return true, nil
}
