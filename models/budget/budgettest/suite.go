// Package budgettest is the one suite every budget.Slots implementation
// passes: the in-memory one of a single process and the PostgreSQL one
// replicas share. Only tests import it.
package budgettest

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/budget"
)

// Factory makes n Slots sharing one budget of rate sends a second, a
// chat's gap and the stale time of a hold: replicas of one bot (for the
// in-memory implementation, n budgets over one Memory).
type Factory func(t *testing.T, n, rate int, gap, stale time.Duration) []budget.Slots

// Clock runs a case: synctest.Test for an implementation whose waits are
// all timers, or the case itself on the real clock (a database's).
type Clock func(t *testing.T, f func(t *testing.T))

// Run runs every case of the suite on slots made by newSlots.
func Run(t *testing.T, newSlots Factory, clock Clock) {
	cases := []struct {
		name string
		run  func(t *testing.T, newSlots Factory)
	}{
		{"NoSecondHoldsMoreThanTheRate", noSecondHoldsMoreThanTheRate},
		{"AChatWaitsItsGap", aChatWaitsItsGap},
		{"ASlotNeverGivenBackFreesAfterTheSendTimeout", aSlotNeverGivenBackFreesAfterTheSendTimeout},
		{"PauseStopsEverySend", pauseStopsEverySend},
		{"OnlyTheHolderFreesAChat", onlyTheHolderFreesAChat},
		{"AChatHoldLapsesButIsNotFreedByItsOldHolder", aChatHoldLapsesButIsNotFreedByItsOldHolder},
		{"TwoReplicasAreOneBudget", twoReplicasAreOneBudget},
		{"AChatIsOneSendersDuringALongPause", aChatIsOneSendersDuringALongPause},
		{"AnUnusedSlotIsFreeAtOnce", anUnusedSlotIsFreeAtOnce},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock(t, func(t *testing.T) { c.run(t, newSlots) })
		})
	}
}

var ctx = context.Background()

func one(t *testing.T, newSlots Factory, rate int, gap, stale time.Duration) *budget.Budget {
	return budget.New(newSlots(t, 1, rate, gap, stale)[0], nil)
}

func take(t *testing.T, b *budget.Budget, class budget.Class, chat int64) *budget.Ticket {
	t.Helper()
	tk, err := b.Take(ctx, class, chat)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// noSecondHoldsMoreThanTheRate: many senders through three slots; every
// send is stamped when it leaves. A slot is used again only a second after
// its answer, so no second holds more than three departures.
func noSecondHoldsMoreThanTheRate(t *testing.T, newSlots Factory) {
	b := one(t, newSlots, 3, time.Millisecond, time.Minute)
	var mu sync.Mutex
	var left []time.Time
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 9 {
		wg.Go(func() {
			tk, err := b.Take(ctx, budget.Bulk, int64(100+i))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			left = append(left, time.Now())
			mu.Unlock()
			time.Sleep(20 * time.Millisecond) // the send
			tk.Done(true)
		})
	}
	wg.Wait()
	sort.Slice(left, func(i, j int) bool { return left[i].Before(left[j]) })
	for i := 3; i < len(left); i++ {
		if gap := left[i].Sub(left[i-3]); gap < time.Second {
			t.Fatalf("sends %d and %d left %v apart: four within a second through three slots", i-3, i, gap)
		}
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("nine sends through three slots took %v (about two seconds expected)", took)
	}
}

// aChatWaitsItsGap: two messages to one chat leave a gap apart, counted
// from the first one's answer; another chat does not wait.
func aChatWaitsItsGap(t *testing.T, newSlots Factory) {
	b := one(t, newSlots, 30, 300*time.Millisecond, time.Minute)
	tk := take(t, b, budget.Reply, 7)
	time.Sleep(50 * time.Millisecond)
	answered := time.Now()
	tk.Done(true)
	other := time.Now()
	tk2 := take(t, b, budget.Reply, 8)
	if d := time.Since(other); d > 150*time.Millisecond {
		t.Fatalf("another chat waited %v", d)
	}
	tk2.Done(true)
	tk3 := take(t, b, budget.Reply, 7)
	if d := time.Since(answered); d < 300*time.Millisecond {
		t.Fatalf("the same chat went again %v after the answer, gap 300 ms", d)
	}
	tk3.Done(true)
}

// aSlotNeverGivenBackFreesAfterTheSendTimeout: a sender that died mid-send
// holds its slot only until the longest send would have ended, and its
// late answer does not free the slot someone else holds now.
func aSlotNeverGivenBackFreesAfterTheSendTimeout(t *testing.T, newSlots Factory) {
	b := one(t, newSlots, 1, time.Millisecond, 500*time.Millisecond)
	lost := take(t, b, budget.Bulk, 1)
	start := time.Now()
	next := take(t, b, budget.Bulk, 2)
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Fatalf("a slot never given back was reused after %v (stale 500 ms + 1 s)", d)
	}
	// Late: must not free next's slot. Had it, the slot would free a
	// second from now; held by next, not before its stale time and a
	// second (1.5 s).
	lost.Done(true)
	cctx, cancel := context.WithTimeout(ctx, 1200*time.Millisecond)
	defer cancel()
	if _, err := b.Take(cctx, budget.Bulk, 3); err == nil {
		t.Fatal("a late answer freed the slot another send holds")
	}
	next.Done(true)
}

// pauseStopsEverySend: after a 429 nothing leaves before retry_after.
func pauseStopsEverySend(t *testing.T, newSlots Factory) {
	b := one(t, newSlots, 30, time.Millisecond, time.Minute)
	b.Pause(ctx, 400*time.Millisecond)
	start := time.Now()
	take(t, b, budget.Reply, 5).Done(true)
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("a reply left %v into a 400 ms pause", d)
	}
}

// onlyTheHolderFreesAChat: a give-back by someone not holding the chat
// changes nothing.
func onlyTheHolderFreesAChat(t *testing.T, newSlots Factory) {
	s := newSlots(t, 1, 5, time.Millisecond, time.Minute)[0]
	if ok, _, _ := s.TakeChat(ctx, 7, 100); !ok {
		t.Fatal("a free chat was not taken")
	}
	// Not sent: a wrong give-back would leave no gap to hide behind.
	if err := s.ChatDone(ctx, 7, 200, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := s.TakeChat(ctx, 7, 300); ok {
		t.Fatal("a stranger's give-back freed the chat")
	}
	if err := s.ChatDone(ctx, 7, 100, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if ok, _, _ := s.TakeChat(ctx, 7, 300); !ok {
		t.Fatal("the holder's give-back did not free the chat")
	}
}

// aChatHoldLapsesButIsNotFreedByItsOldHolder: a replica that died holding
// a chat holds it only for the stale time; once another has taken it, the
// first one's late give-back leaves the new hold alone, and a hold renewed
// outlasts its first stale time.
func aChatHoldLapsesButIsNotFreedByItsOldHolder(t *testing.T, newSlots Factory) {
	s := newSlots(t, 1, 5, time.Millisecond, 300*time.Millisecond)[0]
	takeChat := func(holder int64) bool {
		t.Helper()
		ok, _, err := s.TakeChat(ctx, 42, holder)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !takeChat(1) {
		t.Fatal("a free chat was not taken")
	}
	if takeChat(2) {
		t.Fatal("a held chat was taken by another")
	}
	time.Sleep(400 * time.Millisecond)
	if !takeChat(2) {
		t.Fatal("a hold past its stale time did not lapse")
	}
	if err := s.ChatDone(ctx, 42, 1, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if takeChat(4) {
		t.Fatal("the old holder's late give-back freed the chat its new holder holds")
	}
	// The lapsed holder learns it lost the chat when it comes to renew.
	if kept, err := s.KeepChat(ctx, 42, 1, 400*time.Millisecond); err != nil || kept {
		t.Fatalf("the old holder kept a chat another took: %v %v", kept, err)
	}
	time.Sleep(200 * time.Millisecond)
	if kept, err := s.KeepChat(ctx, 42, 2, 200*time.Millisecond); err != nil || !kept {
		t.Fatalf("the holder could not renew its hold: %v %v", kept, err)
	}
	time.Sleep(200 * time.Millisecond) // 400 ms after the take, 200 after the renewal
	if takeChat(3) {
		t.Fatal("a renewed hold lapsed at its first stale time")
	}
	if err := s.ChatDone(ctx, 42, 2, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // its gap: 1 ms and the margin
	if !takeChat(3) {
		t.Fatal("a chat given back by its holder stayed held")
	}
}

// twoReplicasAreOneBudget: two budgets on one shared state, each sending
// as fast as it may: together they never send more than the rate within a
// second, nor two messages to one chat within its gap, and a pause one of
// them takes stops the other.
func twoReplicasAreOneBudget(t *testing.T, newSlots Factory) {
	const rate = 4
	var budgets []*budget.Budget
	for _, s := range newSlots(t, 2, rate, 300*time.Millisecond, time.Minute) {
		budgets = append(budgets, budget.New(s, nil))
	}
	type send struct {
		chat       int64
		left, back time.Time
	}
	var mu sync.Mutex
	var sends []send
	var wg sync.WaitGroup
	for r, b := range budgets {
		for w := range 4 {
			wg.Go(func() {
				for i := range 3 {
					chat := int64(1000 + ((w+r*4)*3+i)%5) // five chats, both replicas
					tk, err := b.Take(ctx, budget.Bulk, chat)
					if err != nil {
						t.Error(err)
						return
					}
					s := send{chat: chat, left: time.Now()}
					time.Sleep(10 * time.Millisecond)
					s.back = time.Now()
					tk.Done(true)
					mu.Lock()
					sends = append(sends, s)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(sends) != 24 {
		t.Fatalf("%d sends, want 24", len(sends))
	}
	sort.Slice(sends, func(i, j int) bool { return sends[i].left.Before(sends[j].left) })
	for i := rate; i < len(sends); i++ {
		if gap := sends[i].left.Sub(sends[i-rate].left); gap < time.Second {
			t.Fatalf("sends %d and %d left %v apart: more than %d a second between the replicas", i-rate, i, gap, rate)
		}
	}
	last := map[int64]send{}
	for _, s := range sends {
		if p, ok := last[s.chat]; ok && s.left.Sub(p.back) < 300*time.Millisecond {
			t.Fatalf("chat %d: a message left %v after the last one's answer (gap 300 ms)", s.chat, s.left.Sub(p.back))
		}
		last[s.chat] = s
	}
	budgets[0].Pause(ctx, 1500*time.Millisecond)
	start := time.Now()
	take(t, budgets[1], budget.Reply, 5).Done(true)
	if d := time.Since(start); d < 1400*time.Millisecond {
		t.Fatalf("the other replica sent %v into a 1.5 s pause", d)
	}
}

// aChatIsOneSendersDuringALongPause: a 429's pause longer than a chat hold
// lets the first sender's hold lapse while it waits for a slot, and a
// sender on the other replica takes the chat. When the pause ends only one
// of them sends; the other waits for its turn (the chat's gap after).
func aChatIsOneSendersDuringALongPause(t *testing.T, newSlots Factory) {
	var replicas []*budget.Budget
	for _, s := range newSlots(t, 2, 5, 100*time.Millisecond, 600*time.Millisecond) {
		replicas = append(replicas, budget.New(s, nil))
	}
	replicas[0].Pause(ctx, 1500*time.Millisecond)
	type turn struct {
		tk *budget.Ticket
		at time.Time
	}
	got := make(chan turn, 2)
	taker := func(b *budget.Budget) {
		tk, err := b.Take(ctx, budget.Bulk, 42)
		if err != nil {
			t.Error(err)
		}
		got <- turn{tk, time.Now()}
	}
	go taker(replicas[0])
	time.Sleep(800 * time.Millisecond) // the first hold has lapsed
	go taker(replicas[1])
	first := <-got
	select {
	case second := <-got:
		t.Fatalf("two senders hold one chat at once (%v apart)", second.at.Sub(first.at))
	case <-time.After(300 * time.Millisecond):
	}
	first.tk.Done(true)
	second := <-got
	if gap := second.at.Sub(first.at); gap < 400*time.Millisecond {
		t.Fatalf("the second sender's turn came %v after the first's", gap)
	}
	second.tk.Done(true)
}

// anUnusedSlotIsFreeAtOnce: a slot through which nothing was sent (the
// chat was not free) is given back and taken again at once, not a second
// later.
func anUnusedSlotIsFreeAtOnce(t *testing.T, newSlots Factory) {
	s := newSlots(t, 1, 1, time.Millisecond, time.Minute)[0]
	ids, _, err := s.TakeSlots(ctx, 1)
	if err != nil || len(ids) != 1 {
		t.Fatalf("took %v, %v from a free budget", ids, err)
	}
	if again, wait, err := s.TakeSlots(ctx, 1); err != nil || len(again) != 0 || wait <= 0 {
		t.Fatalf("the only slot, taken, was taken again: %v (wait %v, %v)", again, wait, err)
	}
	if err := s.Unused(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if again, _, err := s.TakeSlots(ctx, 1); err != nil || len(again) != 1 {
		t.Fatalf("a slot given back unused was not free at once: %v, %v", again, err)
	}
}
