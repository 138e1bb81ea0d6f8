package budget_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/budget"
)

var ctx = context.Background()

// TestNoSecondHoldsMoreThanTheRate: many senders through three slots; every
// send is stamped when it leaves and when its answer comes. A slot is used
// again only a second after its answer, so no window of one second holds
// more than three departures-after-answers.
func TestNoSecondHoldsMoreThanTheRate(t *testing.T) {
	b := budget.New(budget.NewMemory(3, time.Millisecond, time.Minute), nil)
	var mu sync.Mutex
	var left []time.Time
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 9; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
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
		}(i)
	}
	wg.Wait()
	sort.Slice(left, func(i, j int) bool { return left[i].Before(left[j]) })
	for i := 3; i < len(left); i++ {
		if gap := left[i].Sub(left[i-3]); gap < time.Second {
			t.Fatalf("sends %d and %d left %v apart: four within a second through three slots", i-3, i, gap)
		}
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("nine sends through three slots took %v (about two seconds expected)", took)
	}
}

// TestAChatWaitsItsGap: two messages to one chat leave a gap apart, counted
// from the first one's answer; another chat does not wait.
func TestAChatWaitsItsGap(t *testing.T) {
	b := budget.New(budget.NewMemory(30, 300*time.Millisecond, time.Minute), nil)
	tk, _ := b.Take(ctx, budget.Reply, 7)
	time.Sleep(50 * time.Millisecond)
	answered := time.Now()
	tk.Done(true)
	other := time.Now()
	tk2, _ := b.Take(ctx, budget.Reply, 8)
	if d := time.Since(other); d > 100*time.Millisecond {
		t.Fatalf("another chat waited %v", d)
	}
	tk2.Done(true)
	tk3, _ := b.Take(ctx, budget.Reply, 7)
	if d := time.Since(answered); d < 300*time.Millisecond {
		t.Fatalf("the same chat went again %v after the answer, gap 300 ms", d)
	}
	tk3.Done(true)
}

// TestRepliesGoFirst: with the only slot busy and broadcasts queued for
// it, a reply asking later still gets the next turn.
func TestRepliesGoFirst(t *testing.T) {
	b := budget.New(budget.NewMemory(1, time.Millisecond, time.Minute), nil)
	first, _ := b.Take(ctx, budget.Bulk, 1)
	var order []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	take := func(class budget.Class, chat int64, name string) {
		defer wg.Done()
		tk, err := b.Take(ctx, class, chat)
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
		tk.Done(true)
	}
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go take(budget.Bulk, int64(10+i), fmt.Sprint("bulk", i))
	}
	time.Sleep(100 * time.Millisecond) // the broadcasts are queued
	wg.Add(1)
	go take(budget.Reply, 99, "reply")
	time.Sleep(100 * time.Millisecond)
	first.Done(true)
	wg.Wait()
	// One broadcast already holds the turn (asking the slots); the reply
	// comes right after it, before the other two.
	if len(order) != 4 || order[1] != "reply" {
		t.Fatalf("order %v: the reply should be first or second", order)
	}
}

// TestASlotNeverGivenBackFreesAfterTheSendTimeout: a sender that died
// mid-send holds its slot only until the longest send would have ended, and
// its late answer does not free the slot someone else holds now.
func TestASlotNeverGivenBackFreesAfterTheSendTimeout(t *testing.T) {
	b := budget.New(budget.NewMemory(1, time.Millisecond, 500*time.Millisecond), nil)
	lost, _ := b.Take(ctx, budget.Bulk, 1)
	start := time.Now()
	next, err := b.Take(ctx, budget.Bulk, 2)
	if err != nil {
		t.Fatal(err)
	}
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

// TestPauseStopsEverySend: after a 429 nothing leaves before retry_after.
func TestPauseStopsEverySend(t *testing.T) {
	b := budget.New(budget.NewMemory(30, time.Millisecond, time.Minute), nil)
	b.Pause(ctx, 400*time.Millisecond)
	start := time.Now()
	tk, err := b.Take(ctx, budget.Reply, 5)
	if err != nil {
		t.Fatal(err)
	}
	tk.Done(true)
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("a reply left %v into a 400 ms pause", d)
	}
}

// TestOnlyTheHolderFreesAChat: a give-back by someone not holding the chat
// changes nothing.
func TestOnlyTheHolderFreesAChat(t *testing.T) {
	m := budget.NewMemory(5, time.Millisecond, time.Minute)
	if ok, _, _ := m.TakeChat(ctx, 7, 100); !ok {
		t.Fatal("a free chat was not taken")
	}
	// Not sent: a wrong give-back would leave no gap to hide behind.
	m.ChatDone(ctx, 7, 200, false, time.Now())
	if ok, _, _ := m.TakeChat(ctx, 7, 300); ok {
		t.Fatal("a stranger's give-back freed the chat")
	}
	m.ChatDone(ctx, 7, 100, true, time.Now())
	time.Sleep(30 * time.Millisecond)
	if ok, _, _ := m.TakeChat(ctx, 7, 300); !ok {
		t.Fatal("the holder's give-back did not free the chat")
	}
}
