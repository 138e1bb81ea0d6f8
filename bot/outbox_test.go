package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// The messages the bot starts for someone other than the one tapping go
// through the outbox, so a failing Bot API delays them but loses none.

// retrying is a dispatcher that retries a 5xx after 100 ms.
var retrying = dispatch.Config{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second}

// deliveredAfterRetry waits for the only row of kind to be sent after one
// failed attempt.
func deliveredAfterRetry(t *testing.T, h *bottest.Harness, kind outbox.Kind) outbox.Row {
	t.Helper()
	var row outbox.Row
	h.WaitFor(string(kind)+" delivered after a retry", func() bool {
		rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: kind})
		if len(rows) == 1 && rows[0].Status == outbox.Sent {
			row = rows[0]
			return true
		}
		return false
	})
	if row.Attempts != 1 || row.Reason != outbox.ReasonNone || !strings.Contains(row.LastError, "500") {
		t.Fatalf("%s row %+v: want one failed attempt (500), then sent", kind, row)
	}
	return row
}

func TestPromotionSurvivesAServerError(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	a, b := fakeapi.User{ID: 801, FirstName: "A", LanguageCode: "en"}, fakeapi.User{ID: 802, FirstName: "B", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "A", Phone: "13800000001", Branch: "Town", Lang: "en"})
	h.Link("13800000001", a)
	h.Add(store.NewMember{Name: "B", Phone: "13800000002", Branch: "Town", Lang: "en"})
	h.Link("13800000002", b)
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := &models.Event{Kind: models.EventMeeting, Title: "Trip", StartAt: occ, Audience: "branch:Town", RSVP: true, Capacity: 1}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	cardA, cardB := h.Nth(a.ID, 1), h.Nth(b.ID, 1)
	h.Press(a, cardA, "✅ Going")
	if ans := h.Press(b, cardB, "✅ Going"); !strings.Contains(ans, "number 1 on the waiting list") {
		t.Fatalf("B's answer %q", ans)
	}
	h.API.FailNext("sendMessage", 1, fakeapi.Failure{Status: 500, Description: "Internal Server Error"})
	h.Press(a, h.Message(a.ID, cardA.ID), "❌ Can't go")
	deliveredAfterRetry(t, h, outbox.KindPromoted)
	if got := h.Nth(b.ID, 2); !strings.HasPrefix(got.Text, "🎉 A place freed up: you are going to 🗓 Trip") {
		t.Fatalf("B was told %q", got.Text)
	}
}

func TestJoinRequestNoticeSurvivesAServerError(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	s := fakeapi.User{ID: 777, FirstName: "Sam", LanguageCode: "en"}
	picker := h.Say(s, "/join")
	h.Press(s, picker, "Town")
	h.WaitFor("the name to be asked", func() bool { return len(h.API.Messages(s.ID)) == 2 })
	// Two failures: the notice's first try, and the reply that the request
	// was sent (whichever comes first); the notice is tried again.
	h.API.FailNext("sendMessage", 2, fakeapi.Failure{Status: 500, Description: "Internal Server Error"})
	h.API.SendText(s, "Sam")
	deliveredAfterRetry(t, h, outbox.KindJoinRequest)
	if ask := h.Nth(org.ID, 1); !strings.HasPrefix(ask.Text, "Request to join Town") || len(ask.Inline) != 1 {
		t.Fatalf("organizer asked %q %v", ask.Text, ask.Inline)
	}
	// The decision to the applicant survives one too.
	h.API.FailNext("sendMessage", 1, fakeapi.Failure{Status: 500, Description: "Internal Server Error"})
	h.Press(org, h.Nth(org.ID, 1), "❌ Decline")
	deliveredAfterRetry(t, h, outbox.KindJoinDecision)
	if got, _ := h.API.Last(s.ID); got.Text != h.T(locales.En, "join.declined", "Branch", "Town") {
		t.Fatalf("applicant told %q", got.Text)
	}
}

func TestBroadcastReportSurvivesAServerError(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "M", Phone: "13800000002", Branch: "Town/Village"})
	m := fakeapi.User{ID: 901, FirstName: "M"}
	h.Link("13800000002", m)
	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := h.Say(org, "Water is off tomorrow")
	h.Press(org, preview, "✅ Send now")
	// The notices (to M and to the organizer, who is in Town too) and the
	// progress message are out; the report comes once the dispatcher sees
	// the broadcast done, and its first send fails.
	h.WaitFor("the notices and the progress message", func() bool {
		sent, _ := h.St.OutboxTally(ctx, store.OutboxQuery{Status: outbox.Sent})
		return sent.Status(outbox.Sent) == 3
	})
	h.API.FailNext("sendMessage", 1, fakeapi.Failure{Status: 500, Description: "Internal Server Error"})
	deliveredAfterRetry(t, h, outbox.KindBroadcastReport)
	want := h.T(locales.En, "broadcast.report", "Total", 2, "Delivered", 2, "Blocked", 0, "Failed", 0)
	h.WaitFor("the report", func() bool { last, _ := h.API.Last(org.ID); return last.Text == want })
	b, _ := h.St.BroadcastByID(ctx, 1)
	if b.Status != models.BroadcastDone || b.FinishedAt == nil {
		t.Fatalf("broadcast %+v", b)
	}
}
