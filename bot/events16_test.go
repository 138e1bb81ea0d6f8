package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// eventsFixture is an organizer of Town (English) and Wang, a member of
// Town/East, both on Telegram, with an activity day of Town/East.
type eventsFixture struct {
	h         *bottest.Harness
	org, wang fakeapi.User
	orgM      *models.Member
	wangM     *models.Member
}

func newEventsFixture(t *testing.T, opts ...bottest.Option) *eventsFixture {
	h := bottest.New(t, opts...)
	f := &eventsFixture{h: h, org: fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}, wang: fakeapi.User{ID: 901, FirstName: "Wang"}}
	f.orgM = h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13900000000", f.org)
	f.wangM = h.Add(store.NewMember{Name: "Wang", Phone: "13800000001", Branch: "Town/East", Lang: "en"})
	h.Link("13800000001", f.wang)
	return f
}

func (f *eventsFixture) event(t *testing.T, e *models.Event) *models.Event {
	t.Helper()
	e.CreatedBy = &f.orgM.ID
	if _, err := f.h.St.CreateEvent(ctx, e, bottest.Shanghai, f.h.Clock()); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCheckInOnTheDayOnly (issue 16 item 4): check-in weeks before an
// activity is refused and does not count as held; on its day the organizer
// checks Wang in, and /stats and /records then agree that it was held; a
// day after its start check-in is closed.
func TestCheckInOnTheDayOnly(t *testing.T) {
	f := newEventsFixture(t)
	h := f.h
	occ := time.Date(2026, 12, 14, 9, 0, 0, 0, bottest.Shanghai) // three weeks ahead
	e := f.event(t, &models.Event{Kind: models.EventActivityDay, Title: "Health talk", StartAt: occ, Audience: "branch:Town/East", RSVP: true})
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	dt := func(at time.Time) string { return h.Cat.DateTime(locales.En, at, bottest.Shanghai, h.Clock()) }

	got := h.Say(f.org, fmt.Sprintf("/checkin %d", e.ID))
	if want := en("checkin.not_yet", "Title", "Health talk", "When", dt(occ), "Opens", dt(time.Date(2026, 12, 14, 0, 0, 0, 0, bottest.Shanghai))); got.Text != want || len(got.Inline) != 0 {
		t.Fatalf("/checkin three weeks ahead: %q %v, want %q", got.Text, got.Inline, want)
	}
	// The list's button, forged or kept from another day, changes nothing.
	tap := models.Callback{Action: models.ActCheckIn, Event: e.ID, Occ: occ, ID: f.wangM.ID}.Encode()
	closed := en("checkin.closed", "Opens", dt(time.Date(2026, 12, 14, 0, 0, 0, 0, bottest.Shanghai)), "Closes", dt(occ.Add(24*time.Hour)))
	if ans := h.CallbackAnswer(h.API.SendCallback(f.org, f.org.ID, 0, tap)); ans != closed {
		t.Fatalf("an early check-in: %q, want %q", ans, closed)
	}
	if in, _ := h.St.CheckedIn(ctx, e.ID, occ); len(in) != 0 {
		t.Fatalf("checked in three weeks early: %v", in)
	}
	held := func(n int) {
		t.Helper()
		if got := h.Say(f.org, "/stats").Text; !strings.Contains(got, fmt.Sprintf("Activities held this quarter: %d\n", n)) {
			t.Fatalf("/stats, want %d held:\n%s", n, got)
		}
		records := h.Say(f.org, "/records").Text
		if n == 0 && records != en("records.none", "Quarter", "2026Q4") {
			t.Fatalf("/records with nothing held:\n%s", records)
		}
		if n == 1 && !strings.Contains(records, en("records.missing_line", "Date", "12-14", "Title", "Health talk", "Came", 1)) {
			t.Fatalf("/records with the activity held:\n%s", records)
		}
	}
	held(0)

	// On the day, before the start: the list, one tap.
	h.SetNow(time.Date(2026, 12, 14, 8, 0, 0, 0, bottest.Shanghai))
	list := h.Say(f.org, fmt.Sprintf("/checkin %d", e.ID))
	h.Press(f.org, list, "⬜ Wang")
	if in, _ := h.St.CheckedIn(ctx, e.ID, occ); !in[f.wangM.ID] {
		t.Fatalf("not checked in on the day: %v", in)
	}
	held(1)

	// A day after its start, check-in is closed: Wang stays checked in.
	h.SetNow(occ.Add(24 * time.Hour))
	if ans := h.CallbackAnswer(h.API.SendCallback(f.org, f.org.ID, 0, tap)); ans != closed {
		t.Fatalf("a check-out a day later: %q", ans)
	}
	if in, _ := h.St.CheckedIn(ctx, e.ID, occ); !in[f.wangM.ID] {
		t.Fatalf("checked out after the window: %v", in)
	}
}
