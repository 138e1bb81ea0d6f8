package store_test

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestSharedSlotsAreOneBudgetForTwoReplicas: two processes' budgets on one
// PostgreSQL database, each sending as fast as it may: together they never
// send more than the rate within a second, nor two messages to one chat
// within its gap, and a pause one of them takes stops the other.
func TestSharedSlotsAreOneBudgetForTwoReplicas(t *testing.T) {
	st, dsn := storetest.NewPostgres(t)
	other, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const rate = 4
	var budgets []*budget.Budget
	for _, s := range []*store.Store{st, other} {
		slots, err := s.SharedSlots(ctx, rate, 300*time.Millisecond, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		budgets = append(budgets, budget.New(slots, nil))
	}
	type send struct {
		chat       int64
		left, back time.Time
	}
	var mu sync.Mutex
	var sends []send
	var wg sync.WaitGroup
	for r, b := range budgets {
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(b *budget.Budget, w int) {
				defer wg.Done()
				for i := 0; i < 3; i++ {
					chat := int64(1000 + (w*3+i)%5) // five chats, both replicas
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
			}(b, w+r*4)
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
	tk, err := budgets[1].Take(ctx, budget.Reply, 5)
	if err != nil {
		t.Fatal(err)
	}
	tk.Done(true)
	if d := time.Since(start); d < 1400*time.Millisecond {
		t.Fatalf("the other replica sent %v into a 1.5 s pause", d)
	}
}

// TestAChatHoldLapsesButIsNotFreedByItsOldHolder: a replica that died
// holding a chat holds it only for the stale time; once another has taken
// it, the first one's late give-back leaves the new hold alone, and a hold
// renewed outlasts its first stale time.
func TestAChatHoldLapsesButIsNotFreedByItsOldHolder(t *testing.T) {
	st, _ := storetest.NewPostgres(t)
	slots, err := st.SharedSlots(ctx, 5, time.Millisecond, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	take := func(holder int64) bool {
		ok, _, err := slots.TakeChat(ctx, 42, holder)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !take(1) {
		t.Fatal("a free chat was not taken")
	}
	if take(2) {
		t.Fatal("a held chat was taken by another")
	}
	time.Sleep(400 * time.Millisecond)
	if !take(2) {
		t.Fatal("a hold past its stale time did not lapse")
	}
	if err := slots.ChatDone(ctx, 42, 1, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if held, _ := st.DumpForTest(ctx, "SELECT holder FROM send_chats WHERE chat_id = 42"); held != "holder=2 \n" {
		t.Fatalf("after the old holder's late give-back the chat is %q, want still holder 2's", held)
	}
	// The lapsed holder learns it lost the chat when it comes to renew.
	if kept, err := slots.KeepChat(ctx, 42, 1, 400*time.Millisecond); err != nil || kept {
		t.Fatalf("the old holder kept a chat another took: %v %v", kept, err)
	}
	time.Sleep(200 * time.Millisecond)
	if kept, err := slots.KeepChat(ctx, 42, 2, 200*time.Millisecond); err != nil || !kept {
		t.Fatalf("the holder could not renew its hold: %v %v", kept, err)
	}
	time.Sleep(200 * time.Millisecond) // 400 ms after the take, 200 after the renewal
	if take(3) {
		t.Fatal("a renewed hold lapsed at its first stale time")
	}
	if err := slots.ChatDone(ctx, 42, 2, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // its gap: 1 ms and the margin
	if !take(3) {
		t.Fatal("a chat given back by its holder stayed held")
	}
}

// TestAChatIsOneSendersDuringALongPause: a 429's pause longer than a chat
// hold lets the first sender's hold lapse while it waits for a slot, and a
// sender on the other replica takes the chat. When the pause ends only one
// of them sends; the other waits for its turn (the chat's gap after).
func TestAChatIsOneSendersDuringALongPause(t *testing.T) {
	st, dsn := storetest.NewPostgres(t)
	other, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var replicas []*budget.Budget
	for _, s := range []*store.Store{st, other} {
		slots, err := s.SharedSlots(ctx, 5, 100*time.Millisecond, 600*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, budget.New(slots, nil))
	}
	replicas[0].Pause(ctx, 1500*time.Millisecond)
	type turn struct {
		tk *budget.Ticket
		at time.Time
	}
	got := make(chan turn, 2)
	take := func(b *budget.Budget) {
		tk, err := b.Take(ctx, budget.Bulk, 42)
		if err != nil {
			t.Error(err)
		}
		got <- turn{tk, time.Now()}
	}
	go take(replicas[0])
	time.Sleep(800 * time.Millisecond) // the first hold has lapsed
	go take(replicas[1])
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
