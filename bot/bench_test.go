package bot_test

import (
	"fmt"
	"testing"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// BenchmarkMyEvents is a member's tap on 📅 My events, handled to the end
// (the query, the cards, five sendMessage calls to the fake API), with 5,000
// past events on record beside 12 coming ones: the past must not be read.
func BenchmarkMyEvents(b *testing.B) {
	for _, past := range []int{0, 5000} {
		b.Run(fmt.Sprintf("past=%d", past), func(b *testing.B) {
			h := bottest.New(b)
			u := fakeapi.User{ID: 801, FirstName: "M", LanguageCode: "en"}
			h.Add(store.NewMember{Name: "M", Phone: "13800000001", Branch: "Town/Village", Lang: "en"})
			h.Link("13800000001", u)
			now := h.Clock()
			for i := 0; i < past; i++ {
				// Made a year ago, held over the following months.
				made := now.AddDate(-1, 0, 0)
				e := &models.Event{Kind: models.EventMeeting, Title: fmt.Sprintf("Past %d", i), StartAt: made.Add(time.Duration(i+1) * time.Hour),
					Audience: "branch:Town", RSVP: true}
				if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, made); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < 12; i++ {
				e := &models.Event{Kind: models.EventActivityDay, Title: fmt.Sprintf("Coming %d", i), StartAt: now.Add(time.Duration(i+1) * 72 * time.Hour),
					Audience: "branch:Town", RSVP: true}
				if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, now); err != nil {
					b.Fatal(err)
				}
			}
			tap := &tgm.Update{Message: &tgm.Message{ID: 1, From: &tgm.User{ID: u.ID, FirstName: "M", LanguageCode: "en"},
				Chat: tgm.Chat{ID: u.ID, Type: tgm.ChatTypePrivate}, Text: "📅 My events"}}
			sent := len(h.API.Messages(u.ID))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.Bot.HandleUpdate(ctx, tap)
			}
			b.StopTimer()
			if got := len(h.API.Messages(u.ID)) - sent; got != 5*b.N {
				b.Fatalf("%d cards for %d taps, want 5 each", got, b.N)
			}
		})
	}
}
