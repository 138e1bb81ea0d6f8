// Package bottest runs the real bot, on a real SQLite database, against the
// fake Bot API, with helpers to act as Telegram users: the Harness of the bot
// and CLI tests.
package bottest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/smsprovider"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// Token is the bot token the harness uses; it must never reach the logs.
const Token = "424242:AAH-test-secret-token_value"

// Shanghai is the association time zone in tests.
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Harness runs the real bot, on a real SQLite database, against the fake Bot API.
type Harness struct {
	t       testing.TB
	API     *fakeapi.Server // the fake Telegram
	St      *store.Store
	DSN     string // the database, for a CLI run against the same file
	Bot     *bot.Bot
	Cat     *locales.Catalog
	Metrics *bot.Metrics
	Logs    *SyncBuffer // everything the bot logged
	mu      sync.Mutex
	Now     time.Time // the frozen clock; change it with SetNow
	// Dispatcher sends the outbox when the harness was made WithDispatcher.
	Dispatcher *dispatch.Dispatcher
	// DispatchMetrics are the dispatcher's counters.
	DispatchMetrics *dispatch.Metrics
	// Budget is the one send budget of the bot's replies and the
	// dispatcher, as in main.
	Budget *budget.Budget

	// SMS is the fake SMS gateway (Tencent's API) when the harness was
	// made WithSMS; SMSCallbacks the bot's callback URL prefix
	// (…/sms/tencent), SMSKey its key.
	SMS          *fakesms.Gateway
	SMSCallbacks string
	SMSKey       string

	beforeStart []func(*bot.Bot)
	dispatch    *dispatch.Config
	sms         *dispatch.SMSConfig
	chatGap     time.Duration
	// Location is the association's time zone: Shanghai unless made
	// WithLocation.
	Location *time.Location
}

// Option adjusts the harness (its fake API, the bot config) before the bot starts.
type Option func(*Harness, *bot.Config)

// WithAdmins makes these Telegram users the configured admins.
func WithAdmins(ids ...int64) Option {
	return func(_ *Harness, c *bot.Config) { c.Admins = ids }
}

// WithLocation makes loc the association's time zone, for the bot and the
// dispatcher (Shanghai has no clock changes; tests of them need a zone
// that has).
func WithLocation(loc *time.Location) Option {
	return func(h *Harness, c *bot.Config) { h.Location, c.Location = loc, loc }
}

// BeforeStart runs f on the bot after it is made and before it polls (to
// wire a dispatcher's Wake with OnEnqueue).
func BeforeStart(f func(*bot.Bot)) Option {
	return func(h *Harness, _ *bot.Config) { h.beforeStart = append(h.beforeStart, f) }
}

// WithDispatcher runs the real dispatcher beside the bot, on the harness's
// clock, so that what the bot enqueues (notices to organizers, decisions,
// promotions, reports) reaches the fake Telegram. The harness wires the two
// as main does; bot and scheduler themselves never import each other.
// WithChatGap sets the budget's least gap between two messages to one chat
// (default 1 ms: a test taps faster than a person would).
func WithChatGap(d time.Duration) Option {
	return func(h *Harness, _ *bot.Config) { h.chatGap = d }
}

// WithSMS sends SMS beside Telegram through the real Tencent SDK to a fake
// gateway (h.SMS), with the providers' callbacks served (h.SMSCallbacks);
// cfg's Channel is the harness's. It needs WithDispatcher.
func WithSMS(cfg dispatch.SMSConfig) Option {
	return func(h *Harness, _ *bot.Config) { h.sms = &cfg }
}

func WithDispatcher(cfg dispatch.Config) Option {
	return func(h *Harness, _ *bot.Config) { h.dispatch = &cfg }
}

// New starts the bot; it stops, and the logs are checked for the token, when
// the test ends.
func New(t testing.TB, opts ...Option) *Harness {
	t.Helper()
	h := &Harness{t: t, Logs: &SyncBuffer{}, Now: time.Date(2026, 11, 23, 10, 0, 0, 0, Shanghai), Location: Shanghai}
	h.St, h.DSN = storetest.New(t)
	// Strict: a reply_markup Telegram would drop silently (no button, an
	// empty row) fails the request, so a test sees the sender's mistake.
	h.API = fakeapi.New(Token, fakeapi.WithStrictMarkup())
	t.Cleanup(h.API.Close)
	var err error
	h.Cat, err = locales.New()
	if err != nil {
		t.Fatal(err)
	}
	h.Cat.OnMissing = func(l locales.Lang, key string, err error) { t.Errorf("missing message %s in %s", key, l) }
	cfg := bot.Config{Token: Token, APIURL: h.API.URL(), DefaultLang: locales.ZhHans, Location: Shanghai,
		PollTimeout: 2 * time.Second, Now: h.Clock,
		Logger: slog.New(slog.NewTextHandler(h.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, o := range opts {
		o(h, &cfg)
	}
	h.Cat.Home = h.Location // as main: a member's own zone is named beside the association's
	if cfg.Preview == nil {
		// As main: the schedule's jobs forecast, under the dispatcher's
		// quiet hours.
		p := &scheduler.Previewer{Store: h.St, Entries: scheduler.Jobs(h.St, cfg.Location, nil), Location: cfg.Location, DefaultLang: cfg.DefaultLang}
		if h.dispatch != nil {
			p.Quiet = h.dispatch.Quiet
		}
		cfg.Preview = p.Preview
	}
	// The budget follows the dispatcher's limits; without one it only
	// orders sends (a test taps faster than a person would).
	rate, gap := 1000, time.Millisecond
	if h.dispatch != nil {
		if h.dispatch.Rate > 0 {
			rate = int(h.dispatch.Rate)
		}
	}
	if h.chatGap > 0 {
		gap = h.chatGap
	}
	h.Budget = budget.New(budget.NewMemory(rate, gap, 15*time.Second), nil)
	cfg.Budget = h.Budget
	h.Metrics = bot.NewMetrics(nil)
	h.DispatchMetrics = dispatch.NewMetrics(nil)
	ctx, cancel := context.WithCancel(context.Background())
	h.Bot, err = bot.New(ctx, cfg, h.St, h.Cat, h.Metrics)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for _, f := range h.beforeStart {
		f(h.Bot)
	}
	if h.dispatch != nil {
		h.startDispatcher(ctx, *h.dispatch, cfg.Logger)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.Bot.Poll(ctx); err != nil && ctx.Err() == nil { // a test may end before polling starts
			t.Errorf("poll: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if strings.Contains(h.Logs.String(), Token) {
			t.Errorf("the bot token appeared in the logs")
		}
	})
	return h
}

func (h *Harness) startDispatcher(ctx context.Context, cfg dispatch.Config, log *slog.Logger) {
	channel, err := telegram.NewChannel(telegram.ChannelConfig{Token: Token, APIURL: h.API.URL(), Budget: h.Budget,
		Workers: cfg.Workers, TokenPause: cfg.TokenPause}, h.Cat)
	if err != nil {
		h.t.Fatal(err)
	}
	if cfg.Rate == 0 {
		cfg.Rate = 1000
	}
	// The dispatcher's clock runs from the harness's frozen time, so that
	// retries and leases come due.
	started := time.Now()
	running := func() time.Time { return h.Clock().Add(time.Since(started)) }
	cfg.Location, cfg.DefaultLang, cfg.Poll, cfg.Now, cfg.Logger = h.Location, locales.ZhHans, 50*time.Millisecond, running, log
	var wake func()
	if h.sms != nil {
		cfg.SMS = h.startSMS(*h.sms, running, log, func() { wake() })
	}
	h.Dispatcher = dispatch.New(cfg, h.St, channel, h.Cat, h.DispatchMetrics)
	wake = h.Dispatcher.Wake
	h.Bot.OnEnqueue(h.Dispatcher.Wake)
	done := make(chan struct{})
	go func() { defer close(done); _ = h.Dispatcher.Run(ctx) }()
	h.t.Cleanup(func() { <-done })
}

// SetNow moves the bot's clock.
func (h *Harness) SetNow(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Now = t
}

// Clock is the bot's frozen clock.
func (h *Harness) Clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.Now
}

// Add puts a member on the roster.
func (h *Harness) Add(nm store.NewMember) *models.Member {
	h.t.Helper()
	m, err := h.St.AddMember(context.Background(), nm)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// link puts a Telegram user on a roster member, as if they had linked before.
// The chat exists first, as when a person linked with /start: the bot's
// menu walk may find the member linked at any moment, and Telegram
// refuses a menu for a chat it does not know.
func (h *Harness) Link(phone string, u fakeapi.User) {
	h.t.Helper()
	h.API.Meet(u)
	if _, err := h.St.LinkByPhone(context.Background(), phone, u.ID, u.ID); err != nil {
		h.t.Fatal(err)
	}
}

// WaitFor fails the test unless cond holds within 30 seconds: what it
// waits for happens within milliseconds on an idle machine, and a 19 MB
// import under the race detector on a busy one takes seconds.
func (h *Harness) WaitFor(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.API.WaitFor(ctx, cond); err != nil {
		h.t.Fatalf("waiting for %s: %v\nlogs:\n%s", what, err, h.Logs.String())
	}
}

// nth waits for the chat's n-th bot message (1-based) and returns it.
func (h *Harness) Nth(chatID int64, n int) fakeapi.Message {
	h.t.Helper()
	h.WaitFor("a reply", func() bool { return len(h.API.Messages(chatID)) >= n })
	return h.API.Messages(chatID)[n-1]
}

// say sends text as u and returns the first reply.
func (h *Harness) Say(u fakeapi.User, text string) fakeapi.Message {
	h.t.Helper()
	n := len(h.API.Messages(u.ID))
	h.API.SendText(u, text)
	return h.Nth(u.ID, n+1)
}

// press taps an inline button of msg and waits until the bot answered the
// callback query; it returns that answer's text.
func (h *Harness) Press(u fakeapi.User, msg fakeapi.Message, button string) string {
	h.t.Helper()
	id, err := h.API.PressButton(u, msg.ChatID, msg.ID, button)
	if err != nil {
		h.t.Fatalf("press %q: %v (buttons: %v)", button, err, msg.Inline)
	}
	return h.CallbackAnswer(id)
}

// CallbackAnswer waits for the bot to answer callback query id.
func (h *Harness) CallbackAnswer(id string) string {
	h.t.Helper()
	h.WaitFor("the callback answer", func() bool { _, ok := h.API.CallbackAnswers()[id]; return ok })
	return h.API.CallbackAnswers()[id]
}

// message re-reads one message's current state (after edits).
func (h *Harness) Message(chatID, id int64) fakeapi.Message {
	for _, m := range h.API.Messages(chatID) {
		if m.ID == id {
			return m
		}
	}
	h.t.Fatalf("no message %d in chat %d", id, chatID)
	return fakeapi.Message{}
}

// T renders a message key as the bot would.
func (h *Harness) T(l locales.Lang, key string, kv ...any) string { return h.Cat.T(l, key, kv...) }

// KeyboardTexts lists the reply-keyboard labels of a message.
func KeyboardTexts(m fakeapi.Message) []string {
	var out []string
	for _, r := range m.Keyboard {
		for _, b := range r {
			out = append(out, b.Text)
		}
	}
	return out
}

// InlineTexts lists the inline button labels of a message.
func InlineTexts(m fakeapi.Message) []string {
	var out []string
	for _, r := range m.Inline {
		for _, b := range r {
			out = append(out, b.Text)
		}
	}
	return out
}

// Contains reports whether list holds s.
func Contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SyncBuffer is a bytes.Buffer safe for the logger goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSMS starts the fake gateway and the callbacks, and says that the
// store routes members to SMS, as main does with a provider configured.
func (h *Harness) startSMS(cfg dispatch.SMSConfig, now func() time.Time, log *slog.Logger, wake func()) dispatch.SMSConfig {
	g, err := fakesms.Start("AKIDtest")
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { g.Close() })
	h.SMS, h.SMSKey = g, "test-callback-key-0001"
	p, err := smsprovider.New(smsprovider.Config{Provider: smsprovider.Tencent, Endpoint: g.URL(), KeyID: "AKIDtest", KeySecret: "secret",
		AppID: "1400000000", Sign: "计生协会", CallbackKey: h.SMSKey})
	if err != nil {
		h.t.Fatal(err)
	}
	cb := &smsprovider.Callbacks{Provider: smsprovider.Tencent, Key: h.SMSKey,
		Inbox: &smsprovider.Inbox{Store: h.St, Location: h.Location, Now: now, Log: log, Wake: wake}}
	mux := http.NewServeMux()
	for _, p := range cb.Paths() {
		mux.Handle(p, cb)
	}
	srv := httptest.NewServer(mux)
	h.t.Cleanup(srv.Close)
	h.SMSCallbacks = srv.URL + "/sms/tencent"
	h.St.SMSOn(true)
	cfg.Channel = smsprovider.NewChannel(p)
	return cfg
}
