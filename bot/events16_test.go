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
		if n == 0 && records != en("records.none", "Quarter", "Q4 2026") {
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

// settleOutbox waits until the dispatcher has finished every row due.
func settleOutbox(t *testing.T, h *bottest.Harness) {
	t.Helper()
	h.WaitFor("the outbox to settle", func() bool {
		rows, err := h.St.Outbox(ctx, store.OutboxQuery{})
		if err != nil {
			return false
		}
		for _, r := range rows {
			if (r.Status == outbox.Pending || r.Status == outbox.Sending) && !r.NextAttemptAt.After(h.Clock().Add(time.Minute)) {
				return false
			}
		}
		return true
	})
}

// TestChangesReachEveryCopy (issue 16 item 3): after /editevent … time and
// /cancelevent, every announcement the bot sent is edited in place through
// the outbox (new time, fresh buttons, the member's answer kept); one that
// can no longer be edited (deleted by its member, or too old) is replaced
// by a short notice for those who have not answered; yes and maybe still
// get a notice of their own; those who said no are not disturbed.
func TestChangesReachEveryCopy(t *testing.T) {
	f := newEventsFixture(t, bottest.WithDispatcher(retrying))
	h := f.h
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	people := map[string]fakeapi.User{}
	ids := map[string]*models.Member{}
	for i, name := range []string{"Yes", "Maybe", "No", "Quiet", "Deleted", "Old", "NoDeleted", "YesDeleted"} {
		u := fakeapi.User{ID: int64(1000 + i), FirstName: name}
		phone := fmt.Sprintf("1370000%04d", i)
		ids[name] = h.Add(store.NewMember{Name: name, Phone: phone, Branch: "Town", Lang: "en"})
		h.Link(phone, u)
		people[name] = u
	}
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := f.event(t, &models.Event{Kind: models.EventMeeting, Title: "Monthly meeting", Location: "Hall", StartAt: occ, Audience: "branch:Town", RSVP: true})
	settleOutbox(t, h)
	announcement := map[string]fakeapi.Message{}
	for name, u := range people {
		announcement[name] = h.Nth(u.ID, 1)
	}
	// Yes answers on the announcement itself (it becomes the card).
	h.Press(people["Yes"], announcement["Yes"], en("rsvp.button.yes"))
	h.WaitFor("the card", func() bool { return h.Message(people["Yes"].ID, announcement["Yes"].ID).Edited == 1 })
	for name, a := range map[string]models.Answer{"Maybe": models.AnswerMaybe, "No": models.AnswerNo, "NoDeleted": models.AnswerNo, "YesDeleted": models.AnswerYes} {
		if _, err := h.St.SetRSVP(ctx, e.ID, occ, ids[name], a, 0, bottest.Shanghai, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"Deleted", "NoDeleted", "YesDeleted"} {
		if !h.API.UserDeletes(people[name].ID, announcement[name].ID) {
			t.Fatalf("no announcement to delete for %s", name)
		}
	}
	h.API.Uneditable(people["Old"].ID, announcement["Old"].ID)

	moved := time.Date(2026, 12, 8, 10, 0, 0, 0, bottest.Shanghai)
	reply := h.Say(f.org, fmt.Sprintf("/editevent %d time 2026-12-08 10:00", e.ID))
	if !strings.Contains(reply.Text, en("event.copies_updated", "Count", 10)) {
		t.Fatalf("/editevent: %q", reply.Text)
	}
	settleOutbox(t, h)
	dt := func(at time.Time) string { return h.Cat.DateTime(locales.En, at, bottest.Shanghai, h.Clock()) }
	newButton := models.Callback{Action: models.ActRSVP, Event: e.ID, Occ: moved, Op: "y"}.Encode()
	edited := func(name string) fakeapi.Message {
		t.Helper()
		m := h.Message(people[name].ID, announcement[name].ID)
		if !strings.Contains(m.Text, dt(moved)) || !strings.Contains(m.Text, dt(occ)) || m.Edited == 0 {
			t.Fatalf("%s's announcement was not edited to the new time: %q", name, m.Text)
		}
		if len(m.Inline) == 0 || m.Inline[0][0].CallbackData != newButton {
			t.Fatalf("%s's announcement kept the old buttons: %v", name, m.Inline)
		}
		return m
	}
	if m := edited("Yes"); !strings.HasSuffix(m.Text, en("rsvp.answer.yes")) {
		t.Fatalf("Yes's copy lost the answer: %q", m.Text)
	}
	edited("Maybe")
	edited("No")
	edited("Quiet")
	count := func(name string, want int) []fakeapi.Message {
		t.Helper()
		ms := h.API.Messages(people[name].ID)
		if len(ms) != want {
			t.Fatalf("%s has %d messages, want %d: %v", name, len(ms), want, ms)
		}
		return ms
	}
	// Yes and Maybe: a notice of their own besides; No and Quiet: nothing new.
	for _, name := range []string{"Yes", "Maybe"} {
		if ms := count(name, 2); !strings.HasPrefix(ms[1].Text, "✏️") {
			t.Fatalf("%s's change notice: %q", name, ms[1].Text)
		}
	}
	count("No", 1)
	count("Quiet", 1)
	// Deleted by an undecided member: a new short notice; too old: the old
	// one stays, and a notice beside it. Deleted by one who said no: nothing;
	// by one who said yes: only the change notice.
	if ms := count("Deleted", 1); !strings.Contains(ms[0].Text, dt(moved)) || len(ms[0].Inline) == 0 {
		t.Fatalf("Deleted's notice: %q %v", ms[0].Text, ms[0].Inline)
	}
	if ms := count("Old", 2); ms[0].Edited != 0 || !strings.Contains(ms[1].Text, dt(moved)) {
		t.Fatalf("Old's messages: %v", ms)
	}
	count("NoDeleted", 0)
	count("YesDeleted", 1)
	edits, err := h.St.Outbox(ctx, store.OutboxQuery{Kind: "event.edit", EventID: e.ID})
	if err != nil {
		t.Fatal(err)
	}
	fates := map[string]string{}
	for _, o := range edits {
		for name, m := range ids {
			if o.MemberID != nil && *o.MemberID == m.ID {
				fate := string(o.Status) + " " + string(o.Reason)
				if o.Status == outbox.Sent && o.TelegramMessageID != o.EditMessageID {
					fate += "anew"
				}
				fates[name] = fate
			}
		}
	}
	want := map[string]string{"Yes": "sent ", "Maybe": "sent ", "No": "sent ", "Quiet": "sent ", "Deleted": "sent anew", "Old": "sent anew",
		"NoDeleted": "skipped uneditable", "YesDeleted": "skipped uneditable"}
	if fmt.Sprint(fates) != fmt.Sprint(want) {
		t.Fatalf("edit rows: %v\nwant %v", fates, want)
	}

	// Cancelled: every copy says so, without buttons; nobody undecided
	// gets a new message, those who said no are not disturbed, yes and
	// maybe are told.
	confirm := h.Say(f.org, fmt.Sprintf("/cancelevent %d", e.ID))
	h.Press(f.org, confirm, en("cancelevent.button.yes"))
	settleOutbox(t, h)
	for _, name := range []string{"Yes", "Maybe", "No", "Quiet"} {
		if m := h.Message(people[name].ID, announcement[name].ID); !strings.HasPrefix(m.Text, "❌") || len(m.Inline) != 0 {
			t.Fatalf("%s's announcement after the cancellation: %q %v", name, m.Text, m.Inline)
		}
	}
	for name, n := range map[string]int{"Yes": 3, "Maybe": 3, "No": 1, "Quiet": 1, "Deleted": 1, "Old": 2, "NoDeleted": 0, "YesDeleted": 2} {
		ms := count(name, n)
		if name == "Deleted" || name == "Old" {
			if last := ms[len(ms)-1]; !strings.HasPrefix(last.Text, "❌") || len(last.Inline) != 0 {
				t.Fatalf("%s's notice after the cancellation: %q", name, last.Text)
			}
		}
	}
}

// TestUnreadableWaitingRowFailsOnChange (issue 16 item 14): a waiting
// message of an event whose stored arguments do not decode cannot be given
// the event's new details; it fails (logged, and the organizer is told)
// instead of going out later with the old ones.
func TestUnreadableWaitingRowFailsOnChange(t *testing.T) {
	f := newEventsFixture(t) // no dispatcher: the announcements wait
	h := f.h
	e := f.event(t, &models.Event{Kind: models.EventMeeting, Title: "Monthly meeting", Location: "Hall", StartAt: time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai),
		Audience: "branch:Town", RSVP: true})
	rows, err := h.St.Outbox(ctx, store.OutboxQuery{EventID: e.ID, Kind: "event.announce"})
	if err != nil || len(rows) != 2 {
		t.Fatalf("announcements %v %v", rows, err)
	}
	bad, good := rows[0], rows[1]
	if err := storetest.Exec(ctx, h.DSN, "UPDATE outboxes SET args = ? WHERE id = ?", `{"s":{"Location":`, bad.ID); err != nil {
		t.Fatal(err)
	}
	reply := h.Say(f.org, fmt.Sprintf("/editevent %d place Town office", e.ID))
	if !strings.Contains(reply.Text, h.T(locales.En, "event.rows_failed", "Count", 1)) {
		t.Fatalf("/editevent: %q", reply.Text)
	}
	if o, _ := h.St.OutboxByID(ctx, bad.ID); o.Status != outbox.Failed || o.Reason != outbox.ReasonBadRequest || !strings.Contains(o.LastError, "do not decode") {
		t.Fatalf("the unreadable row: %s %s %q", o.Status, o.Reason, o.LastError)
	}
	if o, _ := h.St.OutboxByID(ctx, good.ID); o.Status != outbox.Pending || !strings.Contains(o.Args, "Town office") {
		t.Fatalf("the readable row: %s %s", o.Status, o.Args)
	}
	if !strings.Contains(h.Logs.String(), fmt.Sprintf("outbox_ids=[%d]", bad.ID)) {
		t.Fatalf("not logged:\n%s", h.Logs.String())
	}
}

// TestGuestsAndTypedAnswers (issue 16 item 13): a guest can be taken away
// (➖); ✅ after +3 says that the guests are kept; ➕ and ➖ go after ❌; a
// fourth ➕ is answered why; 参加 or 不去 typed outside a dialog answers the
// member's one coming event, or offers the events when there are several.
func TestGuestsAndTypedAnswers(t *testing.T) {
	f := newEventsFixture(t)
	h := f.h
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	occ := time.Date(2026, 12, 5, 14, 0, 0, 0, bottest.Shanghai)
	e := f.event(t, &models.Event{Kind: models.EventActivityDay, Title: "Walk", StartAt: occ, Audience: "branch:Town/East", RSVP: true, AllowGuests: true})
	answer := func() *models.RSVP {
		t.Helper()
		r, err := h.St.RSVPOf(ctx, e.ID, occ, f.wangM.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	card := h.Say(f.wang, fmt.Sprintf("/event %d", e.ID))
	more := en("rsvp.button.guest")
	fewer := en("rsvp.button.guest_less")
	if got := bottest.InlineTexts(card); !bottest.Contains(got, more) || bottest.Contains(got, fewer) {
		t.Fatalf("a card without an answer: %v", got)
	}
	moreData := card.Inline[1][0].CallbackData
	for i := 1; i <= 3; i++ {
		h.Press(f.wang, h.Message(f.wang.ID, card.ID), more)
		if r := answer(); r == nil || r.Guests != i {
			t.Fatalf("after ➕ %d: %+v", i, r)
		}
	}
	h.WaitFor("the card with three guests", func() bool {
		return strings.HasSuffix(h.Message(f.wang.ID, card.ID).Text, en("rsvp.answer.yes_guests", "Guests", 3))
	})
	if got := bottest.InlineTexts(h.Message(f.wang.ID, card.ID)); bottest.Contains(got, more) || !bottest.Contains(got, fewer) {
		t.Fatalf("a card with three guests: %v", got)
	}
	// A fourth ➕ (an older card's button) is answered why.
	if ans := h.CallbackAnswer(h.API.SendCallback(f.wang, f.wang.ID, card.ID, moreData)); ans != en("rsvp.refused.max_guests", "Max", 3) {
		t.Fatalf("a fourth guest: %q", ans)
	}
	// ✅ again keeps them, and says so.
	if ans := h.Press(f.wang, h.Message(f.wang.ID, card.ID), en("rsvp.button.yes")); ans != en("rsvp.kept_guests", "Guests", 3) {
		t.Fatalf("✅ after +3: %q", ans)
	}
	h.Press(f.wang, h.Message(f.wang.ID, card.ID), fewer)
	if r := answer(); r.Answer != models.AnswerYes || r.Guests != 2 {
		t.Fatalf("after ➖: %+v", r)
	}
	h.Press(f.wang, h.Message(f.wang.ID, card.ID), en("rsvp.button.no"))
	h.WaitFor("the card after ❌", func() bool { return strings.HasSuffix(h.Message(f.wang.ID, card.ID).Text, en("rsvp.answer.no")) })
	if got := bottest.InlineTexts(h.Message(f.wang.ID, card.ID)); bottest.Contains(got, more) || bottest.Contains(got, fewer) {
		t.Fatalf("a card after ❌: %v", got)
	}
	lessData := models.Callback{Action: models.ActRSVP, Event: e.ID, Occ: occ, Op: "r"}.Encode()
	if ans := h.CallbackAnswer(h.API.SendCallback(f.wang, f.wang.ID, card.ID, lessData)); ans != en("rsvp.refused.no_guest") {
		t.Fatalf("➖ after ❌: %q", ans)
	}
	if r := answer(); r.Answer != models.AnswerNo || r.Guests != 0 {
		t.Fatalf("after a refused ➖: %+v", r)
	}

	// Typed: the one coming event is answered.
	got := h.Say(f.wang, "参加")
	if !strings.HasPrefix(got.Text, en("rsvp.answer.yes")+"\n\n") || !strings.Contains(got.Text, "Walk") {
		t.Fatalf("参加 with one event: %q", got.Text)
	}
	if r := answer(); r.Answer != models.AnswerYes {
		t.Fatalf("after 参加: %+v", r)
	}
	// With two, they are offered; a tap answers the one chosen.
	occ2 := time.Date(2026, 12, 12, 14, 0, 0, 0, bottest.Shanghai)
	e2 := f.event(t, &models.Event{Kind: models.EventMeeting, Title: "Meeting", StartAt: occ2, Audience: "branch:Town/East", RSVP: true})
	pick := h.Say(f.wang, "不去")
	if pick.Text != en("rsvp.typed_pick", "Answer", en("rsvp.button.no"), "Count", 2) || len(pick.Inline) != 2 {
		t.Fatalf("不去 with two events: %q %v", pick.Text, bottest.InlineTexts(pick))
	}
	if r := answer(); r.Answer != models.AnswerYes {
		t.Fatalf("offering the events changed an answer: %+v", r)
	}
	h.Press(f.wang, pick, pick.Inline[1][0].Text)
	if r, _ := h.St.RSVPOf(ctx, e2.ID, occ2, f.wangM.ID); r == nil || r.Answer != models.AnswerNo {
		t.Fatalf("the meeting's answer: %+v", r)
	}
	if r := answer(); r.Answer != models.AnswerYes {
		t.Fatalf("the walk's answer changed: %+v", r)
	}
	// Nothing to answer: said so (the organizer is not in Town/East).
	if got := h.Say(f.org, "参加"); got.Text != en("rsvp.typed_none") {
		t.Fatalf("参加 with no event: %q", got.Text)
	}
}

// TestAnswersNameThoseWhoHaveNotAnswered (issue 16 item 7): 👥 Answers and
// 📣 nudge name the members who have not answered (📵: the bot cannot
// remind them), a tap on a name opens the member's card, and a long list
// keeps within Telegram's limits (4096 characters, 100 buttons).
func TestAnswersNameThoseWhoHaveNotAnswered(t *testing.T) {
	f := newEventsFixture(t)
	h := f.h
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	h.Add(store.NewMember{Name: "An Zhao", Phone: "13700000001", Branch: "Town/East", Lang: "en"}) // no Telegram
	li := fakeapi.User{ID: 902, FirstName: "Li"}
	h.Add(store.NewMember{Name: "Li", Phone: "13700000002", Branch: "Town/East", Lang: "en"})
	h.Link("13700000002", li)
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := f.event(t, &models.Event{Kind: models.EventMeeting, Title: "Meeting", StartAt: occ, Audience: "branch:Town/East", RSVP: true})
	if _, err := h.St.SetRSVP(ctx, e.ID, occ, f.wangM, models.AnswerYes, 0, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	answers := h.Say(f.org, fmt.Sprintf("/attendees %d", e.ID))
	want := en("answers.unanswered", "Count", 2, "Names", "An Zhao 📵"+en("list.separator")+"Li")
	if !strings.Contains(answers.Text, want) || !strings.Contains(answers.Text, en("answers.unreached")) {
		t.Fatalf("👥 Answers:\n%s\nwant a line %q", answers.Text, want)
	}
	if got := bottest.InlineTexts(answers); fmt.Sprint(got) != "[An Zhao 📵 Li]" {
		t.Fatalf("the names' buttons: %v", got)
	}
	n := len(h.API.Messages(f.org.ID))
	h.Press(f.org, answers, "An Zhao 📵")
	if card := h.Nth(f.org.ID, n+1); !strings.HasPrefix(card.Text, "👤 An Zhao\n") {
		t.Fatalf("the member card: %q", card.Text)
	}
	nudged := h.Say(f.org, fmt.Sprintf("/nudge %d", e.ID))
	if !strings.HasPrefix(nudged.Text, en("nudge.done", "Title", "Meeting", "Count", 1)+"\n\n"+want) {
		t.Fatalf("📣 nudge:\n%s", nudged.Text)
	}
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: "event.nudge", EventID: e.ID}); len(rows) != 1 {
		t.Fatalf("nudges: %d, want 1 (Li)", len(rows))
	}

	// Three hundred more members, none on Telegram: the text and the
	// buttons stay within Telegram's limits, and say how many are left out.
	for i := 0; i < 300; i++ {
		h.Add(store.NewMember{Name: fmt.Sprintf("Member %03d with a long name", i), Phone: fmt.Sprintf("1360000%04d", i), Branch: "Town/East"})
	}
	long := h.Say(f.org, fmt.Sprintf("/attendees %d", e.ID))
	buttons := 0
	for _, r := range long.Inline {
		buttons += len(r)
	}
	if buttons != 40 || len([]rune(long.Text)) > 4000 || !strings.Contains(long.Text, en("answers.unanswered", "Count", 302, "Names", "An Zhao 📵")[:40]) ||
		!strings.Contains(long.Text, en("answers.tap_card", "Count", 40, "More", 262)) {
		t.Fatalf("%d buttons, %d characters:\n%s", buttons, len([]rune(long.Text)), long.Text)
	}
	if !strings.Contains(long.Text, "more") {
		t.Fatalf("the names left out are not counted:\n%s", long.Text)
	}
}
