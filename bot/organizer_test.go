package bot_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// inputs counts what an organizer sends: taps and typed messages.
type inputs struct {
	h *bottest.Harness
	u fakeapi.User
	n int
}

// say types (or taps a keyboard button) and returns the first reply.
func (in *inputs) say(text string) fakeapi.Message {
	in.n++
	return in.h.Say(in.u, text)
}

// tap presses an inline button and returns the next message the bot sends.
func (in *inputs) tap(msg fakeapi.Message, button string) fakeapi.Message {
	in.n++
	k := len(in.h.API.Messages(in.u.ID))
	in.h.Press(in.u, msg, button)
	return in.h.Nth(in.u.ID, k+1)
}

// TestOrganizerActionsFromTheEventCard: from the card of 📅 My events an
// organizer sees the answers, reminds the undecided, checks a member in
// and cancels the event, each in at most three inputs and without typing
// an event number; typed without a number, the commands offer the events
// as buttons.
func TestOrganizerActionsFromTheEventCard(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "Wang", Phone: "13800000001", Branch: "Town"})
	h.Link("13800000001", fakeapi.User{ID: 901, FirstName: "Wang"})
	today := &models.Event{Kind: models.EventMeeting, Title: "Branch meeting", Location: "Hall", StartAt: h.Clock().Add(4 * time.Hour),
		Audience: "branch:Town", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, today, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	en := func(key string) string { return h.T(locales.En, key) }

	card := func(in *inputs) fakeapi.Message {
		in.say(en("menu.my_events"))
		var c fakeapi.Message
		in.h.WaitFor("the card", func() bool {
			last, _ := in.h.API.Last(org.ID)
			c = last
			return bottest.Contains(bottest.InlineTexts(last), en("event.action.answers"))
		})
		return c
	}

	in := &inputs{h: h, u: org}
	answers := in.tap(card(in), en("event.action.answers"))
	if !strings.HasPrefix(answers.Text, "Branch meeting") || in.n > 3 {
		t.Fatalf("answers in %d inputs: %q", in.n, answers.Text)
	}

	in = &inputs{h: h, u: org}
	nudged := in.tap(card(in), en("event.action.nudge"))
	if !strings.HasPrefix(nudged.Text, "Reminder sent") || in.n > 3 {
		t.Fatalf("nudge in %d inputs: %q", in.n, nudged.Text)
	}

	// Again the same day: they were reminded already; once all answered,
	// nobody is left to remind.
	if again := h.Say(org, "/nudge 1"); !strings.HasPrefix(again.Text, h.T(locales.En, "nudge.already", "Title", "Branch meeting", "Count", 2)+"\n\n") {
		t.Fatalf("second nudge: %q", again.Text)
	}
	wangM, _ := h.St.MemberByPhone(ctx, "13800000001")
	orgM, _ := h.St.MemberByTelegramID(ctx, org.ID)
	for _, m := range []*models.Member{wangM, orgM} {
		if _, err := h.St.SetRSVP(ctx, today.ID, today.StartAt, m, models.AnswerYes, 0, bottest.Shanghai, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	if none := h.Say(org, "/nudge 1"); none.Text != h.T(locales.En, "nudge.nobody", "Title", "Branch meeting") {
		t.Fatalf("nobody to nudge: %q", none.Text)
	}

	in = &inputs{h: h, u: org}
	list := in.tap(card(in), en("event.action.checkin"))
	in.n++
	h.Press(org, list, "⬜ Wang")
	wang, _ := h.St.MemberByPhone(ctx, "13800000001")
	if came, _ := h.St.CheckedIn(ctx, today.ID, today.StartAt); !came[wang.ID] || in.n > 3 {
		t.Fatalf("check-in in %d inputs: %v", in.n, came)
	}

	// Typed without a number: the events as buttons.
	in = &inputs{h: h, u: org}
	picker := in.say("/attendees")
	report := in.tap(picker, h.API.Messages(org.ID)[len(h.API.Messages(org.ID))-1].Inline[0][0].Text)
	if !strings.HasPrefix(report.Text, "Branch meeting") || in.n > 3 {
		t.Fatalf("picker in %d inputs: %q", in.n, report.Text)
	}

	// A member's card has no organizer actions.
	member := fakeapi.User{ID: 901, FirstName: "Wang"}
	if got := bottest.InlineTexts(h.Say(member, "/events")); len(got) == 0 || bottest.Contains(got, h.T(locales.ZhHans, "event.action.answers")) || bottest.Contains(got, en("event.action.answers")) {
		t.Fatalf("a member's card has %v", got)
	}
	in = &inputs{h: h, u: org}
	confirm := in.tap(card(in), en("event.action.cancel"))
	in.n++
	h.Press(org, confirm, en("cancelevent.button.yes"))
	if e, _ := h.St.EventByID(ctx, today.ID); e.Status != models.EventCancelled || in.n > 3 {
		t.Fatalf("cancel in %d inputs: %+v", in.n, e)
	}
}

// TestUsualEventInSixInputs: a monthly meeting this month, at a place used
// before, for the organizer's own branch: /newevent, the suggested title,
// the day, the time, the place, ✅ Create — six inputs, nothing typed but
// the command. Another month is one ›, and typed dates work too.
func TestUsualEventInSixInputs(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "东城镇/李家村", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	orgM, _ := h.St.MemberByTelegramID(ctx, org.ID)
	earlier := &models.Event{Kind: models.EventMeeting, Title: "Old", Location: "Village hall", StartAt: h.Clock().Add(24 * time.Hour),
		Audience: "branch:东城镇/李家村", RSVP: true, CreatedBy: &orgM.ID}
	if _, err := h.St.CreateEvent(ctx, earlier, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	en := func(key string) string { return h.T(locales.En, key) }
	in := &inputs{h: h, u: org}
	what := in.say("/newevent")
	date := in.tap(what, "🗓 "+en("ne.suggest.meeting"))
	tm := in.tap(date, "30")
	place := in.tap(tm, "09:30")
	preview := in.tap(place, "📍 Village hall")
	if !strings.Contains(preview.Text, "东城镇/李家村") {
		t.Fatalf("the audience is not the organizer's branch: %q", preview.Text)
	}
	done := in.tap(preview, en("ne.create"))
	if !strings.HasPrefix(done.Text, "✅ Event") || in.n != 6 {
		t.Fatalf("created in %d inputs: %q", in.n, done.Text)
	}
	events, _ := h.St.AllEvents(ctx)
	e := events[len(events)-1]
	if e.Title != "Monthly meeting" || e.Kind != models.EventMeeting || e.Location != "Village hall" || e.Audience != "branch:东城镇/李家村" ||
		!e.StartAt.Equal(time.Date(2026, 11, 30, 9, 30, 0, 0, bottest.Shanghai)) {
		t.Fatalf("event %+v", e)
	}
	// Another month: › shows it; past days cannot be tapped.
	what = h.Say(org, "/newevent")
	h.Press(org, what, "🎉 "+en("ne.suggest.member_day"))
	var cal fakeapi.Message
	h.WaitFor("the calendar", func() bool {
		cal, _ = h.API.Last(org.ID)
		return bottest.Contains(bottest.InlineTexts(cal), "›")
	})
	if bottest.Contains(bottest.InlineTexts(cal), "22") {
		t.Fatalf("a past day can be tapped: %v", bottest.InlineTexts(cal))
	}
	h.Press(org, cal, "›")
	h.WaitFor("December", func() bool { return bottest.Contains(bottest.InlineTexts(h.Message(org.ID, cal.ID)), "31") })
}

// TestOrganizerKeyboard: an organizer's keyboard has 📢 Notice, 🆕 Event and
// 📋 Our events besides a member's keys; 📋 → an event → 👥 Answers is three
// taps; a member's keyboard has none of them.
func TestOrganizerKeyboard(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "Wang", Phone: "13800000001", Branch: "Town/Village", Lang: "en"})
	wang := fakeapi.User{ID: 901, FirstName: "Wang", LanguageCode: "en"}
	h.Link("13800000001", wang)
	e := &models.Event{Kind: models.EventMeeting, Title: "Village meeting", StartAt: h.Clock().Add(48 * time.Hour), Audience: "branch:Town/Village", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	en := func(key string) string { return h.T(locales.En, key) }
	keys := bottest.KeyboardTexts(h.Say(org, "/help"))
	for _, k := range []string{en("menu.notice"), en("menu.new_event"), en("menu.our_events"), en("menu.my_events")} {
		if !bottest.Contains(keys, k) {
			t.Fatalf("organizer keyboard %v lacks %q", keys, k)
		}
	}
	if keys := bottest.KeyboardTexts(h.Say(wang, "/help")); bottest.Contains(keys, en("menu.notice")) {
		t.Fatalf("a member's keyboard has %v", keys)
	}
	in := &inputs{h: h, u: org}
	picker := in.say(en("menu.our_events"))
	card := in.tap(picker, picker.Inline[0][0].Text)
	answers := in.tap(card, en("event.action.answers"))
	if !strings.HasPrefix(answers.Text, "Village meeting") || in.n != 3 {
		t.Fatalf("answers in %d taps: %q", in.n, answers.Text)
	}
	// A member typing an organizer's key is told it is for organizers.
	if got := h.Say(wang, en("menu.notice")).Text; got != h.T(locales.En, "auth.organizers_only", "Command", "/broadcast") {
		t.Fatalf("member tapping 📢: %q", got)
	}
}

// TestMemberCardAndLeaving: an organizer finds a member of their branch by
// phone or name, sees the card (with their checks), and marks them as left
// after a confirmation; an organizer of another branch neither sees nor
// marks them (the database is unchanged).
func TestMemberCardAndLeaving(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "Other", Phone: "13900000009", Branch: "Elsewhere", Role: models.RoleOrganizer, Lang: "en"})
	other := fakeapi.User{ID: 909, FirstName: "Other", LanguageCode: "en"}
	h.Link("13900000009", other)
	wang := h.Add(store.NewMember{Name: "Wang Fang", Phone: "13800000002", Branch: "Town/Village"})
	k, _ := h.St.PlanKindByKey(ctx, "annual_check")
	if _, err := h.St.AssignPlans(ctx, k, models.MembersAudience(wang.ID), nil, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	card := h.Say(org, "/member 138 0000 0002")
	if !strings.Contains(card.Text, "Wang Fang") || !strings.Contains(card.Text, "138 0000 0002") || !strings.Contains(card.Text, "Annual health check") {
		t.Fatalf("card: %q", card.Text)
	}
	if byName := h.Say(org, "/member wang"); byName.Text != card.Text {
		t.Fatalf("by name: %q", byName.Text)
	}
	rows := map[string]string{"members": protected["members"]}
	before := dump(t, h, rows)
	if got := h.Say(other, "/member 13800000002").Text; got != h.T(locales.En, "member.not_found", "Value", "13800000002") {
		t.Fatalf("another branch's organizer sees %q", got)
	}
	if id := h.API.SendCallback(other, other.ID, 0, fmt.Sprintf("mc:%d:y", wang.ID)); !refusedWithAlert(h.API, waitAnswer(h, id)) {
		t.Fatal("another branch's organizer was not refused")
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("a refused tap changed members")
	}
	n := len(h.API.Messages(org.ID))
	h.Press(org, card, h.T(locales.En, "member.button.leave"))
	confirm := h.Nth(org.ID, n+1)
	h.Press(org, confirm, h.T(locales.En, "member.button.leave_yes"))
	if m, _ := h.St.MemberByID(ctx, wang.ID); m.Status != models.StatusLeft {
		t.Fatalf("status %s", m.Status)
	}
}
