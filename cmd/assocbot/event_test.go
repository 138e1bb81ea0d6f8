package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// TestEventAnnouncedAndAnswered: an event added from the CLI is announced to
// exactly its audience through the running dispatcher; members answer with
// one tap, the message changing in place; a full event waitlists and
// promotes; forged and late answers change nothing.
func TestEventAnnouncedAndAnswered(t *testing.T) {
	var d *dispatch.Dispatcher
	h := bottest.New(t, bottest.BeforeStart(func(b *bot.Bot) { b.OnEnqueue(func() { d.Wake() }) }))
	startDispatcher(t, h, &d, dispatch.Config{Rate: 100, Workers: 2})
	ctx := context.Background()
	env := func(k string) string {
		return map[string]string{"ASSOCBOT_DB": h.DSN, "ASSOCBOT_TZ": "Asia/Shanghai"}[k]
	}
	people := map[string]fakeapi.User{}
	for i, p := range []struct{ name, branch, tag, lang string }{
		{"A", "Town/Village", "", "en"}, {"B", "Town/Village/Team", "", "zh-hans"}, {"C", "Other", "volunteer", "en"},
		{"D", "Town/Village", "", "zh-hant"}, {"E", "Town/Village", "volunteer", "en"},
	} {
		phone := fmt.Sprintf("1380000000%d", i)
		lang, _ := locales.Parse(p.lang)
		h.Add(store.NewMember{Name: p.name, Phone: phone, Branch: p.branch, Tags: []string{p.tag}, Lang: string(lang)})
		u := fakeapi.User{ID: int64(100 + i), FirstName: p.name, LanguageCode: p.lang}
		h.Link(phone, u)
		people[p.name] = u
	}
	code, out, errOut := runCLI(t, env, "", "event", "add", "--kind", "meeting", "--title", "月度例会", "--start", "2026-12-07 09:30",
		"--location", "村委会二楼", "--audience", "branch:Town/Village", "--capacity", "2")
	if code != 0 || !strings.Contains(out, "announced to 4 members") {
		t.Fatalf("event add: %d %q %q", code, out, errOut)
	}
	var eventID uint
	fmt.Sscanf(out, "event %d:", &eventID)

	announce := map[string]fakeapi.Message{}
	for _, n := range []string{"A", "B", "D", "E"} {
		msgs, err := h.API.WaitMessages(waitCtx(t), people[n].ID, 1)
		if err != nil {
			t.Fatalf("%s got no announcement: %v", n, err)
		}
		announce[n] = msgs[0]
	}
	if got := announce["A"].Text; !strings.Contains(got, "📢 New: 🗓 月度例会") || !strings.Contains(got, "Mon 7 Dec 09:30") || !strings.Contains(got, "📍 村委会二楼") {
		t.Fatalf("English announcement %q", got)
	}
	if got := announce["D"].Text; !strings.Contains(got, "12月7日（週一） 09:30") {
		t.Fatalf("Traditional Chinese announcement %q", got)
	}
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{EventID: eventID}); len(rows) != 4 {
		t.Fatalf("%d announcements, want 4 (C is outside the branch)", len(rows))
	}
	cm, _ := h.St.MemberByTelegramID(ctx, people["C"].ID)
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{MemberID: cm.ID}); len(rows) != 0 {
		t.Fatalf("a member outside the branch got %+v", rows)
	}

	// One tap: the message shows the answer in place; a second tap is harmless.
	a := people["A"]
	h.Press(a, announce["A"], "✅ Going")
	h.WaitFor("A's answer in place", func() bool {
		return strings.HasSuffix(h.Message(a.ID, announce["A"].ID).Text, "Your answer: ✅ going")
	})
	h.Press(a, h.Message(a.ID, announce["A"].ID), "✅ Going")
	h.Press(people["B"], announce["B"], "✅ 参加")
	// The third yes goes on the waiting list.
	if ans := h.Press(people["D"], announce["D"], "✅ 參加"); !strings.Contains(ans, "第 1 位") {
		t.Fatalf("third yes answered %q", ans)
	}
	// A cancels: D is promoted and told.
	h.Press(a, h.Message(a.ID, announce["A"].ID), "❌ Can't go")
	msgs, err := h.API.WaitMessages(waitCtx(t), people["D"].ID, 2)
	if err != nil || !strings.HasPrefix(msgs[1].Text, "🎉 有空位了") {
		t.Fatalf("promotion message: %v %v", msgs, err)
	}
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	counts, _ := h.St.RSVPCounts(ctx, eventID, occ)
	if counts["yes"] != 2 || counts["no"] != 1 || counts["waitlist"] != 0 {
		t.Fatalf("counts after promotion %v", counts)
	}

	// Forged: C, outside the audience, answers with well-formed data.
	c := people["C"]
	data := announce["A"].Inline[0][0].CallbackData
	id := h.API.SendCallback(c, c.ID, 1, data)
	if ans := h.CallbackAnswer(id); ans != h.T(locales.En, "rsvp.refused.not_found") {
		t.Fatalf("forged answer %q", ans)
	}
	if after, _ := h.St.RSVPCounts(ctx, eventID, occ); fmt.Sprint(after) != fmt.Sprint(counts) {
		t.Fatalf("forged answer changed the table: %v → %v", counts, after)
	}
	// A made-up occurrence of a real event: refused too.
	id = h.API.SendCallback(a, a.ID, 1, fmt.Sprintf("rv:%d:%d:y", eventID, occ.Unix()/60+1))
	if ans := h.CallbackAnswer(id); ans != h.T(locales.En, "rsvp.refused.not_found") {
		t.Fatalf("wrong occurrence %q", ans)
	}

	// The calendar button sends an .ics file that parses back with the
	// right UTC time.
	e := people["E"]
	h.Press(e, announce["E"], "📅 Add to calendar")
	docs, err := h.API.WaitMessages(waitCtx(t), e.ID, 2)
	if err != nil || docs[1].Document == nil || docs[1].Document.Name != "月度例会.ics" {
		t.Fatalf("calendar file: %+v %v", docs, err)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(docs[1].Document.Data)))
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf("ics parse: %v", err)
	}
	start, err := cal.Events()[0].GetStartAt()
	if err != nil || !start.Equal(occ) || start.UTC().Format("20060102T150405Z") != "20261207T013000Z" {
		t.Fatalf("DTSTART %v %v", start, err)
	}
	if got := cal.Events()[0].GetProperty(ics.ComponentPropertySummary).Value; got != "月度例会" {
		t.Fatalf("SUMMARY %q", got)
	}

	if all := h.Say(e, "/calendar"); all.Document == nil || !strings.Contains(string(all.Document.Data), "SUMMARY:月度例会") {
		t.Fatalf("/calendar: %+v", all)
	}

	// /events lists it with the member's answer.
	if got := h.Say(e, "📅 My events"); !strings.Contains(got.Text, "月度例会") || len(got.Inline) == 0 {
		t.Fatalf("/events %q", got.Text)
	}
	if got := h.Say(a, fmt.Sprintf("/rsvp %d maybe", eventID)); !strings.HasPrefix(got.Text, "Your answer: 🤔 maybe") {
		t.Fatalf("/rsvp %q", got.Text)
	}
	if got := h.Say(a, fmt.Sprintf("/event %d", eventID)); !strings.HasPrefix(got.Text, "🗓 月度例会") || !strings.HasSuffix(got.Text, "Your answer: 🤔 maybe") {
		t.Fatalf("/event %q", got.Text)
	}
	if got := h.Say(c, fmt.Sprintf("/event %d", eventID)); got.Text != h.T(locales.En, "event.not_found", "ID", eventID) {
		t.Fatalf("/event outside the audience %q", got.Text)
	}
	if got := h.Say(a, "/event x"); got.Text != h.T(locales.En, "event.usage") {
		t.Fatalf("/event x %q", got.Text)
	}

	// Answers closed: refused with the reason.
	before := len(h.API.Messages(c.ID))
	code, out, errOut = runCLI(t, env, "", "event", "add", "--kind", "activity_day", "--title", "Member day", "--start", "2026-12-20 09:00",
		"--rsvp-deadline", "2026-12-10 18:00", "--audience", "tag:volunteer")
	if code != 0 || !strings.Contains(out, "announced to 2 members") {
		t.Fatalf("second event: %d %q %q", code, out, errOut)
	}
	msgs, err = h.API.WaitMessages(waitCtx(t), c.ID, before+1)
	if err != nil {
		t.Fatal(err)
	}
	h.SetNow(time.Date(2026, 12, 11, 9, 0, 0, 0, bottest.Shanghai))
	ans := h.Press(c, msgs[before], "✅ Going")
	if !strings.HasPrefix(ans, "Answers for this event closed on Thu 10 Dec 18:00") {
		t.Fatalf("late answer %q", ans)
	}
	var second uint
	fmt.Sscanf(out, "event %d:", &second)
	if got, _ := h.St.RSVPCounts(ctx, second, time.Date(2026, 12, 20, 9, 0, 0, 0, bottest.Shanghai)); len(got) != 0 {
		t.Fatalf("late answer recorded: %v", got)
	}
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestEventAddBadArguments(t *testing.T) {
	db := t.TempDir() + "/e.db"
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"event"}, "event needs add or list"},
		{[]string{"event", "add", "--kind", "party", "--title", "x", "--start", "2030-01-01 09:00"}, "--kind must be"},
		{[]string{"event", "add", "--kind", "meeting", "--start", "2030-01-01 09:00"}, "--title is required"},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "tomorrow"}, `want "YYYY-MM-DD HH:MM"`},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "2020-01-01 09:00"}, "in the past"},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "2030-01-01 09:00", "--end", "2030-01-01 08:00"}, "--end must be after"},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "2030-01-01 09:00", "--rrule", "FREQ=HOURLY"}, "--rrule"},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "2030-01-01 09:00", "--audience", "people"}, "--audience"},
		{[]string{"event", "add", "--kind", "meeting", "--title", "x", "--start", "2030-01-01 09:00", "--capacity", "-1"}, "--capacity"},
	} {
		code, _, errOut := runCLI(t, env, "", c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	// A yearly member day from the CLI, and the list.
	code, out, errOut := runCLI(t, env, "", "event", "add", "--kind", "activity_day", "--title", "会员日", "--start", "2026-05-29 09:00", "--rrule", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=29")
	if code != 0 || !strings.Contains(out, "next 2027-05-29 09:00 CST") {
		t.Fatalf("member day: %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, env, "", "event", "list"); code != 0 || !strings.Contains(out, "2027-05-29 09:00") || !strings.Contains(out, "FREQ=YEARLY") {
		t.Fatalf("list: %q", out)
	}
}

// TestOrganizerEventCommands: the one-line /newevent within the organizer's
// branches, /attendees, /nudge to those who have not answered, /editevent
// and /cancelevent told to yes and maybe only.
func TestOrganizerEventCommands(t *testing.T) {
	ctx := context.Background()
	var d *dispatch.Dispatcher
	h := bottest.New(t, bottest.BeforeStart(func(b *bot.Bot) { b.OnEnqueue(func() { d.Wake() }) }))
	startDispatcher(t, h, &d, dispatch.Config{Rate: 100, Workers: 2})
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: "organizer", Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	users := map[string]fakeapi.User{}
	for i, n := range []string{"Yes", "Maybe", "No", "Silent"} {
		phone := fmt.Sprintf("1380000000%d", i)
		h.Add(store.NewMember{Name: n, Phone: phone, Branch: "Town/Village", Lang: "en"})
		u := fakeapi.User{ID: int64(200 + i), FirstName: n, LanguageCode: "en"}
		h.Link(phone, u)
		users[n] = u
	}
	h.Add(store.NewMember{Name: "Member", Phone: "13700000000", Branch: "Town/Village"})
	h.St.EnsureBranch(context.Background(), "Elsewhere")

	if got := h.Say(org, "/newevent meeting | 2026-12-07 09:30 | Monthly meeting | Hall | branch:Elsewhere"); !strings.HasPrefix(got.Text, h.T(locales.En, "auth.branch_not_yours")) {
		t.Fatalf("out-of-scope event: %q", got.Text)
	}
	if got := h.Say(org, "/newevent party | 2026-12-07 09:30 | x"); !strings.HasPrefix(got.Text, "“party” is not a kind of event.") {
		t.Fatalf("bad kind: %q", got.Text)
	}
	got := h.Say(org, "/newevent meeting | 2026-12-07 09:30 | Monthly meeting | Hall | branch:Town/Village | cap=30 deadline=2026-12-06 18:00")
	var id uint
	if _, err := fmt.Sscanf(got.Text, "✅ Event %d", &id); err != nil || !strings.Contains(got.Text, "Members it was announced to: 4") {
		t.Fatalf("newevent: %q", got.Text)
	}
	cards := map[string]fakeapi.Message{}
	for n, u := range users {
		msgs, err := h.API.WaitMessages(waitCtx(t), u.ID, 1)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		cards[n] = msgs[0]
	}
	h.Press(users["Yes"], cards["Yes"], "✅ Going")
	h.Press(users["Maybe"], cards["Maybe"], "🤔 Maybe")
	h.Press(users["No"], cards["No"], "❌ Can't go")

	rep := h.Say(org, fmt.Sprintf("/attendees %d", id))
	for _, want := range []string{"✅ Going: 1 of 30 places", "Going: Yes", "Maybe: Maybe", "Can't go: No"} {
		if !strings.Contains(rep.Text, want) {
			t.Fatalf("attendees lacks %q:\n%s", want, rep.Text)
		}
	}
	if got := h.Say(org, fmt.Sprintf("/nudge %d", id)); !strings.Contains(got.Text, "yet: 1.\n") { // then who has not answered
		t.Fatalf("nudge: %q", got.Text)
	}
	msgs, err := h.API.WaitMessages(waitCtx(t), users["Silent"].ID, 2)
	if err != nil || !strings.HasPrefix(msgs[1].Text, "🙋 Will you come?") {
		t.Fatalf("nudge message: %v %v", msgs, err)
	}
	if got := h.Say(org, fmt.Sprintf("/editevent %d place Village hall, 2nd floor", id)); !strings.Contains(got.Text, "being told: 2.") {
		t.Fatalf("editevent: %q", got.Text)
	}
	// Cancelled at once, while the change notices may still be waiting:
	// those who said yes or maybe are told of both, in whatever order the
	// dispatcher sends them; nothing else about the event goes out.
	confirm := h.Say(org, fmt.Sprintf("/cancelevent %d", id))
	h.Press(org, confirm, h.T(locales.En, "cancelevent.button.yes"))
	if got := h.Message(org.ID, confirm.ID).Text; !strings.Contains(got, "being told: 2.") {
		t.Fatalf("cancelevent: %q", got)
	}
	member := func(n string) uint {
		m, _ := h.St.MemberByTelegramID(ctx, users[n].ID)
		return m.ID
	}
	for _, n := range []string{"Yes", "Maybe"} {
		for _, k := range []outbox.Kind{outbox.KindEventChanged, outbox.KindEventCancelled} {
			rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: k, MemberID: member(n)})
			if len(rows) != 1 || rows[0].Status == outbox.Skipped {
				t.Fatalf("%s's %s rows: %+v", n, k, rows)
			}
		}
		h.WaitFor(n+" told of the change and the cancellation", func() bool {
			changed, cancelled := false, false
			for _, m := range h.API.Messages(users[n].ID) {
				changed = changed || strings.HasPrefix(m.Text, "✏️ Changed") && strings.Contains(m.Text, "📍 Village hall, 2nd floor")
				cancelled = cancelled || strings.HasPrefix(m.Text, "❌ Cancelled")
			}
			return changed && cancelled
		})
	}
	// The member who said no is told nothing of it (their announcement is
	// only edited in place, issue 16 item 3); the silent one only got the
	// nudge besides.
	sentBesidesEdits := func(n string) []outbox.Row {
		rows, _ := h.St.Outbox(ctx, store.OutboxQuery{EventID: id, MemberID: member(n)})
		var out []outbox.Row
		for _, r := range rows {
			if r.Kind != string(outbox.KindEventEdit) {
				out = append(out, r)
			}
		}
		return out
	}
	if rows := sentBesidesEdits("No"); len(rows) != 1 || rows[0].Kind != string(outbox.KindEventAnnounce) || len(h.API.Messages(users["No"].ID)) != 1 {
		t.Fatalf("the member who said no: %+v", rows)
	}
	if rows := sentBesidesEdits("Silent"); len(rows) != 2 || rows[1].Kind != string(outbox.KindEventNudge) || len(h.API.Messages(users["Silent"].ID)) != 2 {
		t.Fatalf("the silent member: %+v", rows)
	}
	// Answers to a cancelled event are refused.
	ans := h.Press(users["No"], cards["No"], "✅ Going")
	if ans != h.T(locales.En, "rsvp.refused.closed") {
		t.Fatalf("answer to a cancelled event: %q", ans)
	}
	// A member cannot create events.
	m := fakeapi.User{ID: 999, FirstName: "M"}
	h.Link("13700000000", m)
	if got := h.Say(m, "/newevent meeting | 2026-12-07 09:30 | x"); got.Text != h.T(locales.ZhHans, "auth.organizers_only", "Command", "/newevent") {
		t.Fatalf("member /newevent: %q", got.Text)
	}
}

// TestCheckinOnBehalfAndRating: organizers check in members (with or
// without Telegram) with one tap each and answer for those without; the day
// after, those who came are asked how satisfied they were, and only they
// can answer.
func TestCheckinOnBehalfAndRating(t *testing.T) {
	h := bottest.New(t)
	ctx := context.Background()
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: "organizer", Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "Alice", Phone: "13800000001", Branch: "Town/Village", Lang: "en"})
	alice := fakeapi.User{ID: 901, FirstName: "Alice", LanguageCode: "en"}
	h.Link("13800000001", alice)
	h.Add(store.NewMember{Name: "Bob", Phone: "13800000003", Branch: "Town/Village", Lang: "en"})
	bob := fakeapi.User{ID: 903, FirstName: "Bob", LanguageCode: "en"}
	h.Link("13800000003", bob)
	h.Add(store.NewMember{Name: "Old Zhao", Phone: "13800000002", Branch: "Town/Village"}) // no Telegram

	got := h.Say(org, "/newevent activity_day | 2026-11-23 18:00 | Dance | Square | branch:Town/Village")
	var id uint
	if _, err := fmt.Sscanf(got.Text, "✅ Event %d", &id); err != nil {
		t.Fatalf("newevent: %q", got.Text)
	}
	occ := time.Date(2026, 11, 23, 18, 0, 0, 0, bottest.Shanghai)
	list := h.Say(org, fmt.Sprintf("/checkin %d", id))
	if !strings.Contains(list.Text, "Here: 0 of 3") || !bottest.Contains(bottest.InlineTexts(list), "⬜ Old Zhao") {
		t.Fatalf("check-in list %q %v\n%s", list.Text, bottest.InlineTexts(list), h.Logs.String())
	}
	h.Press(org, list, "⬜ Old Zhao")
	h.WaitFor("Old Zhao checked in", func() bool { return bottest.Contains(bottest.InlineTexts(h.Message(org.ID, list.ID)), "✅ Old Zhao") })
	h.Press(org, h.Message(org.ID, list.ID), "⬜ Alice")
	h.WaitFor("Alice checked in", func() bool { return strings.Contains(h.Message(org.ID, list.ID).Text, "Here: 2 of 3") })
	// A member cannot check anyone in, even with the right data.
	data := h.Message(org.ID, list.ID).Inline[0][0].CallbackData
	if ans := h.CallbackAnswer(h.API.SendCallback(alice, alice.ID, 0, data)); ans != h.T(locales.En, "auth.organizers_only_action") {
		t.Fatalf("member check-in: %q", ans)
	}
	// Answering for a member without Telegram.
	if got := h.Say(org, fmt.Sprintf("/rsvp %d maybe 13800000002", id)); got.Text != "Old Zhao's answer: 🤔 maybe" {
		t.Fatalf("on behalf: %q", got.Text)
	}
	zhao, _ := h.St.MemberByPhone(ctx, "13800000002")
	if r, _ := h.St.RSVPOf(ctx, id, occ, zhao.ID); r == nil || r.Answer != "maybe" || !r.CheckedIn {
		t.Fatalf("Old Zhao's row %+v", r)
	}

	// Before it is over, a forged rating finds no survey.
	rate := fmt.Sprintf("rt:%d:%d:4", id, occ.Unix()/60)
	if ans := h.CallbackAnswer(h.API.SendCallback(alice, alice.ID, 0, rate)); ans != h.T(locales.En, "survey.not_asked") {
		t.Fatalf("rating before the event: %q", ans)
	}
	// The day after: those who came are asked, Alice and Old Zhao; with no
	// SMS here, the question goes to Alice alone.
	h.SetNow(occ.Add(20 * time.Hour))
	c, err := (scheduler.EventSurveys{Store: h.St, Location: bottest.Shanghai}).Run(ctx, occ.Add(20*time.Hour))
	if err != nil || c["asked"] != 2 {
		t.Fatalf("day-after survey %v %v, want two asked (Alice, Old Zhao)", c, err)
	}
	sv, err := h.St.EventSurvey(ctx, id, occ)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSurveyAsk})
	aliceM, _ := h.St.MemberByPhone(ctx, "13800000001")
	if len(rows) != 1 || *rows[0].MemberID != aliceM.ID {
		t.Fatalf("survey questions %+v, want one to Alice (Old Zhao has no Telegram and there is no SMS)", rows)
	}
	if ans := h.CallbackAnswer(h.API.SendCallback(alice, alice.ID, 0, fmt.Sprintf("sv:%d:1.2:", sv.ID))); ans != h.T(locales.En, "survey.saved") {
		t.Fatalf("answer: %q", ans)
	}
	tally, err := h.St.SurveyTallyOf(ctx, sv)
	if err != nil || tally.Counts[1]["Town/Village"] == nil || tally.Counts[1]["Town/Village"][2] != 1 {
		t.Fatalf("tally %+v %v", tally, err)
	}
	if ans := h.CallbackAnswer(h.API.SendCallback(bob, bob.ID, 0, rate)); ans != h.T(locales.En, "survey.not_asked") {
		t.Fatalf("rating by someone who did not come: %q", ans)
	}
}

// TestNewEventDialog walks the guided dialog with buttons (and one typed
// step), checks a forged audience is refused, and that /cancel works at any
// step.
func TestNewEventDialog(t *testing.T) {
	var d *dispatch.Dispatcher
	h := bottest.New(t, bottest.BeforeStart(func(b *bot.Bot) { b.OnEnqueue(func() { d.Wake() }) }))
	startDispatcher(t, h, &d, dispatch.Config{Rate: 100, Workers: 2})
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: "organizer", Lang: "zh-Hant"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "zh-hant"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "A", Phone: "13800000001", Branch: "Town/Village", Lang: "en"})
	a := fakeapi.User{ID: 901, FirstName: "A", LanguageCode: "en"}
	h.Link("13800000001", a)
	other, _ := h.St.EnsureBranch(context.Background(), "Elsewhere")

	q := h.Say(org, "/newevent")
	if q.Text != h.T(locales.ZhHant, "ne.ask_what") {
		t.Fatalf("first step %q", q.Text)
	}
	// A title of one's own, then its kind.
	kind := h.Say(org, "月度例會")
	h.Press(org, kind, "🗓 會議")
	date := h.Nth(org.ID, 3)
	h.Press(org, date, "30") // 30 November, on this month's calendar
	tm := h.Nth(org.ID, 4)
	h.Press(org, tm, "09:30")
	h.Nth(org.ID, 5) // where?
	preview := h.Say(org, "村委會二樓")
	h.Press(org, preview, h.T(locales.ZhHant, "ne.change_audience"))
	aud := h.Nth(org.ID, 7)
	// A forged branch outside the organizer's scope is refused.
	if ans := h.CallbackAnswer(h.API.SendCallback(org, org.ID, aud.ID, fmt.Sprintf("ne:a:b:%d", other.ID))); ans != h.T(locales.ZhHant, "auth.branch_not_yours") {
		t.Fatalf("forged audience: %q", ans)
	}
	h.Press(org, aud, "Town/Village")
	preview = h.Nth(org.ID, 8)
	h.Press(org, preview, h.T(locales.ZhHant, "ne.change_capacity"))
	capacity := h.Nth(org.ID, 9)
	h.Press(org, capacity, "30")
	preview = h.Nth(org.ID, 10)
	if !strings.Contains(preview.Text, "月度例會") || !strings.Contains(preview.Text, "11月30日（週一） 09:30") || !strings.Contains(preview.Text, "名額：30") {
		t.Fatalf("preview %q", preview.Text)
	}
	h.Press(org, preview, "✅ 建立並通知")
	done := h.Nth(org.ID, 11)
	if !strings.HasPrefix(done.Text, "✅ 第 1 號活動「月度例會」") {
		t.Fatalf("created %q", done.Text)
	}
	msgs, err := h.API.WaitMessages(waitCtx(t), a.ID, 1)
	if err != nil || !strings.Contains(msgs[0].Text, "Monthly") && !strings.Contains(msgs[0].Text, "月度例會") {
		t.Fatalf("announcement %v %v", msgs, err)
	}
	e, _ := h.St.EventByID(context.Background(), 1)
	if e.Capacity != 30 || e.Location != "村委會二樓" || e.Audience != "branch:Town/Village" || e.Kind != "meeting" {
		t.Fatalf("event %+v", e)
	}
	// Cancel in the middle: nothing is created.
	h.Say(org, "/newevent")
	if got := h.Say(org, "/cancel"); got.Text != h.T(locales.ZhHant, "broadcast.cancelled") {
		t.Fatalf("cancel %q", got.Text)
	}
	if es, _ := h.St.AllEvents(context.Background()); len(es) != 1 {
		t.Fatalf("%d events after a cancelled dialog", len(es))
	}
}

// TestQuickTapsApplyInOrder: taps from one chat are handled in the order
// sent, so the last answer wins.
func TestQuickTapsApplyInOrder(t *testing.T) {
	h := bottest.New(t)
	ctx := context.Background()
	h.Add(store.NewMember{Name: "A", Phone: "13800000001", Branch: "Town", Lang: "en"})
	a := fakeapi.User{ID: 901, FirstName: "A", LanguageCode: "en"}
	h.Link("13800000001", a)
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := &models.Event{Kind: models.EventMeeting, Title: "M", StartAt: occ, Audience: "all", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	m, _ := h.St.MemberByTelegramID(ctx, a.ID)
	for round := 0; round < 5; round++ {
		var last string
		for _, code := range []string{"y", "n", "m", "y", "n", "y", "m"} {
			last = h.API.SendCallback(a, a.ID, 0, fmt.Sprintf("rv:%d:%d:%s", e.ID, occ.Unix()/60, code))
		}
		h.CallbackAnswer(last)
		if r, _ := h.St.RSVPOf(ctx, e.ID, occ, m.ID); r == nil || r.Answer != models.AnswerMaybe {
			t.Fatalf("round %d: final answer %+v, want the last tap (maybe)", round, r)
		}
		h.CallbackAnswer(h.API.SendCallback(a, a.ID, 0, fmt.Sprintf("rv:%d:%d:n", e.ID, occ.Unix()/60)))
	}
}
