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
)

var ctx = context.Background()

// TestNoSecondHoldsMoreThanTheRate: many senders through three slots; every
// send is stamped when it leaves and when its answer comes. A slot is used
// again only a second after its answer, so no window of one second holds
// more than three departures-after-answers.
func TestNoSecondHoldsMoreThanTheRate(t *testing.T) {
	synctest.Test(t, testNoSecondHoldsMoreThanTheRate)
}

func testNoSecondHoldsMoreThanTheRate(t *testing.T) {
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
func TestAChatWaitsItsGap(t *testing.T) { synctest.Test(t, testAChatWaitsItsGap) }

func testAChatWaitsItsGap(t *testing.T) {
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

// TestASlotNeverGivenBackFreesAfterTheSendTimeout: a sender that died
// mid-send holds its slot only until the longest send would have ended, and
// its late answer does not free the slot someone else holds now.
func TestASlotNeverGivenBackFreesAfterTheSendTimeout(t *testing.T) {
	synctest.Test(t, testASlotNeverGivenBackFreesAfterTheSendTimeout)
}

func testASlotNeverGivenBackFreesAfterTheSendTimeout(t *testing.T) {
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
func TestPauseStopsEverySend(t *testing.T) { synctest.Test(t, testPauseStopsEverySend) }

func testPauseStopsEverySend(t *testing.T) {
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
func TestOnlyTheHolderFreesAChat(t *testing.T) { synctest.Test(t, testOnlyTheHolderFreesAChat) }

func testOnlyTheHolderFreesAChat(t *testing.T) {
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
