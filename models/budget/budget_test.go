package budget_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/budget/budgettest"
)

var ctx = context.Background()

// TestMemorySlots: the in-memory slots pass the suite every Slots passes
// (replicas are budgets over one Memory), on a frozen clock.
func TestMemorySlots(t *testing.T) {
	budgettest.Run(t, func(t *testing.T, n, rate int, gap, stale time.Duration) []budget.Slots {
		m := budget.NewMemory(rate, gap, stale)
		slots := make([]budget.Slots, n)
		for i := range slots {
			slots[i] = m
		}
		return slots
	}, synctest.Test)
}

// TestRepliesGoFirst: with the only slot busy and broadcasts queued for
// it, a reply asking later still gets the next turn, before the broadcast
// that holds the take.
func TestRepliesGoFirst(t *testing.T) { synctest.Test(t, testRepliesGoFirst) }

func testRepliesGoFirst(t *testing.T) {
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
	// One broadcast holds the turn (asking the slots), and hands the slot
	// that frees to the reply that waits.
	if len(order) != 4 || order[0] != "reply" {
		t.Fatalf("order %v: the reply should be first", order)
	}
}

// broadcastAtTheLimit runs workers that send without pause through b (each
// send answered after rtt) until stop closes, and returns when they left.
func broadcastAtTheLimit(t *testing.T, b *budget.Budget, workers int, rtt time.Duration, stop chan struct{}) (left func() []time.Time, wait func()) {
	var mu sync.Mutex
	var at []time.Time
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tk, err := b.Take(ctx, budget.Bulk, int64(1000000+w*100000+i))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				at = append(at, time.Now())
				mu.Unlock()
				time.Sleep(rtt)
				tk.Done(true)
			}
		})
	}
	return func() []time.Time { mu.Lock(); defer mu.Unlock(); return append([]time.Time(nil), at...) }, wg.Wait
}

// TestSendsAreSpreadAcrossTheSecond: a broadcast at the limit leaves one
// message every 1/30 s, never a burst: no tenth of a second holds more
// than four, and the second as a whole holds the rate (≥ 0.95 of it).
func TestSendsAreSpreadAcrossTheSecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const rate = 30
		b := budget.New(budget.NewMemory(rate, budget.DefaultChatGap, budget.SendTimeout), nil)
		stop := make(chan struct{})
		left, wait := broadcastAtTheLimit(t, b, 8, 5*time.Millisecond, stop)
		time.Sleep(10 * time.Second)
		close(stop)
		wait()
		at := left()
		for i := range at {
			n := 0
			for j := i; j < len(at) && at[j].Sub(at[i]) < 100*time.Millisecond; j++ {
				n++
			}
			if n > 4 {
				t.Fatalf("%d sends within 100 ms from +%v: a burst", n, at[i].Sub(at[0]))
			}
		}
		for i := rate; i < len(at); i++ {
			if at[i].Sub(at[i-rate]) < time.Second {
				t.Fatalf("%d sends within a second", rate+1)
			}
		}
		got := float64(len(at)-1) / at[len(at)-1].Sub(at[0]).Seconds()
		t.Logf("%d sends in 10 s: %.2f/s (%.3f of %d/s)", len(at), got, got/rate, rate)
		if got < 0.95*rate {
			t.Fatalf("%.2f sends a second, less than 0.95 of %d", got, rate)
		}
	})
}

// TestARepliesWaitIsOneSlotDuringABroadcast: while a broadcast keeps the
// budget at the limit, a member's reply waits for the next slot that frees,
// one spacing (1/30 s) at most, not for the next second.
func TestARepliesWaitIsOneSlotDuringABroadcast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const rate = 30
		b := budget.New(budget.NewMemory(rate, budget.DefaultChatGap, budget.SendTimeout), nil)
		stop := make(chan struct{})
		_, wait := broadcastAtTheLimit(t, b, 8, 5*time.Millisecond, stop)
		time.Sleep(2 * time.Second) // the broadcast at full speed
		var waits []time.Duration
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range 200 {
			time.Sleep(time.Duration(50+rng.IntN(200)) * time.Millisecond) // replies at every point of the second
			asked := time.Now()
			tk, err := b.Take(ctx, budget.Reply, int64(500+i))
			if err != nil {
				t.Fatal(err)
			}
			waits = append(waits, time.Since(asked))
			time.Sleep(5 * time.Millisecond)
			tk.Done(true)
		}
		close(stop)
		wait()
		sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
		p50, p99 := waits[len(waits)/2], waits[len(waits)*99/100]
		t.Logf("a reply's wait for its turn during a broadcast at %d/s: p50 %v, p99 %v", rate, p50, p99)
		// One spacing, and the slacks: a slot rests SlotMargin more than
		// the second and frees an answer (5 ms) after its take; the pace
		// lets a take be PaceSlack late.
		if limit := budget.Spacing(rate) + budget.SlotMargin + 5*time.Millisecond + budget.PaceSlack; p99 > limit || p50 > budget.Spacing(rate) {
			t.Fatalf("wait p50 %v, p99 %v: more than a slot's spacing (%v, %v with the slacks)", p50, p99, budget.Spacing(rate), limit)
		}
	})
}
