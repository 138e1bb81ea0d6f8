// Package bot is assocbot's Telegram front end: it receives updates through
// go-telegram/bot (long polling or our own webhook handler), finds the member
// behind each one, answers in their language and keeps the command menus.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// Config is what the bot needs from the deployment.
type Config struct {
	// ConsoleURL is the organizers' console (https://…/app/), opened by
	// 📊 on their keyboard; "" for none (SPEC C16).
	ConsoleURL  string
	Token       string
	APIURL      string // Bot API base URL; empty for Telegram's
	DefaultLang locales.Lang
	Location    *time.Location // the association's time zone
	Admins      []int64        // Telegram user ids of the first admins
	InviteTTL   time.Duration
	PollTimeout time.Duration // long-polling timeout; 0 for the library's minute
	Now         func() time.Time
	Logger      *slog.Logger
	// Preview lists what will be sent to the members in scope over
	// (now, until]: the scheduler's jobs forecast it (main wires
	// scheduler.Previewer; bot and scheduler never import each other).
	// Nil (a bot made only for its username, as invite does): /preview
	// answers the usual "something went wrong", and the log says why.
	Preview func(ctx context.Context, scope models.Scope, now, until time.Time) ([]reports.PreviewItem, error)
	// Budget, when set, is the send budget every reply takes its turn from
	// (shared with the dispatcher); a reply answered 429 waits and goes again.
	Budget *budget.Budget
	// ImportLimits bound a member list sent to the bot (zero: the
	// defaults; the file size never above what a bot may download).
	ImportLimits roster.Limits
}

// Bot handles the updates of one Telegram bot.
type Bot struct {
	api       *tg.Bot
	st        *store.Store
	cat       *locales.Catalog
	cfg       Config
	log       *slog.Logger
	username  string
	admins    map[int64]bool
	metrics   *Metrics
	chats     chatQueues
	menusDone sync.WaitGroup // the start's menu walk, for Wait
	onEnqueue func()
	imports   chan struct{} // one member list at a time: each holds a whole file
	// beforeHandle, set only by tests (export_test.go), runs before each
	// update's handling: a handler that panics, without a bug to find.
	beforeHandle func(*tgm.Update)
}

// New connects to the Bot API (getMe) and prepares the handlers.
func New(ctx context.Context, cfg Config, st *store.Store, cat *locales.Catalog, metrics *Metrics) (*Bot, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ImportLimits == (roster.Limits{}) {
		cfg.ImportLimits = roster.DefaultLimits()
	}
	cfg.ImportLimits.MaxBytes = min(cfg.ImportLimits.MaxBytes, maxDownload)
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.InviteTTL <= 0 {
		cfg.InviteTTL = store.DefaultInviteTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	b := &Bot{st: st, cat: cat, cfg: cfg, log: cfg.Logger, admins: map[int64]bool{}, metrics: metrics, imports: make(chan struct{}, 1)}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	opts := []tg.Option{
		tg.WithSkipGetMe(),
		// The library hands each update to us in order (not async); we queue
		// it per chat, so one chat's updates run in the order sent while
		// different chats run in parallel.
		tg.WithNotAsyncHandlers(),
		tg.WithDefaultHandler(b.enqueue),
		tg.WithErrorsHandler(func(err error) {
			b.log.Warn("telegram client", "err", redact(err.Error(), cfg.Token))
		}),
		tg.WithAllowedUpdates(tg.AllowedUpdates{"message", "callback_query", "my_chat_member"}),
	}
	if cfg.APIURL != "" {
		opts = append(opts, tg.WithServerURL(strings.TrimRight(cfg.APIURL, "/")))
	}
	poll := cfg.PollTimeout
	if poll <= 0 {
		poll = time.Minute // the library's own
	}
	var client telegram.Doer = &telegram.UpdatesGuard{Base: newHTTPClient(poll), PassOver: b.passOver}
	if cfg.Budget != nil {
		client = &telegram.Client{Base: client, Budget: cfg.Budget, Class: budget.Reply}
	}
	opts = append(opts, tg.WithHTTPClient(poll, client))
	api, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("bot: %s", redact(err.Error(), cfg.Token))
	}
	b.api = api
	meCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	me, err := api.GetMe(meCtx)
	if err != nil {
		return nil, fmt.Errorf("bot: getMe: %s", redact(err.Error(), cfg.Token))
	}
	if me == nil || me.Username == "" {
		return nil, errors.New("bot: getMe returned no username")
	}
	b.username = me.Username
	return b, nil
}

// Username is the bot's @name without the @.
func (b *Bot) Username() string { return b.username }

// InviteLink is the deep link that redeems code.
func (b *Bot) InviteLink(code string) string {
	return InviteLink(b.username, code)
}

// InviteLink is the deep link to botUsername that redeems code.
func InviteLink(botUsername, code string) string {
	return "https://t.me/" + botUsername + "?start=" + code
}

// Poll runs long polling until ctx ends, and sets the command menus beside
// it (one call per organizer: members' taps need not wait for them). A
// webhook left over from an earlier deployment is removed first, since
// Telegram refuses getUpdates while one is set.
func (b *Bot) Poll(ctx context.Context) error {
	if _, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("bot: deleteWebhook: %s", redact(err.Error(), b.cfg.Token))
	}
	b.setMenusBeside(ctx)
	b.api.Start(ctx)
	b.chats.wait()
	return nil
}

// Wait blocks until every accepted update has been handled (shutdown in
// webhook mode; Poll waits by itself).
func (b *Bot) Wait() {
	b.chats.wait()
	b.menusDone.Wait()
}

// setMenusBeside sets the command menus while updates are handled: one
// call per organizer, which members' taps need not wait for.
func (b *Bot) setMenusBeside(ctx context.Context) {
	b.menusDone.Add(1)
	go func() {
		defer b.menusDone.Done()
		b.SetMenus(ctx)
	}()
}

// enqueue queues an update behind the earlier ones of its chat. Its
// handling outlives the poll that brought it: Telegram has been told it was
// received, so a shutdown finishes it (Poll waits) rather than drop it.
//
// Each polled update is taken in the store before it is handled and marked
// handled after (a panic included), as webhook updates are: polling that
// fetches it again after a restart finds it handled, and one whose handling
// stopped the process store.MaxUpdateAttempts times is given up rather
// than stop every restart.
func (b *Bot) enqueue(ctx context.Context, _ *tg.Bot, upd *tgm.Update) {
	ctx = context.WithoutCancel(ctx)
	b.chats.push(updateChatID(upd), func() {
		// One poller: an update taken but not handled was left by a
		// process that died with it, so there is no hold to wait out.
		take, err := b.st.TakeUpdate(ctx, upd.ID, b.cfg.Now(), 0)
		switch {
		case err != nil:
			// Handled all the same: a reply beats a dedupe.
			b.log.Warn("polling: take update", "update_id", upd.ID, "err", err)
		case take == store.UpdatePoison:
			b.gaveUp(upd.ID)
			return
		case take != store.UpdateOurs:
			b.metrics.Updates.WithLabelValues("duplicate").Inc()
			return
		}
		b.safeHandle(ctx, upd)
		if err == nil {
			if err := b.st.MarkUpdateHandled(ctx, upd.ID, b.cfg.Now()); err != nil {
				b.log.Warn("polling: mark update handled", "update_id", upd.ID, "err", err)
			}
		}
	})
}

// gaveUp logs and counts an update given up: its handling stopped the
// process each of the last times it was taken.
func (b *Bot) gaveUp(id int64) {
	b.log.Error("update given up: its handling stopped the process each time it was taken", "update_id", id, "attempts", store.MaxUpdateAttempts)
	b.metrics.Updates.WithLabelValues("given_up").Inc()
}

// safeHandle handles one update; a panic is logged, and the process lives
// on (the update is then marked handled like any other: handled again, it
// would panic again).
func (b *Bot) safeHandle(ctx context.Context, upd *tgm.Update) {
	defer func() {
		if r := recover(); r != nil {
			b.metrics.Panics.Inc()
			b.log.Error("handler panic", "update_id", upd.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	if b.beforeHandle != nil {
		b.beforeHandle(upd)
	}
	b.handle(ctx, b.api, upd)
}

func updateChatID(upd *tgm.Update) int64 {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID
	case upd.CallbackQuery != nil:
		return upd.CallbackQuery.From.ID
	}
	return 0
}

// chatQueues runs each chat's work in order, one at a time, and different
// chats side by side; a chat's goroutine ends when its queue is empty.
type chatQueues struct {
	mu     sync.Mutex
	queues map[int64][]func()
	wg     sync.WaitGroup
}

func (c *chatQueues) push(chat int64, work func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.queues == nil {
		c.queues = map[int64][]func(){}
	}
	if q, running := c.queues[chat]; running {
		c.queues[chat] = append(q, work)
		return
	}
	c.queues[chat] = []func(){}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			work()
			c.mu.Lock()
			q := c.queues[chat]
			if len(q) == 0 {
				delete(c.queues, chat)
				c.mu.Unlock()
				return
			}
			work, c.queues[chat] = q[0], q[1:]
			c.mu.Unlock()
		}
	}()
}

// wait blocks until every queued update has been handled.
func (c *chatQueues) wait() { c.wg.Wait() }

// redact removes the bot token from text headed for a log or an error.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<token>")
}

// OnEnqueue registers f to be called after the bot writes outbox rows (the
// dispatcher's Wake, so a broadcast starts at once).
func (b *Bot) OnEnqueue(f func()) { b.onEnqueue = f }

func (b *Bot) enqueued() {
	if b.onEnqueue != nil {
		b.onEnqueue()
	}
}
