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
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

// TestRecurringNoticesOnceADate, with a frozen clock: a lunar 01-01 notice
// and a yearly 3·8 notice, each with texts in three languages, go out on
// their dates (2027-02-06 and 2027-03-08) at 09:00 to each member in their
// language, once however many runs, and not again after a restart (a new
// store on the same database); members read them later in 📰.
func TestRecurringNoticesOnceADate(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	people := map[string]fakeapi.User{}
	for i, p := range []struct{ name, phone, lang string }{
		{"Li", "13800000001", "en"}, {"王芳", "13800000002", "zh-Hans"}, {"陳美玲", "13800000003", "zh-Hant"},
	} {
		u := fakeapi.User{ID: int64(600 + i), FirstName: p.name, LanguageCode: "zh"}
		h.Add(store.NewMember{Name: p.name, Phone: p.phone, Branch: "Town/Village", Lang: p.lang})
		h.Link(p.phone, u)
		people[p.lang] = u
	}
	texts := func(what string) map[string]string {
		return map[string]string{"en": what + " (en)", "zh-Hans": what + "（简）", "zh-Hant": what + "（繁）"}
	}
	lunar := &models.Notice{Audience: "branch:Town", Lunar: "01-01", AtMinute: 9 * 60}
	lunar.SetTexts(texts("Spring"))
	women := &models.Notice{Audience: "all", RRule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8", AtMinute: 9 * 60}
	women.SetTexts(texts("March 8"))
	for _, n := range []*models.Notice{lunar, women} {
		if err := h.St.AddNotice(ctx, n, bottest.Shanghai, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	job := scheduler.Notices{Store: h.St, Location: bottest.Shanghai}
	run := func(j scheduler.Notices) int {
		t.Helper()
		c, err := j.Run(ctx, h.Clock())
		if err != nil {
			t.Fatal(err)
		}
		return c["notices"]
	}
	got := func(u fakeapi.User, text string) int {
		n := 0
		for _, m := range h.API.Messages(u.ID) {
			if strings.Contains(m.Text, text) {
				n++
			}
		}
		return n
	}
	// The preview shows the Spring Festival's, to each member, two days
	// ahead.
	preview := &scheduler.Previewer{Store: h.St, Entries: scheduler.Jobs(h.St, bottest.Shanghai, nil), Location: bottest.Shanghai, DefaultLang: locales.ZhHans}
	from := time.Date(2027, 2, 4, 9, 0, 0, 0, bottest.Shanghai)
	items, err := preview.Preview(ctx, models.Scope{Admin: true}, from, from.Add(3*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	foreseen := map[locales.Lang]time.Time{}
	for _, it := range items {
		if it.Row.Kind == string(outbox.KindBroadcast) {
			foreseen[it.Lang] = it.At
		}
	}
	if want := time.Date(2027, 2, 6, 9, 0, 0, 0, bottest.Shanghai); len(foreseen) != 3 || !foreseen[locales.En].Equal(want) {
		t.Fatalf("the preview foresees %v, want the three at %v", foreseen, want)
	}
	// Nothing before its time.
	h.SetNow(time.Date(2027, 2, 6, 8, 59, 0, 0, bottest.Shanghai))
	if n := run(job); n != 0 {
		t.Fatalf("%d planned before 09:00", n)
	}
	for _, occ := range []struct {
		at   time.Time
		what string
		n    *models.Notice
	}{
		{time.Date(2027, 2, 6, 9, 0, 0, 0, bottest.Shanghai), "Spring", lunar},
		{time.Date(2027, 3, 8, 9, 5, 0, 0, bottest.Shanghai), "March 8", women},
	} {
		h.SetNow(occ.at)
		if n := run(job); n != 1 {
			t.Fatalf("%s: %d planned, want 1", occ.what, n)
		}
		if n := run(job); n != 0 {
			t.Fatalf("%s: a second run planned %d", occ.what, n)
		}
		h.Dispatcher.Wake()
		for lang, u := range people {
			want := texts(occ.what)[lang]
			h.WaitFor(occ.what+" in "+lang, func() bool { return got(u, want) == 1 })
		}
		// A restart: another store and job on the same database.
		again, err := store.Open(ctx, h.DSN)
		if err != nil {
			t.Fatal(err)
		}
		h.SetNow(occ.at.Add(7 * time.Minute))
		if n := run(scheduler.Notices{Store: again, Location: bottest.Shanghai}); n != 0 {
			t.Fatalf("%s: planned again after a restart", occ.what)
		}
		again.Close()
		rows, err := storetest.Dump(ctx, h.DSN, fmt.Sprintf("SELECT id FROM broadcasts WHERE notice_id = %d", occ.n.ID))
		if err != nil || strings.Count(rows, "\n") != 1 {
			t.Fatalf("%s: broadcasts %q %v, want one", occ.what, rows, err)
		}
		sent, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindBroadcast})
		for lang, u := range people {
			if n := got(u, texts(occ.what)[lang]); n != 1 {
				t.Fatalf("%s: %s got it %d times (%d rows)", occ.what, lang, n, len(sent))
			}
		}
	}
	// Not 2028's lunar new year yet, nor the next 3·8.
	h.SetNow(time.Date(2027, 12, 31, 12, 0, 0, 0, bottest.Shanghai))
	if n := run(job); n != 0 {
		t.Fatalf("%d planned on no date", n)
	}
	// 📰: what was sent, newest first, in her language.
	u := people["zh-Hant"]
	list := h.Say(u, h.T(locales.ZhHant, "menu.notices"))
	if !strings.HasPrefix(list.Text, h.T(locales.ZhHant, "received.title", "Count", 2)) ||
		strings.Index(list.Text, "March 8（繁）") > strings.Index(list.Text, "Spring（繁）") {
		t.Fatalf("📰: %q", list.Text)
	}
}

// TestAnEventOnAHolidayAsksFirst: /newevent on 2027-02-08, a Spring
// Festival holiday, asks before going on (another day goes back to the
// calendar); on 2027-02-15 it does not ask.
func TestAnEventOnAHolidayAsksFirst(t *testing.T) {
	h := bottest.New(t)
	org := fakeapi.User{ID: 650, FirstName: "Org", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Org", Phone: "13900000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13900000001", org)
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	in := &inputs{h: h, u: org}
	start := func() {
		in.tap(in.say("/newevent"), "🗓 "+en("ne.suggest.meeting"))
	}
	start()
	holiday := h.Say(org, "2027-02-08 09:00")
	want := en("ne.holiday", "Date", h.Cat.Date(locales.En, time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC), h.Clock()), "Holiday", en("holiday.spring_festival"))
	if holiday.Text != want {
		t.Fatalf("on 2027-02-08: %q, want %q", holiday.Text, want)
	}
	if d, _ := h.St.Dialog(ctx, org.ID); d.Step != "holiday" {
		t.Fatalf("the dialog is at %q", d.Step)
	}
	// Another day: back to the date.
	in.tap(holiday, en("ne.holiday_other"))
	if d, _ := h.St.Dialog(ctx, org.ID); d.Step != "date" {
		t.Fatalf("another day: the dialog is at %q", d.Step)
	}
	if got := h.Say(org, "2027-02-15 09:00"); got.Text != en("ne.ask_place") {
		t.Fatalf("on 2027-02-15: %q", got.Text)
	}
	h.Say(org, "/cancel")
	// Keeping the holiday goes on to the place.
	start()
	holiday = h.Say(org, "2027-02-08 09:00")
	if got := in.tap(holiday, en("ne.holiday_keep")); got.Text != en("ne.ask_place") {
		t.Fatalf("after keeping the holiday: %q", got.Text)
	}
	if d, _ := h.St.Dialog(ctx, org.ID); d.Step != "place" {
		t.Fatalf("after keeping the holiday the dialog is at %q", d.Step)
	}
	h.Say(org, "/cancel")
	// The one-line form asks for the word holiday.
	line := "/newevent meeting | 2027-02-08 09:00 | Meeting | Hall | branch:Town"
	if got := h.Say(org, line); !strings.HasPrefix(got.Text, en("newevent.holiday_line", "Date", h.Cat.Date(locales.En, time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC), h.Clock()), "Holiday", en("holiday.spring_festival"))) {
		t.Fatalf("one line on a holiday: %q", got.Text)
	}
	if es, _ := h.St.AllEvents(ctx); len(es) != 0 {
		t.Fatalf("an event was made: %+v", es)
	}
	h.Say(org, line+" | holiday")
	es, _ := h.St.AllEvents(ctx)
	if len(es) != 1 {
		t.Fatalf("with holiday: %d events", len(es))
	}
	// /editevent onto a holiday asks for the word too, changing nothing
	// (and telling no one) until it comes.
	h.Say(org, fmt.Sprintf("/editevent %d time 2027-02-15 09:00", es[0].ID))
	move := fmt.Sprintf("/editevent %d time 2027-02-09 10:00", es[0].ID)
	want = en("editevent.holiday", "Date", h.Cat.Date(locales.En, time.Date(2027, 2, 9, 0, 0, 0, 0, time.UTC), h.Clock()), "Holiday", en("holiday.spring_festival"),
		"ID", es[0].ID, "When", "2027-02-09 10:00")
	if got := h.Say(org, move); got.Text != want {
		t.Fatalf("/editevent onto a holiday: %q, want %q", got.Text, want)
	}
	if e, _ := h.St.EventByID(ctx, es[0].ID); !e.StartAt.Equal(time.Date(2027, 2, 15, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("the refused move changed the start to %v", e.StartAt)
	}
	h.Say(org, move+" Holiday")
	if e, _ := h.St.EventByID(ctx, es[0].ID); !e.StartAt.Equal(time.Date(2027, 2, 9, 2, 0, 0, 0, time.UTC)) {
		t.Fatalf("with holiday the start is %v", e.StartAt)
	}
}

// TestARepeatedNoticeFromTheBot: an organizer's notice repeats from its
// preview — 🔁, every year on a lunar date, 01-01 — and says its next
// dates; /notices lists it with ✖, which stops it. A member's forged ✖ and
// another organizer's change nothing.
func TestARepeatedNoticeFromTheBot(t *testing.T) {
	h := bottest.New(t)
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	org := fakeapi.User{ID: 660, FirstName: "张组长", LanguageCode: "zh"}
	other := fakeapi.User{ID: 661, FirstName: "西组长", LanguageCode: "zh"}
	member := fakeapi.User{ID: 662, FirstName: "王芳", LanguageCode: "zh"}
	h.Add(store.NewMember{Name: "张组长", Phone: "13900000001", Branch: "东城镇", Role: models.RoleOrganizer})
	h.Add(store.NewMember{Name: "西组长", Phone: "13900000002", Branch: "西城镇", Role: models.RoleOrganizer})
	h.Add(store.NewMember{Name: "王芳", Phone: "13800000001", Branch: "东城镇"})
	h.Link("13900000001", org)
	h.Link("13900000002", other)
	h.Link("13800000001", member)
	in := &inputs{h: h, u: org}
	ask := in.say("/broadcast")
	h.Press(org, ask, "东城镇")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := in.say("新春快乐！协会给您拜年。")
	how := in.tap(preview, zh("broadcast.repeat"))
	if how.Text != zh("repeat.ask_how") {
		t.Fatalf("🔁: %q", how.Text)
	}
	if got := in.tap(how, zh("repeat.lunar")); got.Text != zh("repeat.ask_l") {
		t.Fatalf("🌙: %q", got.Text)
	}
	if got := in.say("13-01"); got.Text != zh("repeat.bad_l") {
		t.Fatalf("a bad lunar date: %q", got.Text)
	}
	saved := in.say("01-01")
	if !strings.HasPrefix(saved.Text, "🔁 已保存：这条通知将每年农历1月1日 09:00发出。") || !strings.Contains(saved.Text, "2027年2月6日") || !strings.Contains(saved.Text, "2028年1月26日") {
		t.Fatalf("saved: %q", saved.Text)
	}
	ns, _ := h.St.Notices(ctx)
	if len(ns) != 1 || ns[0].Lunar != "01-01" || ns[0].Audience != "branch:东城镇" || ns[0].TextFor("en") != "新春快乐！协会给您拜年。" {
		t.Fatalf("the notice %+v", ns)
	}
	rows := func() string {
		s, _ := storetest.Dump(ctx, h.DSN, "SELECT id, enabled FROM notices ORDER BY id")
		return s
	}
	before := rows()
	stop := models.Callback{Action: models.ActNoticeStop, ID: ns[0].ID}.Encode()
	if got := h.CallbackAnswer(h.API.SendCallback(member, member.ID, 0, stop)); got != zh("auth.organizers_only_action") {
		t.Fatalf("a member's ✖: %q", got)
	}
	if got := h.CallbackAnswer(h.API.SendCallback(other, other.ID, 0, stop)); got != zh("repeat.not_yours") {
		t.Fatalf("another organizer's ✖: %q", got)
	}
	if after := rows(); after != before {
		t.Fatalf("refused ✖ changed %s to %s", before, after)
	}
	list := in.say("/notices")
	if !strings.Contains(list.Text, zh("repeat.title", "Count", 1)) || !strings.Contains(list.Text, "新春快乐！协会给您拜年。") {
		t.Fatalf("/notices: %q", list.Text)
	}
	if got := h.Press(org, list, zh("repeat.button.stop", "Text", "新春快乐！协会给您拜年。")); got != zh("repeat.stopped") {
		t.Fatalf("✖: %q", got)
	}
	if ns, _ := h.St.Notices(ctx); len(ns) != 0 {
		t.Fatalf("after ✖: %+v", ns)
	}
}
