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

// TestTimesAcrossClockChanges: an association in New York. 02:30 on 14
// March 2027 does not happen (the clocks go from 01:59 to 03:00): typed in
// the one-line /newevent (as the start or the deadline), in /editevent or
// in the dialog, it is refused in the organizer's language with those two
// times, and nothing is stored. 01:30 on 7 November happens twice: it is
// taken as the first (UTC−4) and the reply says so.
func TestTimesAcrossClockChanges(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	h := bottest.New(t, bottest.WithLocation(ny))
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "组织者", Phone: "13900000001", Branch: "Town", Role: models.RoleOrganizer, Lang: string(locales.ZhHans)})
	zh := fakeapi.User{ID: 901, FirstName: "组织者", LanguageCode: "zh-hans"}
	h.Link("13900000001", zh)
	h.Add(store.NewMember{Name: "Wang", Phone: "13800000001", Branch: "Town"})
	h.Link("13800000001", fakeapi.User{ID: 902, FirstName: "Wang"})

	events := func() []models.Event {
		t.Helper()
		es, err := h.St.AllEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	newest := func(es []models.Event) models.Event { // AllEvents is in order of start
		n := es[0]
		for _, e := range es {
			if e.ID > n.ID {
				n = e
			}
		}
		return n
	}
	dt := func(l locales.Lang, at time.Time) string { return h.Cat.DateTime(l, at, ny, h.Clock()) }
	gap := func(l locales.Lang, typed string) string {
		return h.T(l, "clock.gap", "Value", typed,
			"Before", dt(l, time.Date(2027, 3, 14, 6, 59, 0, 0, time.UTC)), // 01:59 EST
			"After", dt(l, time.Date(2027, 3, 14, 7, 0, 0, 0, time.UTC))) // 03:00 EDT
	}
	twice := func(l locales.Lang, at time.Time) string {
		return h.T(l, "clock.twice", "When", dt(l, at), "First", "UTC−4", "Second", "UTC−5")
	}

	// The one-line form: the start or the deadline in the gap.
	for _, line := range []string{
		"/newevent meeting | 2027-03-14 02:30 | Meeting | Hall | branch:Town",
		"/newevent meeting | 2027-03-20 09:00 | Meeting | Hall | branch:Town | deadline=2027-03-14 02:30",
	} {
		if got := h.Say(org, line); !strings.HasPrefix(got.Text, gap(locales.En, "2027-03-14 02:30")) {
			t.Errorf("%s:\n%q\nwant it to start\n%q", line, got.Text, gap(locales.En, "2027-03-14 02:30"))
		}
	}
	if es := events(); len(es) != 0 {
		t.Fatalf("a time that does not happen made an event: %+v", es)
	}

	// The repeated 01:30: the first, and said so.
	first := time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC) // 01:30 EDT; 06:30 UTC is 01:30 EST
	got := h.Say(org, "/newevent meeting | 2027-11-07 01:30 | Night walk | Hall | branch:Town")
	es := events()
	if len(es) != 1 || !es[0].StartAt.Equal(first) {
		t.Fatalf("events %+v, want one at %v (reply %q)", es, first, got.Text)
	}
	if !strings.HasPrefix(got.Text, "✅") || !strings.HasSuffix(got.Text, "\n\n"+twice(locales.En, first)) {
		t.Fatalf("created at the repeated hour:\n%q\nwant it to end\n%q", got.Text, twice(locales.En, first))
	}
	walk := es[0].ID

	// /editevent: the gap refused and the time kept; the repeated hour taken as the first.
	if got := h.Say(org, fmt.Sprintf("/editevent %d time 2027-03-14 02:30", walk)); got.Text != gap(locales.En, "2027-03-14 02:30") {
		t.Fatalf("edit into the gap: %q", got.Text)
	}
	if e, _ := h.St.EventByID(ctx, walk); !e.StartAt.Equal(first) {
		t.Fatalf("a refused edit moved the event to %v", e.StartAt)
	}
	quarterPast := time.Date(2027, 11, 7, 5, 15, 0, 0, time.UTC)
	if got := h.Say(org, fmt.Sprintf("/editevent %d time 2027-11-07 01:15", walk)); !strings.HasSuffix(got.Text, "\n\n"+twice(locales.En, quarterPast)) {
		t.Fatalf("edit to the repeated hour: %q", got.Text)
	}
	if e, _ := h.St.EventByID(ctx, walk); !e.StartAt.Equal(quarterPast) {
		t.Fatalf("moved to %v, want %v", e.StartAt, quarterPast)
	}

	// The dialog, in Chinese: the date and time typed, then the time typed
	// after a day tapped on the calendar.
	zhT := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	in := &inputs{h: h, u: zh}
	cal := in.tap(in.say("/newevent"), "🗓 "+zhT("ne.suggest.meeting"))
	if got := in.say("2027年3月14日 2点半"); got.Text != gap(locales.ZhHans, "2027年3月14日 2点半") {
		t.Fatalf("typed date and time in the gap: %q", got.Text)
	}
	if d, err := h.St.Dialog(ctx, zh.ID); err != nil || d.Step != "date" {
		t.Fatalf("the dialog moved on: %+v %v", d, err)
	}
	march := zhT("ne.calendar_month", "Year", 2027, "Month", zhT("time.month.3"))
	for !bottest.Contains(bottest.InlineTexts(h.Message(zh.ID, cal.ID)), march) {
		shown := bottest.InlineTexts(h.Message(zh.ID, cal.ID))
		h.Press(zh, cal, "›")
		h.WaitFor("the next month", func() bool {
			return strings.Join(bottest.InlineTexts(h.Message(zh.ID, cal.ID)), " ") != strings.Join(shown, " ")
		})
	}
	askTime := in.tap(h.Message(zh.ID, cal.ID), "14")
	if askTime.Text != zhT("ne.ask_time") {
		t.Fatalf("after the day: %q", askTime.Text)
	}
	if got := in.say("2:30"); got.Text != gap(locales.ZhHans, "2:30") {
		t.Fatalf("typed time in the gap: %q", got.Text)
	}
	if d, err := h.St.Dialog(ctx, zh.ID); err != nil || d.Step != "time" {
		t.Fatalf("the dialog moved on: %+v %v", d, err)
	}
	if es := events(); len(es) != 1 {
		t.Fatalf("the dialog stored %d events", len(es))
	}
	place := in.say("3:00")
	preview := in.tap(place, zhT("ne.no_place"))
	if done := in.tap(preview, zhT("ne.create")); !strings.HasPrefix(done.Text, "✅") || strings.Contains(done.Text, "ℹ️") {
		t.Fatalf("created at 03:00: %q", done.Text)
	}
	if es := events(); len(es) != 2 || !newest(es).StartAt.Equal(time.Date(2027, 3, 14, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("events %+v, want the second at 03:00 EDT", es)
	}

	// The repeated hour typed in the dialog: created at the first, said so in Chinese.
	in.tap(in.say("/newevent"), "🗓 "+zhT("ne.suggest.meeting"))
	place = in.say("2027-11-07 1:30")
	preview = in.tap(place, zhT("ne.no_place"))
	done := in.tap(preview, zhT("ne.create"))
	if !strings.HasPrefix(done.Text, "✅") || !strings.HasSuffix(done.Text, "\n\n"+twice(locales.ZhHans, first)) {
		t.Fatalf("created at the repeated hour:\n%q\nwant it to end\n%q", done.Text, twice(locales.ZhHans, first))
	}
	if es := events(); len(es) != 3 || !newest(es).StartAt.Equal(first) {
		t.Fatalf("events %+v, want the third at %v", es, first)
	}
}
