package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// TestFiveHundredTapsInOneSecond: 500 members tap 📅 My events within a
// second, against a Telegram that answers 429 above 30 messages a second
// or one a second per chat. Every one of them gets its reply, once; none is
// dropped, and Telegram never has to say 429, because every reply takes its
// turn in the bot's one send budget.
func TestFiveHundredTapsInOneSecond(t *testing.T) {
	if testing.Short() {
		t.Skip("17 s at Telegram's limit")
	}
	const members = 500
	h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{Rate: 30}), bottest.WithChatGap(time.Second))
	h.API.EnforceLimits(30, 1)
	users := make([]fakeapi.User, members)
	for i := range users {
		phone := fmt.Sprintf("1390000%04d", i)
		h.Add(store.NewMember{Name: fmt.Sprint("M", i), Phone: phone, Branch: "Town", Lang: "en"})
		users[i] = fakeapi.User{ID: int64(50000 + i), FirstName: "M", LanguageCode: "en"}
		h.Link(phone, users[i])
	}
	before := make([]int, members)
	for i, u := range users {
		before[i] = len(h.API.Messages(u.ID))
	}
	tap := h.T(locales.En, "menu.my_events")
	start := time.Now()
	for _, u := range users {
		h.API.SendText(u, tap)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the taps took %v to make, more than a second", d)
	}
	none := h.T(locales.En, "events.none")
	replied := func() (n int) {
		for i, u := range users {
			msgs := h.API.Messages(u.ID)
			if len(msgs) > before[i] && msgs[len(msgs)-1].Text == none {
				n++
			}
		}
		return n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := h.API.WaitFor(ctx, func() bool { return replied() == members }); err != nil {
		t.Fatalf("%d of %d taps answered after a minute; 429s: %d", replied(), members, h.API.Count429())
	}
	took := time.Since(start)
	for i, u := range users {
		if got := len(h.API.Messages(u.ID)) - before[i]; got != 1 {
			t.Fatalf("member %d got %d replies", i, got)
		}
	}
	if n := h.API.Count429(); n != 0 {
		t.Fatalf("Telegram answered 429 %d times", n)
	}
	t.Logf("%d taps in one second: all answered in %s (%.1f/s), 0 × 429", members, took.Round(time.Millisecond), members/took.Seconds())
}

// TestAReplyAnswered429IsSentAgain: Telegram answers a member's reply with
// 429 (retry_after 1); the reply waits and goes again, and the member gets
// it once.
func TestAReplyAnswered429IsSentAgain(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "M", Phone: "13900000001", Branch: "Town", Lang: "en"})
	u := fakeapi.User{ID: 60001, FirstName: "M", LanguageCode: "en"}
	h.Link("13900000001", u)
	before := len(h.API.Messages(u.ID))
	h.API.FailNext("sendMessage", 1, fakeapi.Failure{Status: 429, RetryAfter: 1})
	start := time.Now()
	h.API.SendText(u, h.T(locales.En, "menu.my_events"))
	none := h.T(locales.En, "events.none")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.API.WaitFor(ctx, func() bool { return len(h.API.Messages(u.ID)) > before }); err != nil {
		t.Fatalf("no reply after a 429:\n%s", h.Logs.String())
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("the reply went again %v after a 429 with retry_after 1", d)
	}
	msgs := h.API.Messages(u.ID)[before:]
	if len(msgs) != 1 || msgs[0].Text != none {
		t.Fatalf("replies after a 429: %+v", msgs)
	}
	if n := h.API.Count429(); n != 1 {
		t.Fatalf("%d × 429, want the one forced", n)
	}
}
