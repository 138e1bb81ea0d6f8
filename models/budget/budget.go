// Package budget is the bot's one budget of Telegram sends: every message
// and edit, whether the dispatcher's or a direct reply to a member, and on
// every replica, takes a turn from it, so that the bot as a whole stays under
// Telegram's limits (30 messages a second overall, one a second to a chat).
//
// The budget is n slots (n = the limit per second). A message takes a free
// slot before it leaves and gives it back when its answer comes; a slot is
// free again one second after that answer. Slots are taken evenly across
// the second, one every 1/n s (Spacing): never 30 at once, so that the
// slots free one by one too and a reply waits for the next one, not for the
// next second. A message arrives at Telegram
// between its departure and its answer, so two messages through one slot
// arrive more than a second apart, and no second holds more than n arrivals,
// whatever the network does in between. A chat is taken the same way: one
// message at a time, the next one second after the last answer.
//
// Replies come first: in a process, a waiting reply takes the next free slot
// before any waiting broadcast or reminder; between processes, broadcasts try
// a few milliseconds after a slot frees and replies at once. A 429 pauses the
// whole budget for its retry_after.
//
// Where the slots live is a Slots: in memory for one process (SQLite), in
// PostgreSQL for replicas sharing one database (store.SharedSlots).
package budget

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Class is who is waiting: a reply to a member, or the dispatcher.
type Class int

const (
	Reply Class = iota // an answer to a member's tap or command
	Bulk               // broadcasts, reminders, progress edits
)

func (c Class) String() string {
	if c == Reply {
		return "reply"
	}
	return "bulk"
}

// Slots holds the budget's state.
type Slots interface {
	// TakeSlots takes up to most free slots, or, when none is free, says
	// how long until one may free (a pause after a 429 included). An id
	// names the slot and this take of it (see SlotID).
	TakeSlots(ctx context.Context, most int) (ids []int64, wait time.Duration, err error)
	// Answered frees a slot one second after at, the moment the answer
	// came (this process's clock: a shared store takes the time since then
	// off its own), unless it was taken again since (a send that outlived
	// the stale time).
	Answered(ctx context.Context, id int64, at time.Time) error
	// Unused gives back a slot through which nothing was sent: free at
	// once, and its place in the pace given to the next take.
	Unused(ctx context.Context, id int64) error
	// TakeChat takes a chat whose last message was answered at least a
	// gap ago and that no one else is sending to, for this holder (a token
	// the budget makes per take), or says how long to wait. A hold not
	// given back within the stale time (its process died, or its send hung
	// past its timeout) lapses, in memory as in the database.
	TakeChat(ctx context.Context, chat, holder int64) (ok bool, wait time.Duration, err error)
	// KeepChat renews a hold, held for heldFor so far, for another stale
	// time when the wait for a slot (a long 429 pause) may have taken much
	// of it; a hold taken moments ago needs nothing. It reports false when
	// the hold lapsed meanwhile and another took the chat.
	KeepChat(ctx context.Context, chat, holder int64, heldFor time.Duration) (bool, error)
	// ChatDone frees the chat if holder still holds it; when sent, its gap
	// counts from at.
	ChatDone(ctx context.Context, chat, holder int64, sent bool, at time.Time) error
	// Pause stops every send for d (Telegram's retry_after).
	Pause(ctx context.Context, d time.Duration) error
}

// Limits are Telegram's.
const (
	DefaultRate    = 30          // messages a second, overall
	DefaultChatGap = time.Second // between two messages to one chat
	// SendTimeout bounds one send; a slot not given back within it (its
	// process died mid-send) counts as answered then.
	SendTimeout = 15 * time.Second
	// SlotMargin is added to the second a slot rests, ChatMargin to the
	// chat's gap: Telegram's clock is not ours.
	SlotMargin = 5 * time.Millisecond
	ChatMargin = 20 * time.Millisecond
	// SlotRest is how long a slot rests after its answer: Telegram's
	// second and the margin.
	SlotRest = time.Second + SlotMargin
	// bulkDelay is how much later than a reply a broadcast tries a slot
	// that frees, so that replies on other replicas get it first.
	bulkDelay = 3 * time.Millisecond
	// maxPoll bounds one wait, so that a slot freed elsewhere is seen.
	maxPoll = 250 * time.Millisecond
)

// Spacing is the least time between two sends at rate messages a second:
// the budget spreads its slots evenly across each second, so that a reply
// never waits for a burst of a whole second's sends to end, only for the
// next slot.
func Spacing(rate int) time.Duration {
	return time.Second / time.Duration(min(max(rate, 1), MaxRate))
}

// PaceSlack is how late a take may come (a timer's slack, a broadcast's
// bulkDelay) without losing its place in the pace.
const PaceSlack = 5 * time.Millisecond

// SlotID names a slot and the how-manieth take of it is meant.
func SlotID(slot int, gen uint64) int64 { return int64(gen<<20) | int64(slot) }

// SplitSlotID is SlotID's inverse.
func SplitSlotID(id int64) (slot int, gen uint64) { return int(id & (1<<20 - 1)), uint64(id) >> 20 }

// MaxRate is the most slots a budget has (SlotID keeps 20 bits for them).
const MaxRate = 1 << 20

// Metrics are the budget's series on /metrics.
type Metrics struct {
	Wait   *prometheus.HistogramVec // time from asking to leaving, by class
	Pauses prometheus.Counter       // 429s: each pauses every send
	Paused prometheus.Counter       // seconds of those pauses
	Errors prometheus.Counter       // the budget's own store failing
}

// NewMetrics creates the series, registered on reg when it is not nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "assocbot_send_wait_seconds",
			Help:    "Time a message waited for its turn in the send budget, by class (reply, bulk).",
			Buckets: []float64{.005, .025, .1, .25, .5, 1, 1.5, 2.5, 5, 10, 30}}, []string{"class"}),
		Pauses: prometheus.NewCounter(prometheus.CounterOpts{Name: "assocbot_telegram_429_total",
			Help: "429 Too Many Requests answers from the Bot API; each pauses every send for its retry_after."}),
		Paused: prometheus.NewCounter(prometheus.CounterOpts{Name: "assocbot_send_paused_seconds_total",
			Help: "Seconds every send was paused for, after 429s."}),
		Errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "assocbot_send_budget_errors_total",
			Help: "Failures of the send budget's shared state (the database)."}),
	}
	if reg != nil {
		reg.MustRegister(m.Wait, m.Pauses, m.Paused, m.Errors)
	}
	return m
}

// Budget hands out turns to send.
type Budget struct {
	slots   Slots
	metrics *Metrics

	// Chat holds are told apart by a token: a counter, with a random
	// number for the process in its low bits.
	holders atomic.Int64
	process int64

	mu      sync.Mutex
	holder  bool        // a waiter is taking a slot now
	waiting [2][]waiter // by class, in order of arrival
}

// New makes a budget over slots; metrics may be nil.
func New(slots Slots, metrics *Metrics) *Budget {
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	return &Budget{slots: slots, metrics: metrics, process: rand.Int64N(1 << 16)}
}

// Ticket is one turn; Done gives it back when the answer has come (or the
// call failed before it left: sent false).
type Ticket struct {
	b      *Budget
	slot   int64
	chat   int64
	holder int64
	once   sync.Once
}

// Done frees the slot and the chat.
func (t *Ticket) Done(sent bool) {
	t.once.Do(func() {
		at := time.Now()
		// Freeing must not be lost to the caller's context ending.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := t.b.slots.Answered(ctx, t.slot, at); err != nil {
			t.b.metrics.Errors.Inc()
		}
		if t.chat != 0 {
			if err := t.b.slots.ChatDone(ctx, t.chat, t.holder, sent, at); err != nil {
				t.b.metrics.Errors.Inc()
			}
		}
	})
}

// Take waits for a turn to send to chat (0: a message not tied to one, such
// as an inline edit): first the chat, then a slot. It fails only when ctx
// ends or the slots' store fails.
func (b *Budget) Take(ctx context.Context, class Class, chat int64) (*Ticket, error) {
	start := time.Now()
	if class == Bulk && chat != 0 {
		// A broadcast takes its slot first and its chat after, so that it
		// holds the chat only while its message is on the way: a member's
		// reply is not kept from their chat while the broadcast waits for
		// a slot. A chat not free (rare in a broadcast) sends the slot
		// back unused, and the broadcast waits for the chat as a reply
		// does.
		t, err := b.slotThenChat(ctx, chat)
		if err != nil || t != nil {
			if t != nil {
				b.metrics.Wait.WithLabelValues(class.String()).Observe(time.Since(start).Seconds())
			}
			return t, err
		}
	}
	for {
		holder := b.holders.Add(1)<<16 | b.process
		if chat != 0 {
			if err := b.takeChat(ctx, chat, holder); err != nil {
				return nil, err
			}
		}
		held := time.Now()
		slot, err := b.takeSlot(ctx, class)
		if err != nil {
			if chat != 0 {
				dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = b.slots.ChatDone(dctx, chat, holder, false, time.Now())
				cancel()
			}
			return nil, err
		}
		t := &Ticket{b: b, slot: slot, chat: chat, holder: holder}
		if chat != 0 {
			kept, err := b.slots.KeepChat(ctx, chat, holder, time.Since(held))
			if err != nil {
				b.metrics.Errors.Inc()
				t.Done(false)
				return nil, err
			}
			if !kept {
				// The wait for a slot (a 429 pause longer than the hold)
				// let the hold lapse, and another sender took the chat:
				// its turn comes first; this one starts over.
				t.Done(false)
				continue
			}
		}
		b.metrics.Wait.WithLabelValues(class.String()).Observe(time.Since(start).Seconds())
		return t, nil
	}
}

// slotThenChat takes a slot, then the chat if it is free now (nil ticket
// when it is not: the slot goes back unused).
func (b *Budget) slotThenChat(ctx context.Context, chat int64) (*Ticket, error) {
	slot, err := b.takeSlot(ctx, Bulk)
	if err != nil {
		return nil, err
	}
	holder := b.holders.Add(1)<<16 | b.process
	ok, _, err := b.slots.TakeChat(ctx, chat, holder)
	if err == nil && ok {
		return &Ticket{b: b, slot: slot, chat: chat, holder: holder}, nil
	}
	if err != nil {
		b.metrics.Errors.Inc()
	}
	b.giveBackUnused(slot)
	return nil, err
}

// giveBackUnused returns a slot through which nothing was sent.
func (b *Budget) giveBackUnused(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.slots.Unused(ctx, id); err != nil {
		b.metrics.Errors.Inc()
	}
}

// Pause stops every send for d, here and on every replica, as Telegram's
// 429 asks (counted as one, with its seconds).
func (b *Budget) Pause(ctx context.Context, d time.Duration) {
	b.metrics.Pauses.Inc()
	b.metrics.Paused.Add(d.Seconds())
	b.Hold(ctx, d)
}

// Hold stops every send for d, here and on every replica, for a reason of
// the bot's own (Telegram refused its token): not counted as a 429.
func (b *Budget) Hold(ctx context.Context, d time.Duration) {
	if err := b.slots.Pause(ctx, d); err != nil {
		b.metrics.Errors.Inc()
	}
}

func (b *Budget) takeChat(ctx context.Context, chat, holder int64) error {
	for {
		ok, wait, err := b.slots.TakeChat(ctx, chat, holder)
		if err != nil {
			b.metrics.Errors.Inc()
			return err
		}
		if ok {
			return nil
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// takeSlot: one waiter of this process at a time (the holder) asks the
// slots, for itself and every waiter queued behind it, in one go; the slots
// it gets go to the replies waiting first, then to the broadcasts, so that
// the process's replies never queue behind its own broadcast, and one
// round trip to a shared store serves many senders.
func (b *Budget) takeSlot(ctx context.Context, class Class) (int64, error) {
	slot, holder, err := b.wait(ctx, class)
	if err != nil || !holder {
		return slot, err
	}
	for {
		b.mu.Lock()
		want := 1 + len(b.waiting[Reply]) + len(b.waiting[Bulk])
		replies := len(b.waiting[Reply]) > 0
		b.mu.Unlock()
		ids, wait, err := b.slots.TakeSlots(ctx, want)
		if err != nil {
			b.metrics.Errors.Inc()
			b.mu.Lock()
			b.handOnLocked()
			b.mu.Unlock()
			return 0, err
		}
		if len(ids) > 0 {
			// The slots go to the replies waiting first, then to this
			// holder, then to the broadcasts queued behind it: a broadcast
			// holding the take never sends before a reply that waits.
			b.mu.Lock()
			mine := int64(-1)
			var unused []int64
			for _, id := range ids {
				switch {
				case class == Bulk && len(b.waiting[Reply]) > 0:
					b.giveLocked(id)
				case mine < 0:
					mine = id
				case !b.giveLocked(id):
					unused = append(unused, id)
				}
			}
			if mine >= 0 {
				b.handOnLocked()
			}
			b.mu.Unlock()
			for _, id := range unused {
				b.giveBack(id)
			}
			if mine >= 0 {
				return mine, nil
			}
			continue // every slot went to a reply: still this holder's turn to ask
		}
		if class == Bulk && !replies {
			wait += bulkDelay
		}
		if err := sleep(ctx, wait); err != nil {
			b.mu.Lock()
			b.handOnLocked()
			b.mu.Unlock()
			return 0, err
		}
	}
}

// waiter is a sender queued for a slot: it is handed one (an id), or the
// holder's part (-1).
type waiter chan int64

// wait returns a slot handed over by the holder, or makes the caller the
// holder.
func (b *Budget) wait(ctx context.Context, class Class) (slot int64, holder bool, err error) {
	b.mu.Lock()
	if !b.holder {
		b.holder = true
		b.mu.Unlock()
		return 0, true, nil
	}
	w := make(waiter, 1)
	b.waiting[class] = append(b.waiting[class], w)
	b.mu.Unlock()
	select {
	case id := <-w:
		return id, id < 0, nil
	case <-ctx.Done():
		b.mu.Lock()
		for i, c := range b.waiting[class] {
			if c == w {
				b.waiting[class] = append(b.waiting[class][:i], b.waiting[class][i+1:]...)
				b.mu.Unlock()
				return 0, false, ctx.Err()
			}
		}
		b.mu.Unlock()
		// Handed something as ctx ended: pass the holder's part on, give
		// a slot back.
		if id := <-w; id < 0 {
			b.mu.Lock()
			b.handOnLocked()
			b.mu.Unlock()
		} else {
			b.giveBack(id)
		}
		return 0, false, ctx.Err()
	}
}

// giveLocked hands a slot to the first reply waiting, else the first
// broadcast; false when no one waits.
func (b *Budget) giveLocked(id int64) bool {
	for _, class := range []Class{Reply, Bulk} {
		if q := b.waiting[class]; len(q) > 0 {
			b.waiting[class] = q[1:]
			q[0] <- id
			return true
		}
	}
	return false
}

// handOnLocked makes the first reply waiting (else the first broadcast) the
// holder, or frees the holder's part.
func (b *Budget) handOnLocked() {
	if !b.giveLocked(-1) {
		b.holder = false
	}
}

// giveBack returns a slot taken for a sender who left: nothing was sent.
func (b *Budget) giveBack(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.slots.Answered(ctx, id, time.Now()); err != nil {
		b.metrics.Errors.Inc()
	}
}

// sleep waits d, at most maxPoll: a slot freed elsewhere is seen soon.
func sleep(ctx context.Context, d time.Duration) error {
	return Sleep(ctx, min(max(d, time.Millisecond), maxPoll))
}

// Sleep waits d unless ctx ends first (a 429's retry_after, one's own
// poll).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
