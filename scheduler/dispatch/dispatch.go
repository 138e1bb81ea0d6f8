// Package dispatch sends the outbox: it claims due rows under a lease,
// decides each one's fate when its time comes (outbox.Rules.Decide),
// renders what is to go in the reader's language (planner.Text), hands it
// to a Channel (Telegram, wired in by main: bot/telegram), which waits for
// its turn and sorts the answer, and records what became of each row, with
// its reason, in groups. It also edits organizers' progress messages as
// their broadcasts go out.
//
//	producer → planner → outbox (store) → dispatch → Channel (bot/telegram) → Bot API
package dispatch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// Config tunes the dispatcher; zero values take the defaults.
type Config struct {
	Rate          float64       // messages per second overall (default 30), the channel's: sizes claims
	Workers       int           // concurrent senders (default 4); also the most duplicates a crash can cause
	Lease         time.Duration // how long a claim holds (default 30 s)
	Poll          time.Duration // how often to look for due rows when idle (default 1 s)
	SendTimeout   time.Duration // one Bot API call (default 15 s)
	MaxAttempts   int           // tries before a row fails (default 5)
	BackoffBase   time.Duration // first retry delay, doubled each time (default 5 s)
	BackoffMax    time.Duration // (default 10 min)
	Quiet         outbox.QuietHours
	Location      *time.Location // the association's zone, for quiet hours
	DefaultLang   locales.Lang
	ProgressEvery time.Duration // broadcast progress edits, at least 3 s apart
	Now           func() time.Time
	Logger        *slog.Logger
	Owner         string // lease owner id; default host-pid-random
	// StallAfter: with messages due, this long without one handled makes
	// Healthy fail (default 3 min).
	StallAfter time.Duration
	// TokenPause: after Telegram refuses the token (401), every send waits
	// this long before one tries again (default 1 min); Healthy fails for
	// twice as long.
	TokenPause time.Duration
	// SMS is the second channel (SPEC C12); without its Channel rows go by
	// Telegram only.
	SMS SMSConfig
}

func (c *Config) defaults() {
	if c.Rate <= 0 {
		c.Rate = budget.DefaultRate
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 15 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.TokenPause <= 0 {
		c.TokenPause = time.Minute
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = 5 * time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 10 * time.Minute
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.DefaultLang == "" {
		c.DefaultLang = locales.ZhHans
	}
	// A send must end well within the lease (see process).
	if c.SendTimeout > c.Lease/2 {
		c.SendTimeout = c.Lease / 2
	}
	if c.ProgressEvery < 3*time.Second {
		c.ProgressEvery = 3 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.SMS.Pause <= 0 {
		c.SMS.Pause = 10 * time.Minute
	}
	if c.SMS.TemplatesTTL <= 0 {
		c.SMS.TemplatesTTL = 30 * time.Second
	}
	if c.StallAfter <= 0 {
		c.StallAfter = 3 * time.Minute
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		buf := make([]byte, 4)
		_, _ = rand.Read(buf)
		if len(host) > 40 {
			host = host[:40]
		}
		c.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(buf))
	}
}

// Metrics counts the dispatcher's work for /metrics.
type Metrics struct {
	// Messages by kind (notice, event_reminder, check_due …), result (sent,
	// retry, unreachable, failed, stale, skipped, held, lease_expired) and
	// reason (blocked, server_error, muted …; "" when sent).
	Messages *prometheus.CounterVec
	// SMS by kind and result (sendSMS).
	SMS *prometheus.CounterVec
}

// NewMetrics creates the counters, registered on reg when it is not nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assocbot_messages_total",
			Help: "Outbox messages handled by the dispatcher, by kind, result and reason."}, []string{"kind", "result", "reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.Messages)
	}
	m.SMS = newSMSCounter(reg)
	return m
}

// Dispatcher sends the outbox.
type Dispatcher struct {
	cfg     Config
	st      *store.Store
	channel Channel
	cat     *locales.Catalog
	log     *slog.Logger
	metrics *Metrics
	rules   outbox.Rules
	sms     smsState

	mu       sync.Mutex
	blocked  map[int64]time.Time // per chat: when it last answered 403
	sentAt   [64]time.Time       // when the last messages went out (a ring)
	sentNext int
	wake     chan struct{}
	records  chan recordReq
	heldMu   sync.Mutex
	held     map[uint64]bool // rows queued or in a worker's hands
	// progressAt (unix ns): a row handled, or nothing found due.
	progressAt atomic.Int64
	// refusedAt (unix ns): when Telegram last answered 401 to a send.
	refusedAt atomic.Int64
}

// ErrTokenRefused: Telegram answered 401 to a send lately: the token was
// revoked or is wrong, and nothing goes out.
var ErrTokenRefused = errors.New("dispatch: Telegram refuses the bot's token (401)")

// progress notes that the dispatcher did its job just now.
func (d *Dispatcher) progress() { d.progressAt.Store(time.Now().UnixNano()) }

// noteSent remembers when a message went out, for sendRate.
func (d *Dispatcher) noteSent() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sentAt[d.sentNext%len(d.sentAt)] = time.Now()
	d.sentNext++
}

// sendRate is how many messages a second this dispatcher sent over its
// last ones (0 when it has sent too few lately to say).
func (d *Dispatcher) sendRate() float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := min(d.sentNext, len(d.sentAt))
	if n < 8 {
		return 0
	}
	newest := d.sentAt[(d.sentNext-1)%len(d.sentAt)]
	oldest := d.sentAt[(d.sentNext-n)%len(d.sentAt)]
	if time.Since(newest) > 10*time.Second || !newest.After(oldest) {
		return 0
	}
	return float64(n-1) / newest.Sub(oldest).Seconds()
}

// ErrStalled: messages are due and the dispatcher has handled none for a
// while (Telegram unreachable, the budget's store failing, a bug).
var ErrStalled = errors.New("dispatch: messages are due and none was handled")

// Healthy fails when messages are due and none was handled (nor nothing
// found due) for StallAfter, or when Telegram refused the token lately.
func (d *Dispatcher) Healthy(ctx context.Context) error {
	if at := d.refusedAt.Load(); at != 0 && time.Since(time.Unix(0, at)) < 2*d.cfg.TokenPause {
		return fmt.Errorf("%w %s ago", ErrTokenRefused, time.Since(time.Unix(0, at)).Round(time.Second))
	}
	since := time.Since(time.Unix(0, d.progressAt.Load()))
	if since <= d.cfg.StallAfter {
		return nil
	}
	if holding := d.holding(); holding > 0 {
		return fmt.Errorf("%w for %s (%d claimed here)", ErrStalled, since.Round(time.Second), holding)
	}
	_, oldest, err := d.st.OutboxQueue(ctx, d.cfg.Now())
	if err != nil {
		return err
	}
	if oldest > 0 {
		return fmt.Errorf("%w for %s (the oldest has waited %s)", ErrStalled, since.Round(time.Second), oldest.Round(time.Second))
	}
	return nil
}

// hold marks a row as queued here; false when it already is.
func (d *Dispatcher) hold(id uint64) bool {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	if d.held[id] {
		return false
	}
	d.held[id] = true
	return true
}

// holding is how many rows are queued here or in a worker's hands.
func (d *Dispatcher) holding() int {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	return len(d.held)
}

func (d *Dispatcher) drop(id uint64) {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	delete(d.held, id)
}

// New makes a dispatcher that sends through channel.
func New(cfg Config, st *store.Store, channel Channel, cat *locales.Catalog, metrics *Metrics) *Dispatcher {
	asked := cfg.SendTimeout
	cfg.defaults()
	if asked > cfg.SendTimeout {
		cfg.Logger.Warn("the lease is short: a send is cut off at half of it, and on a slow link one that arrived may be sent again",
			"lease", cfg.Lease.String(), "send_timeout", cfg.SendTimeout.String())
	}
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	d := &Dispatcher{cfg: cfg, st: st, channel: channel, cat: cat, log: cfg.Logger, metrics: metrics,
		rules: outbox.Rules{Quiet: cfg.Quiet, Zone: cfg.Location, SMS: cfg.SMS.Channel != nil}, blocked: map[int64]time.Time{}, held: map[uint64]bool{}, wake: make(chan struct{}, 1)}
	d.sms = smsState{cfg: cfg.SMS, templates: st.NewCachedTemplates(cfg.SMS.TemplatesTTL), members: map[uint]*sync.Mutex{}}
	d.progress()
	return d
}

// Wake makes the dispatcher look for due rows now (after an enqueue in this
// process); rows enqueued by other processes are found by polling.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// batchSize keeps what is claimed small enough to be sent well before its
// lease ends, at the rate this dispatcher gets: the configured one, or less
// when replicas share the budget, or the machine is busy.
func (d *Dispatcher) batchSize() int {
	rate := d.cfg.Rate
	window := (d.cfg.Lease - d.cfg.SendTimeout) / 3
	if got := d.sendRate(); got > 0 && got < rate {
		rate = got
	} else if got == 0 {
		// Not sending lately, so no rate of its own to go by: a second's
		// worth, since replicas and replies may share the rate.
		window = min(window, time.Second)
	}
	n := int(rate * window.Seconds())
	if n > 500 {
		n = 500
	}
	if n < d.cfg.Workers {
		n = d.cfg.Workers
	}
	return n
}

// Run sends until ctx ends; then the workers finish the message in hand and
// the rows still claimed are handed back.
func (d *Dispatcher) Run(ctx context.Context) error {
	// A small buffer: what this dispatcher holds is about one batch, which
	// it sends well within the lease even when replicas share the rate.
	jobs := make(chan store.Claimed, d.cfg.Workers)
	d.records = make(chan recordReq, d.cfg.Workers)
	recorderDone := make(chan struct{})
	go func() { defer close(recorderDone); d.recorder() }()
	var wg sync.WaitGroup
	for i := 0; i < d.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				d.process(ctx, c)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.progressLoop(ctx)
	}()
	d.progress()
	d.log.Info("dispatcher started", "owner", d.cfg.Owner, "rate", d.cfg.Rate, "workers", d.cfg.Workers)
	var runErr error
claim:
	for ctx.Err() == nil {
		rows, err := d.st.ClaimOutbox(ctx, d.cfg.Owner, d.cfg.Now(), d.cfg.Lease, d.batchSize())
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			d.log.Error("claim outbox", "err", err)
			rows = nil
		}
		if len(rows) == 0 {
			if err == nil && d.holding() == 0 {
				d.progress() // nothing due, nothing in hand
			}
			select {
			case <-ctx.Done():
			case <-d.wake:
			case <-time.After(d.cfg.Poll):
			}
			continue
		}
		for _, r := range rows {
			// A row this dispatcher holds already (its lease ran out while
			// it waited in the queue, so the claim took it again) is not
			// queued twice.
			if !d.hold(r.ID) {
				continue
			}
			select {
			case jobs <- r:
			case <-ctx.Done():
				d.drop(r.ID)
				break claim
			}
		}
	}
	close(jobs)
	wg.Wait()
	close(d.records)
	<-recorderDone
	// Rows claimed but not handed to a worker go back to the queue now,
	// rather than waiting for their lease to run out.
	relCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if n, err := d.st.ReleaseOutbox(relCtx, d.cfg.Owner, d.cfg.Now()); err != nil {
		runErr = err
	} else if n > 0 {
		d.log.Info("dispatcher released rows", "count", n)
	}
	d.log.Info("dispatcher stopped")
	return runErr
}

// process sends one claimed row and records the outcome.
func (d *Dispatcher) process(ctx context.Context, c store.Claimed) {
	defer d.drop(c.ID)
	now := d.cfg.Now()
	count := func(result string, reason outbox.Reason) {
		d.metrics.Messages.WithLabelValues(c.Kind, result, string(reason)).Inc()
	}
	finish := func(o store.Outcome, result string) {
		o.At = now
		d.record(c.ID, o)
		d.progress() // a row's fate decided (a give-back is not)
		count(result, o.Reason)
	}
	// The claim set next_attempt_at to the lease's end. A row that waited
	// too long (a slow API, a long 429 pause) goes back rather than out:
	// another dispatcher may take it once the lease ends, and a send must
	// finish within the lease.
	if !now.Add(d.cfg.SendTimeout).Before(c.NextAttemptAt) {
		d.release(c)
		count("lease_expired", outbox.ReasonNone)
		return
	}
	m := c.Member
	dec := d.rules.Decide(&c.Row, m, c.Withdrawn, now)
	switch dec.Action {
	case outbox.Expire:
		finish(store.Outcome{Status: dec.Status(), Reason: dec.Reason}, "stale")
		return
	case outbox.Skip:
		finish(store.Outcome{Status: dec.Status(), Reason: dec.Reason}, "skipped")
		return
	case outbox.Hold:
		finish(store.Outcome{Status: dec.Status(), NextAttemptAt: dec.Until}, "held")
		return
	}
	if dec.Channel == outbox.BySMS {
		d.sendSMS(ctx, c, m, now, finish)
		return
	}
	if c.Channel == outbox.BySMS && m != nil && m.ChatID != nil {
		// Planned for SMS, and the member has linked Telegram since: it
		// goes to their chat instead.
		c.ChatID = *m.ChatID
		byTelegram := finish
		finish = func(o store.Outcome, result string) {
			o.Channel, o.ChatID = outbox.ByTelegram, c.ChatID
			byTelegram(o, result)
		}
	}
	lang := d.langOf(m, c.Lang)
	text, markup, err := planner.Text(d.cat, lang, m.Zone(d.cfg.Location), now, &c.Row)
	if err != nil {
		finish(store.Outcome{Status: outbox.Failed, Reason: outbox.ReasonBadRequest, CountAttempt: true, Error: errText(err)}, "failed")
		d.log.Warn("message cannot be rendered", "outbox_id", c.ID, "err", errText(err))
		return
	}
	msg := Message{Row: &c.Row, Text: text, Markup: markup, Lang: lang, Timeout: d.cfg.SendTimeout,
		Organizer: m.IsOrganizer()}
	claimedAt := c.NextAttemptAt.Add(-d.cfg.Lease)
	// When its turn has come (the chat free, a slot of the rate), the row
	// may no longer be this dispatcher's to send.
	var calledOff string
	msg.Ready = func() bool {
		switch {
		case d.blockedSince(c.ChatID, claimedAt):
			// Claimed with its member still active, before the chat
			// answered 403: never sent to it.
			calledOff = "blocked"
		case !d.cfg.Now().Add(d.cfg.SendTimeout).Before(c.NextAttemptAt):
			// The wait (a 429 pause, the chat's turn) ate the lease:
			// another dispatcher may hold the row by now.
			calledOff = "lease"
		default:
			return true
		}
		return false
	}
	for {
		res := d.channel.Send(ctx, msg)
		editing := c.EditMessageID != 0 && !msg.AsNew
		out := res.Outcome
		if out.Verdict == outbox.Uneditable && !editing {
			out = outbox.Outcome{Verdict: outbox.Fail, Reason: outbox.ReasonBadRequest} // only an edit is refused so
		}
		if out.Verdict == outbox.Unreachable {
			d.block(c.ChatID)
		}
		d.forget()
		switch out.Verdict {
		case outbox.Delivered, outbox.Unchanged:
			msgID := res.MessageID
			if editing {
				msgID = c.EditMessageID // the message it edited, also when it said so already
			}
			d.noteSent()
			finish(store.Outcome{Status: outbox.Sent, TelegramMessageID: msgID}, "sent")
		case outbox.CalledOff:
			if calledOff == "blocked" {
				finish(store.Outcome{Status: outbox.Skipped, Reason: outbox.ReasonUnreachable}, "skipped")
			} else {
				d.release(c)
				count("lease_expired", outbox.ReasonNone)
			}
		case outbox.Uneditable:
			if c.SendIfUneditable {
				d.log.Info("message can no longer be edited; sent anew", "outbox_id", c.ID, "err", errText(res.Err))
				msg.AsNew = true // in a turn of its own
				continue
			}
			finish(store.Outcome{Status: outbox.Skipped, Reason: out.Reason, CountAttempt: true, Error: errText(res.Err)}, "skipped")
		case outbox.Deferred:
			// The channel's own state (the send budget's store) failed:
			// try again in a while, not in a hot loop of claims and
			// give-backs.
			d.record(c.ID, store.Outcome{Status: outbox.Pending, NextAttemptAt: d.cfg.Now().Add(d.cfg.Poll + time.Second)})
			d.log.Warn("send budget", "err", errText(res.Err))
		case outbox.Interrupted:
			d.release(c) // stopping: back to the queue at once
		case outbox.TokenRefused:
			// Not this message's fault: every send would be refused alike
			// (the channel holds them all meanwhile). No attempt counted,
			// /healthz says why.
			d.refusedAt.Store(time.Now().UnixNano())
			d.record(c.ID, store.Outcome{Status: outbox.Pending, NextAttemptAt: d.cfg.Now().Add(d.cfg.TokenPause)})
			count("token_refused", outbox.ReasonNone)
			d.log.Error("telegram refuses the bot's token (401): no message goes out until ASSOCBOT_TOKEN is right", "err", errText(res.Err))
		case outbox.Unreachable:
			if c.MemberID != nil {
				if err := d.st.MarkUnreachable(context.WithoutCancel(ctx), *c.MemberID, now); err != nil {
					d.log.Error("mark unreachable", "member_id", *c.MemberID, "err", err)
				}
				d.log.Info("member unreachable", "member_id", *c.MemberID)
				if m != nil && !editing {
					// Telegram did not take it: the same message goes by
					// SMS when that reaches the member now (one message,
					// one channel).
					blocked := *m
					blocked.Status = models.StatusUnreachable
					if ch, _ := outbox.Route(outbox.Kind(c.Kind), &blocked, d.rules.SMS); ch == outbox.BySMS {
						d.record(c.ID, store.Outcome{Status: outbox.Pending, Channel: outbox.BySMS, Reason: out.Reason, NextAttemptAt: now})
						count("rerouted", out.Reason)
						d.Wake()
						return
					}
				}
			}
			finish(store.Outcome{Status: outbox.Failed, Reason: out.Reason, CountAttempt: true, Error: errText(res.Err)}, "unreachable")
		case outbox.Fail:
			finish(store.Outcome{Status: outbox.Failed, Reason: out.Reason, CountAttempt: true, Error: errText(res.Err)}, "failed")
			d.log.Warn("message failed", "outbox_id", c.ID, "reason", string(out.Reason), "err", errText(res.Err))
		case outbox.Retry:
			if c.Attempts+1 >= d.cfg.MaxAttempts {
				finish(store.Outcome{Status: outbox.Failed, Reason: out.Reason, CountAttempt: true, Error: errText(res.Err)}, "failed")
				d.log.Warn("message failed after retries", "outbox_id", c.ID, "attempts", c.Attempts+1, "err", errText(res.Err))
				return
			}
			finish(store.Outcome{Status: outbox.Pending, Reason: out.Reason, CountAttempt: true, Error: errText(res.Err),
				NextAttemptAt: now.Add(d.backoff(c.Attempts + 1))}, "retry")
		}
		return
	}
}

// errText keeps error text short; the token never appears in it, since the
// library replaces it in URLs and we never format requests.
func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

func (d *Dispatcher) release(c store.Claimed) {
	d.record(c.ID, store.Outcome{Status: outbox.Pending, NextAttemptAt: d.cfg.Now()})
}

// record hands an outcome to the recorder and waits until it is committed:
// a worker takes its next message only once the last one is on disk, so a
// crash repeats at most one message per worker.
func (d *Dispatcher) record(id uint64, o store.Outcome) {
	req := recordReq{f: store.Finished{ID: id, Outcome: o}, done: make(chan struct{})}
	d.records <- req
	<-req.done
}

type recordReq struct {
	f    store.Finished
	done chan struct{}
}

// recorder commits the workers' outcomes in groups: one transaction for all
// that arrived while the last one was being written (SQLite has one writer;
// a transaction per message would have the workers queue for the lock).
func (d *Dispatcher) recorder() {
	for first := range d.records {
		batch := []recordReq{first}
	more:
		for len(batch) < 256 {
			select {
			case r, ok := <-d.records:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		done := make([]store.Finished, len(batch))
		for i, r := range batch {
			done[i] = r.f
		}
		// A failed commit is tried again for a while: the messages are out,
		// and leaving them claimed would send them all again after the lease.
		var err error
		for try, wait := 0, 100*time.Millisecond; try < 6; try, wait = try+1, wait*2 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, err = d.st.FinishOutbox(ctx, d.cfg.Owner, done)
			cancel()
			if err == nil {
				break
			}
			time.Sleep(wait)
		}
		if err != nil {
			// The rows stay claimed; their lease runs out and they are sent
			// again: at-least-once rather than lost.
			d.log.Error("record outbox outcomes", "count", len(done), "err", err)
		}
		for _, r := range batch {
			close(r.done)
		}
	}
}

// backoff is the delay before try n+1: base·2^(n-1), capped.
func (d *Dispatcher) backoff(n int) time.Duration {
	b := d.cfg.BackoffBase
	for i := 1; i < n && b < d.cfg.BackoffMax; i++ {
		b *= 2
	}
	if b > d.cfg.BackoffMax {
		b = d.cfg.BackoffMax
	}
	return b
}

// block records that chat answered 403 now. Rows claimed before then carry
// their member as active; rows claimed later carry the member's status from
// the database, which the 403 changed (and a member who unblocks and writes
// again changes back).
func (d *Dispatcher) block(chat int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.blocked[chat] = d.cfg.Now()
}

// blockedSince reports whether chat answered 403 after a row was claimed.
func (d *Dispatcher) blockedSince(chat int64, claimed time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.blocked[chat]
	return ok && !at.Before(claimed)
}

// forget drops per-chat times that no longer matter, bounding the map.
func (d *Dispatcher) forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.blocked) < 10000 {
		return
	}
	// A 403 older than a lease concerns no row held now.
	leaseAgo := d.cfg.Now().Add(-d.cfg.Lease)
	for k, t := range d.blocked {
		if t.Before(leaseAgo) {
			delete(d.blocked, k)
		}
	}
}

// langOf is the reader's language now (SPEC C7: rendered at send time):
// the member's, else the one stored on a row without a member.
func (d *Dispatcher) langOf(m *models.Member, rowLang string) locales.Lang {
	if m == nil {
		return locales.Resolve(rowLang, "", d.cfg.DefaultLang)
	}
	return locales.Resolve(m.Lang, m.TelegramLang, d.cfg.DefaultLang)
}
