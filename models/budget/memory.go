package budget

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Memory keeps the slots in this process: the budget of a bot that runs as
// one process (SQLite). Slots wait in the order they were answered, which is
// the order they free in, so taking one costs the same at any rate.
type Memory struct {
	mu       sync.Mutex
	slots    []memSlot
	ready    []int     // answered slots, oldest answer first
	inflight []memTake // taken slots, oldest first (some answered since)
	stale    time.Duration
	chatGap  time.Duration
	chats    map[int64]*memChat
	paused   time.Time
	spacing  time.Duration // a second over the rate: sends leave no closer together
	next     time.Time     // when the next slot may be taken (Spacing)
	pruned   time.Time
	since    time.Time // a chat not seen yet counts as sent to then (UsedAt)
}

type memSlot struct {
	answered time.Time
	busy     bool
	gen      uint64 // which take of the slot is current
}

type memTake struct {
	slot  int
	gen   uint64
	taken time.Time
}

type memChat struct {
	holder int64     // 0: free
	held   time.Time // when holder took or last renewed it
	last   time.Time
}

// NewMemory makes rate slots (messages a second) and a gap between two
// messages to one chat; a slot not given back within stale (the longest a
// send may take) counts as answered then.
func NewMemory(rate int, chatGap, stale time.Duration) *Memory {
	rate = min(max(rate, 1), MaxRate)
	m := &Memory{slots: make([]memSlot, rate), ready: make([]int, rate), chatGap: chatGap + ChatMargin, stale: stale,
		chats: map[int64]*memChat{}, spacing: Spacing(rate)}
	for i := range m.ready {
		m.ready[i] = i
	}
	return m
}

// UsedAt counts every slot as answered, and every chat as sent to, at t,
// and returns m. A process started in place of one killed a moment ago (a
// crash, kill -9) cannot know what that one sent in its last second, and
// Telegram remembers it: a budget made with UsedAt(the time it is made)
// lets nothing leave before a slot's rest, and nothing reach a chat before
// its gap, has passed since then. Every message of the dead process reached
// Telegram before this one started, so none of this process's messages
// shares a second, overall or in a chat, with them. The price is about a
// second before the first message after every start.
func (m *Memory) UsedAt(t time.Time) *Memory {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.slots {
		m.slots[i].answered = t
	}
	m.since = t
	return m
}

func (m *Memory) TakeSlots(ctx context.Context, most int) ([]int64, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if now.Before(m.next) {
		return nil, m.next.Sub(now), nil
	}
	// Evenly across the second: one slot a spacing, never a burst; a take
	// that comes late by a timer's slack (PaceSlack) does not lose its
	// place, and at a rate above 200 a second one take may get the
	// spacings of that slack at once.
	base := now.Add(-PaceSlack)
	if m.next.After(base) {
		base = m.next
	}
	most = min(most, 1+int(now.Sub(base)/m.spacing))
	var ids []int64
	defer func() {
		if len(ids) > 0 {
			m.next = base.Add(time.Duration(len(ids)) * m.spacing)
		}
	}()
	for len(ids) < most {
		id, wait := m.takeOneLocked()
		if wait > 0 {
			if len(ids) > 0 {
				wait = 0
			}
			return ids, wait, nil
		}
		ids = append(ids, id)
	}
	return ids, 0, nil
}

// takeOneLocked takes a free slot, or says how long until one frees.
func (m *Memory) takeOneLocked() (int64, time.Duration) {
	now := time.Now()
	if now.Before(m.paused) {
		return 0, m.paused.Sub(now)
	}
	wait := time.Duration(-1)
	if len(m.ready) > 0 {
		i := m.ready[0]
		at := m.slots[i].answered.Add(SlotRest)
		if !at.After(now) {
			m.ready = m.ready[1:]
			return m.takeLocked(i, now), 0
		}
		wait = at.Sub(now)
	}
	// A slot whose send never gave it back counts as answered when the
	// longest send would have ended.
	for len(m.inflight) > 0 {
		t := m.inflight[0]
		if s := m.slots[t.slot]; !s.busy || s.gen != t.gen {
			m.inflight = m.inflight[1:]
			continue
		}
		at := t.taken.Add(m.stale + SlotRest)
		if !at.After(now) {
			m.inflight = m.inflight[1:]
			return m.takeLocked(t.slot, now), 0
		}
		if wait < 0 || at.Sub(now) < wait {
			wait = at.Sub(now)
		}
		break
	}
	if wait <= 0 {
		wait = time.Millisecond // every slot busy and none stale yet: look again soon
	}
	return 0, wait
}

func (m *Memory) takeLocked(i int, now time.Time) int64 {
	s := &m.slots[i]
	s.busy = true
	s.gen++
	m.inflight = append(m.inflight, memTake{slot: i, gen: s.gen, taken: now})
	return SlotID(i, s.gen)
}

func (m *Memory) Answered(ctx context.Context, id int64, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, gen := SplitSlotID(id)
	if slot >= len(m.slots) || !m.slots[slot].busy || m.slots[slot].gen != gen {
		return nil
	}
	s := &m.slots[slot]
	s.busy = false
	s.answered = at
	m.ready = append(m.ready, slot)
	return nil
}

func (m *Memory) Unused(ctx context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, gen := SplitSlotID(id)
	if slot >= len(m.slots) || !m.slots[slot].busy || m.slots[slot].gen != gen {
		return nil
	}
	// Taken, so free for a rest at least: as it was before.
	now := time.Now()
	m.slots[slot].busy = false
	m.slots[slot].answered = now.Add(-SlotRest)
	m.ready = slices.Insert(m.ready, 0, slot)
	if m.next.After(now) {
		m.next = now
	}
	return nil
}

// TakeChat holds a chat for holder. In one process a hold ends only with
// ChatDone: the process cannot die and leave it behind.
func (m *Memory) TakeChat(ctx context.Context, chat, holder int64) (bool, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	c := m.chats[chat]
	if c == nil {
		if wait := m.since.Add(m.chatGap).Sub(now); wait > 0 {
			return false, wait, nil
		}
		m.pruneLocked(now)
		m.chats[chat] = &memChat{holder: holder, held: now}
		return true, 0, nil
	}
	if c.holder != 0 {
		if lapses := c.held.Add(m.stale).Sub(now); lapses > 0 {
			return false, min(10*time.Millisecond, lapses), nil
		}
		// Not given back within the stale time (a send stuck past its
		// timeout): the hold lapses, as a dead replica's does.
	} else if wait := c.last.Add(m.chatGap).Sub(now); wait > 0 {
		return false, wait, nil
	}
	c.holder, c.held = holder, now
	return true, 0, nil
}

// KeepChat renews holder's hold for another stale time, if it still has it.
func (m *Memory) KeepChat(ctx context.Context, chat, holder int64, heldFor time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.chats[chat]
	if c == nil || c.holder != holder {
		return false, nil
	}
	c.held = time.Now()
	return true, nil
}

func (m *Memory) ChatDone(ctx context.Context, chat, holder int64, sent bool, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.chats[chat]; c != nil && c.holder == holder {
		c.holder = 0
		if sent {
			c.last = at
		}
	}
	return nil
}

// pruneLocked forgets chats whose gap has long passed, once a minute.
func (m *Memory) pruneLocked(now time.Time) {
	if now.Sub(m.pruned) < time.Minute {
		return
	}
	m.pruned = now
	cut := now.Add(-m.chatGap - time.Second)
	for id, c := range m.chats {
		if c.holder == 0 && c.last.Before(cut) {
			delete(m.chats, id)
		}
	}
}

func (m *Memory) Pause(ctx context.Context, d time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if until := time.Now().Add(d); until.After(m.paused) {
		m.paused = until
	}
	return nil
}
