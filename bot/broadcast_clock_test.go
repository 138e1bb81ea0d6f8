package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestScheduledNoticeAcrossClockChanges: an association in New York. A
// notice's time typed as 02:30 on 14 March 2027, a time the clocks jump
// over, is refused with the two nearest times that happen (not "I cannot
// read it"), nothing is scheduled and the time is asked again; 01:30 on 7
// November, which happens twice, is taken as the first (UTC−4) and the
// confirmation says so, in the organizer's language.
func TestScheduledNoticeAcrossClockChanges(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	h := bottest.New(t, bottest.WithLocation(ny))
	h.Add(store.NewMember{Name: "组织者", Phone: "13900000001", Branch: "Town", Role: models.RoleOrganizer, Lang: string(locales.ZhHans)})
	org := fakeapi.User{ID: 901, FirstName: "组织者", LanguageCode: "zh-hans"}
	h.Link("13900000001", org)
	h.Add(store.NewMember{Name: "Wang", Phone: "13800000001", Branch: "Town"})
	h.Link("13800000001", fakeapi.User{ID: 902, FirstName: "Wang"})
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	dt := func(at time.Time) string { return h.Cat.DateTime(locales.ZhHans, at, ny, h.Clock()) }

	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := h.Say(org, "Water is off on Friday")
	h.Press(org, preview, zh("broadcast.send_later"))
	h.WaitFor("the time question", func() bool { last, _ := h.API.Last(org.ID); return last.ID != preview.ID })

	gap := zh("clock.gap", "Value", "2027-03-14 02:30",
		"Before", dt(time.Date(2027, 3, 14, 6, 59, 0, 0, time.UTC)), // 01:59 EST
		"After", dt(time.Date(2027, 3, 14, 7, 0, 0, 0, time.UTC))) // 03:00 EDT
	if got := h.Say(org, "2027-03-14 02:30").Text; got != gap {
		t.Fatalf("a time in the gap:\n%q\nwant\n%q", got, gap)
	}
	if _, err := h.St.BroadcastByID(ctx, 1); err == nil {
		t.Fatal("a time that does not happen scheduled a notice")
	}
	if d, err := h.St.Dialog(ctx, org.ID); err != nil || d.Step != "at" {
		t.Fatalf("the time is not asked again: %+v %v", d, err)
	}

	first := time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC) // 01:30 EDT; 06:30 UTC is 01:30 EST
	got := h.Say(org, "2027-11-07 01:30").Text
	twice := zh("clock.twice", "When", dt(first), "First", "UTC−4", "Second", "UTC−5")
	if !strings.HasPrefix(got, zh("broadcast.scheduled", "Count", 2, "At", dt(first))) || !strings.HasSuffix(got, "\n\n"+twice) {
		t.Fatalf("scheduled at the repeated hour:\n%q\nwant it to end\n%q", got, twice)
	}
	if b, err := h.St.BroadcastByID(ctx, 1); err != nil || !b.SendAt.Equal(first) {
		t.Fatalf("the notice: %+v %v, want it at %v", b, err, first)
	}
}
