package budget_test

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/assocbot/assocbot/models/budget"
)

// arrival is a message as Telegram sees it: when, and to which chat.
type arrival struct {
	at   time.Time
	chat int64
}

// overLimits is what Telegram would answer 429 to: a message that makes
// more than rate in the second up to it, or a second one in a chat within
// gap.
func overLimits(sends []arrival, rate int, gap time.Duration) []string {
	var out []string
	for i, s := range sends {
		n := 0
		for _, o := range sends[:i+1] {
			if s.at.Sub(o.at) < time.Second {
				n++
			}
			if o != s && o.chat == s.chat && s.at.Sub(o.at) < gap {
				out = append(out, fmt.Sprintf("chat %d twice within %v", s.chat, s.at.Sub(o.at)))
			}
		}
		if n > rate {
			out = append(out, fmt.Sprintf("%d messages in the second up to %v", n, s.at.Format("15:04:05.000")))
		}
	}
	return out
}

// TestAFreshBudgetCountsTheLastSecond: a process sends 20 messages over its
// last second and is killed; a millisecond later its replacement starts
// with a budget made UsedAt its start and sends 60 at once. Telegram (whose
// window remembers the dead process's 20) sees no second holding more than
// the rate and no chat twice within a second; without UsedAt the
// replacement hands out all 30 slots at once, 50 in one second. Time is
// synctest's: nothing here sleeps for real.
func TestAFreshBudgetCountsTheLastSecond(t *testing.T) {
	const rate = 30
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var sends []arrival
		note := func(chat int64) {
			mu.Lock()
			sends = append(sends, arrival{time.Now(), chat})
			mu.Unlock()
		}
		// The process that dies: 20 messages, one every 50 ms, the last
		// one to chat 7.
		dead := budget.New(budget.NewMemory(rate, budget.DefaultChatGap, budget.SendTimeout), nil)
		for i := range 20 {
			chat := int64(100 + i)
			if i == 19 {
				chat = 7
			}
			tk, err := dead.Take(ctx, budget.Bulk, chat)
			if err != nil {
				t.Fatal(err)
			}
			note(chat)
			tk.Done(true)
			if i < 19 {
				time.Sleep(50 * time.Millisecond)
			}
		}
		time.Sleep(time.Millisecond) // kill -9, and the new process starts
		start := time.Now()
		fresh := budget.New(budget.NewMemory(rate, budget.DefaultChatGap, budget.SendTimeout).UsedAt(start), nil)
		var wg sync.WaitGroup
		for i := range 60 {
			chat := int64(1000 + i)
			if i == 0 {
				chat = 7 // the dead process's last chat, asked first
			}
			wg.Go(func() {
				tk, err := fresh.Take(ctx, budget.Bulk, chat)
				if err != nil {
					t.Error(err)
					return
				}
				note(chat)
				tk.Done(true)
			})
		}
		wg.Wait()
		if over := overLimits(sends, rate, budget.DefaultChatGap); len(over) > 0 {
			t.Errorf("Telegram would answer 429 %d times: %v …", len(over), over[:min(len(over), 3)])
		}
		first := sends[20].at.Sub(start)
		inFirstSecond := 0
		for _, s := range sends[20:] {
			if s.at.Sub(start) < time.Second {
				inFirstSecond++
			}
		}
		t.Logf("after the restart: first message at +%v, %d in the first second", first, inFirstSecond)
		if inFirstSecond > rate-20 {
			t.Errorf("%d messages in the first second after the restart, after 20 in the dead process's last: more than %d", inFirstSecond, rate-20)
		}
		// The wait is one second and the margins, and at most one slot's
		// spacing more (which sender takes the first slot, and whether its
		// chat is free yet, is up to the goroutines' order), not more.
		if limit := budget.DefaultChatGap + budget.ChatMargin + budget.Spacing(rate) + budget.PaceSlack; first > limit {
			t.Errorf("the first message after the restart left at +%v, later than %v", first, limit)
		}
	})
}

// TestUsedAtHoldsANewChatItsGap: a chat the budget has not seen waits its
// gap from the time given to UsedAt, then goes; chats seen since keep their
// own gap.
func TestUsedAtHoldsANewChatItsGap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		m := budget.NewMemory(5, budget.DefaultChatGap, budget.SendTimeout).UsedAt(start)
		ok, wait, err := m.TakeChat(ctx, 7, 1)
		if err != nil || ok || wait != budget.DefaultChatGap+budget.ChatMargin {
			t.Fatalf("a new chat right after the start: ok %v, wait %v, %v", ok, wait, err)
		}
		if ids, wait, _ := m.TakeSlots(ctx, 1); len(ids) != 0 || wait != budget.SlotRest {
			t.Fatalf("a slot right after the start: %v, wait %v", ids, wait)
		}
		time.Sleep(budget.DefaultChatGap + budget.ChatMargin)
		if ok, _, _ := m.TakeChat(ctx, 7, 1); !ok {
			t.Fatal("a new chat was not taken a gap after the start")
		}
		// Free, and taken evenly: five in four spacings.
		from, got := time.Now(), 0
		for got < 5 && time.Since(from) < time.Second {
			ids, wait, _ := m.TakeSlots(ctx, 5)
			got += len(ids)
			if len(ids) == 0 {
				time.Sleep(wait)
			}
		}
		if took, spacing := time.Since(from), budget.Spacing(5); got != 5 || took > 4*spacing {
			t.Fatalf("%d of 5 slots a second after the start, in %v (one a %v)", got, took, spacing)
		}
	})
}
