package bot_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// smsHarness is a bot with Telegram and SMS, the SMS templates set for
// the kinds listed.
func smsHarness(t *testing.T, sms dispatch.SMSConfig, kinds ...string) *bottest.Harness {
	t.Helper()
	h := bottest.New(t, bottest.WithDispatcher(retrying), bottest.WithSMS(sms))
	for i, k := range kinds {
		if err := h.St.SetSMSTemplate(ctx, k, "", string(rune('A'+i))+"100", ""); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// rowOf is the only row of kind to the member (the test fails on more).
func rowOf(t *testing.T, h *bottest.Harness, q store.OutboxQuery) outbox.Row {
	t.Helper()
	rows, err := h.St.Outbox(ctx, q)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%+v: %d rows (%v), want one", q, len(rows), err)
	}
	return rows[0]
}

// waitSent waits for the only row of q to be final.
func waitFinal(t *testing.T, h *bottest.Harness, q store.OutboxQuery) outbox.Row {
	t.Helper()
	var row outbox.Row
	h.WaitFor("the row of "+string(q.Kind)+" to be final", func() bool {
		rows, _ := h.St.Outbox(ctx, q)
		if len(rows) == 1 && rows[0].Status.Final() {
			row = rows[0]
			return true
		}
		return false
	})
	return row
}

func smsCallback(t *testing.T, h *bottest.Harness, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
}

// TestOneMessageOneChannel: a notice to a branch goes once to each member,
// by Telegram to the linked and by SMS to one who is not; a member who
// blocks the bot (403 on a send, or Telegram's my_chat_member) gets the
// next message by SMS and not by Telegram; a reply "1" answers the event,
// a repeated callback changes nothing, words go to the organizer, TD stops
// SMS for good; a kind without a template is counted and not sent.
func TestOneMessageOneChannel(t *testing.T) {
	h := smsHarness(t, dispatch.SMSConfig{}, "broadcast", "event.announce", "sms.ack", "inquiry.answer")
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	wang := fakeapi.User{ID: 901, FirstName: "Wang", LanguageCode: "en"}
	li := fakeapi.User{ID: 903, FirstName: "Li", LanguageCode: "en"}
	chen := fakeapi.User{ID: 904, FirstName: "Chen", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "Wang", Phone: "13800000002", Branch: "Town", Lang: "en"})
	h.Link("13800000002", wang)
	zhao := h.Add(store.NewMember{Name: "赵大爷", Phone: "13800000005", Branch: "Town"})
	h.Add(store.NewMember{Name: "Li", Phone: "13800000003", Branch: "Town", Lang: "en"})
	h.Link("13800000003", li)
	h.Add(store.NewMember{Name: "Chen", Phone: "13800000004", Branch: "Town", Lang: "en"})
	h.Link("13800000004", chen)

	// The organizer's preview says how it will go.
	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := h.Say(org, "Water is off tomorrow")
	if want := h.T(locales.En, "broadcast.channels", "Telegram", 4, "SMS", 1, "NoTemplate", 0, "Nobody", 0); !strings.Contains(preview.Text, want) {
		t.Fatalf("preview %q, want %q in it", preview.Text, want)
	}
	h.Press(org, preview, "✅ Send now")
	h.WaitFor("the report", func() bool {
		last, _ := h.API.Last(org.ID)
		return strings.HasPrefix(last.Text, "✅ Broadcast finished")
	})
	want := h.T(locales.En, "broadcast.report", "Total", 5, "Delivered", 5, "Blocked", 0, "Failed", 0, "BySMS", 1, "NoTemplate", 0)
	if last, _ := h.API.Last(org.ID); last.Text != want || !strings.Contains(want, "by SMS: 1") {
		t.Fatalf("report %q, want %q", last.Text, want)
	}
	rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindBroadcast})
	if len(rows) != 5 {
		t.Fatalf("%d notice rows, want one per member", len(rows))
	}
	zrow := rowOf(t, h, store.OutboxQuery{Kind: outbox.KindBroadcast, MemberID: zhao.ID})
	if zrow.Channel != outbox.BySMS || zrow.Status != outbox.Sent || zrow.ProviderMessageID == "" || zrow.Delivery != outbox.DeliverySent {
		t.Fatalf("赵大爷's row %+v", zrow)
	}
	got := h.SMS.To("+8613800000005")
	if len(got) != 1 || got[0].Template != "A100" || got[0].Params[1] != "Water is off tomorrow" || got[0].Params[0] != "Town" {
		t.Fatalf("赵大爷's SMS %+v", got)
	}
	if len(h.SMS.Sent()) != 1 {
		t.Fatalf("SMS to the linked members too: %+v", h.SMS.Sent())
	}

	// The delivery report, twice: recorded once.
	status := h.SMSCallbacks + "/status?key=" + h.SMSKey
	smsCallback(t, h, fakesms.Report(http.DefaultClient, status, got[0], true))
	zrow = rowOf(t, h, store.OutboxQuery{Kind: outbox.KindBroadcast, MemberID: zhao.ID})
	if zrow.Delivery != outbox.DeliveryDelivered || zrow.DeliveredAt == nil {
		t.Fatalf("after the report: %+v", zrow)
	}
	at := *zrow.DeliveredAt
	smsCallback(t, h, fakesms.Report(http.DefaultClient, status, got[0], false))
	if again := rowOf(t, h, store.OutboxQuery{Kind: outbox.KindBroadcast, MemberID: zhao.ID}); again.Delivery != outbox.DeliveryDelivered || !again.DeliveredAt.Equal(at) {
		t.Fatalf("a repeated report changed the row: %+v", again)
	}
	// A callback without the key changes nothing either.
	if resp, err := http.Post(h.SMSCallbacks+"/reply?key=wrong", "application/json", strings.NewReader(`{"mobile":"13800000005","nationcode":"86","text":"TD","time":1}`)); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a callback with a wrong key: %v %v", resp, err)
	}

	// Li blocks the bot unseen (a send answers 403); Chen blocks it and
	// Telegram says so (my_chat_member).
	h.API.Block(li.ID)
	h.API.UserBlocks(chen)
	h.WaitFor("Chen unreachable", func() bool {
		m, _ := h.St.MemberByPhone(ctx, "13800000004")
		return m.Status == models.StatusUnreachable
	})
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := &models.Event{Kind: models.EventMeeting, Title: "Meeting", Location: "Hall", StartAt: occ, Audience: "branch:Town", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	for _, phone := range []string{"13800000003", "13800000004", "13800000005"} {
		m, _ := h.St.MemberByPhone(ctx, phone)
		row := waitFinal(t, h, store.OutboxQuery{Kind: outbox.KindEventAnnounce, MemberID: m.ID})
		if row.Channel != outbox.BySMS || row.Status != outbox.Sent {
			t.Fatalf("%s's announcement %+v, want sent by SMS", m.Name, row)
		}
		if n := len(h.SMS.To("+86" + phone)); n == 0 {
			t.Fatalf("%s got no SMS", m.Name)
		}
	}
	for _, u := range []fakeapi.User{li, chen} {
		for _, m := range h.API.Messages(u.ID) {
			if strings.Contains(m.Text, "Meeting") {
				t.Fatalf("%s got the announcement by Telegram too: %q", u.FirstName, m.Text)
			}
		}
	}
	if n := len(h.SMS.To("+8613800000003")) + len(h.SMS.To("+8613800000004")); n != 2 {
		t.Fatalf("Li and Chen got %d SMS, want one each", n)
	}

	// 赵大爷 answers "1": going, stored; the same callback again changes
	// nothing.
	reply := h.SMSCallbacks + "/reply?key=" + h.SMSKey
	sentAt := time.Now()
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", "1", sentAt))
	r, err := h.St.RSVPOf(ctx, e.ID, occ, zhao.ID)
	if err != nil || r == nil || r.Answer != models.AnswerYes {
		t.Fatalf("赵大爷's answer %+v %v", r, err)
	}
	ack := waitFinal(t, h, store.OutboxQuery{Kind: outbox.KindSMSAck, MemberID: zhao.ID})
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", "1", sentAt))
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSMSAck}); len(rows) != 1 || rows[0].ID != ack.ID {
		t.Fatalf("a repeated reply: %d acks", len(rows))
	}
	// "2" later: not going.
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", "2", sentAt.Add(time.Minute)))
	if r, _ := h.St.RSVPOf(ctx, e.ID, occ, zhao.ID); r.Answer != models.AnswerNo {
		t.Fatalf("after 2: %+v", r)
	}

	// Words are a question to the organizer, with his number; the answer
	// goes back by SMS.
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", "请问孕前检查在哪里做？", sentAt.Add(2*time.Minute)))
	var asked fakeapi.Message
	h.WaitFor("the organizer to get the question", func() bool {
		asked, _ = h.API.Last(org.ID)
		return strings.Contains(asked.Text, "请问孕前检查在哪里做？") && strings.Contains(asked.Text, "赵大爷 📱138 0000 0005")
	})
	h.Press(org, asked, h.T(locales.En, "inquiry.button.reply", "Name", "赵大爷"))
	if got := h.Say(org, "At the town clinic, 2nd floor."); got.Text != h.T(locales.En, "inquiry.answer_sent_sms", "Name", "赵大爷") {
		t.Fatalf("the answer: %q", got.Text)
	}
	h.WaitFor("赵大爷's answer by SMS", func() bool {
		for _, m := range h.SMS.To("+8613800000005") {
			if m.Template == "D100" && strings.Join(m.Params, "|") == "Town|At the town clinic, 2nd floor." {
				return true
			}
		}
		return false
	})

	// TD: no more SMS, for good.
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", "TD", sentAt.Add(3*time.Minute)))
	if m, _ := h.St.MemberByID(ctx, zhao.ID); !m.SMSStopped() || m.SMSStopReason != "td" {
		t.Fatalf("after TD: %+v", m)
	}
	b2, err := h.St.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.BranchAudience("Town"), Text: "Second notice", SendAt: h.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{BroadcastID: b2.ID, MemberID: zhao.ID}); len(rows) != 0 {
		t.Fatalf("赵大爷 stopped SMS and still has %+v", rows)
	}
	// What was on its way to 赵大爷 before TD is out before counting.
	h.WaitFor("赵大爷's messages settled", func() bool {
		rows, err := h.St.Outbox(ctx, store.OutboxQuery{MemberID: zhao.ID})
		if err != nil {
			return false
		}
		for _, r := range rows {
			if r.Status == outbox.Pending || r.Status == outbox.Sending {
				return false
			}
		}
		return true
	})
	before := len(h.SMS.To("+8613800000005"))

	// A kind without a template (a cancellation, to those going): counted,
	// not sent.
	for _, phone := range []string{"13800000003", "13800000004"} {
		m, _ := h.St.MemberByPhone(ctx, phone)
		if _, err := h.St.SetRSVP(ctx, e.ID, occ, m, models.AnswerYes, 0, bottest.Shanghai, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.St.CancelEvent(ctx, e.ID, h.Clock()); err != nil {
		t.Fatal(err)
	}
	m, _ := h.St.MemberByPhone(ctx, "13800000003")
	chenM, _ := h.St.MemberByPhone(ctx, "13800000004")
	waitFinal(t, h, store.OutboxQuery{Kind: outbox.KindEventCancelled, MemberID: chenM.ID})
	row := waitFinal(t, h, store.OutboxQuery{Kind: outbox.KindEventCancelled, MemberID: m.ID})
	if row.Status != outbox.Skipped || row.Reason != outbox.ReasonNoTemplate || row.Channel != outbox.BySMS {
		t.Fatalf("Li's cancellation without a template: %+v", row)
	}
	if n := testutil.ToFloat64(h.DispatchMetrics.SMS.WithLabelValues(string(outbox.KindEventCancelled), "no_template")); n != 2 {
		t.Fatalf("no_template counted %v times, want 2 (Li and Chen)", n)
	}
	if after := len(h.SMS.To("+8613800000005")); after != before {
		t.Fatal("an SMS went to 赵大爷 after TD")
	}
}

// TestSMSMonthlyCap: with a cap of 5, seven members without Telegram: five
// SMS go, two are skipped; the admins are told once at 80 % and once at
// the cap; a cancellation passes the cap.
func TestSMSMonthlyCap(t *testing.T) {
	h := smsHarness(t, dispatch.SMSConfig{Monthly: 5}, "broadcast", "event.cancelled")
	admin := fakeapi.User{ID: 950, FirstName: "Admin", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Admin", Phone: "13900000001", Role: models.RoleAdmin, Lang: "en"})
	h.Link("13900000001", admin)
	for i := range 7 {
		h.Add(store.NewMember{Name: "M" + string(rune('A'+i)), Phone: "1380000001" + string(rune('0'+i)), Branch: "Town"})
	}
	b, err := h.St.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.BranchAudience("Town"), Text: "Notice", SendAt: h.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	h.WaitFor("the notices", func() bool {
		tally, _ := h.St.OutboxTally(ctx, store.OutboxQuery{BroadcastID: b.ID, Kind: outbox.KindBroadcast})
		return tally.Final() == 7
	})
	tally, _ := h.St.OutboxTally(ctx, store.OutboxQuery{BroadcastID: b.ID, Kind: outbox.KindBroadcast})
	if tally.Status(outbox.Sent) != 5 || tally[outbox.Skipped][outbox.ReasonSMSCap] != 2 || len(h.SMS.Sent()) != 5 {
		t.Fatalf("with a cap of 5: %v, %d SMS", tally, len(h.SMS.Sent()))
	}
	h.WaitFor("the admin's two alerts", func() bool { return len(h.API.Messages(admin.ID)) >= 2 })
	near := h.T(locales.En, "sms.alert.near_cap", "Used", 4, "Cap", 5, "Month", "2026-11")
	capped := h.T(locales.En, "sms.alert.cap", "Used", 5, "Cap", 5, "Month", "2026-11")
	var texts []string
	for _, m := range h.API.Messages(admin.ID) {
		texts = append(texts, m.Text)
	}
	// Two workers may take the 4th and 5th SMS at once: either alert may
	// come first.
	slices.Sort(texts)
	want := []string{near, capped}
	slices.Sort(want)
	if !slices.Equal(texts, want) {
		t.Fatalf("the admin was told %q, want once each:\n%q\n%q", texts, near, capped)
	}
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSMSAlert}); len(rows) != 2 {
		t.Fatalf("%d alert rows, want 2", len(rows))
	}
	// A cancellation passes the cap.
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := &models.Event{Kind: models.EventMeeting, Title: "Meeting", StartAt: occ, Audience: "branch:Town", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the announcements, skipped at the cap", func() bool {
		tally, _ := h.St.OutboxTally(ctx, store.OutboxQuery{EventID: e.ID, Kind: outbox.KindEventAnnounce})
		return tally.Final() == 7
	})
	// All seven said they would come (an organizer answered for them).
	for i := range 7 {
		m, _ := h.St.MemberByPhone(ctx, "1380000001"+string(rune('0'+i)))
		if _, err := h.St.SetRSVP(ctx, e.ID, occ, m, models.AnswerYes, 0, bottest.Shanghai, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.St.CancelEvent(ctx, e.ID, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	h.WaitFor("the cancellations", func() bool {
		tally, _ := h.St.OutboxTally(ctx, store.OutboxQuery{EventID: e.ID, Kind: outbox.KindEventCancelled})
		return tally.Status(outbox.Sent) == 7
	})
	if len(h.SMS.Sent()) != 12 {
		t.Fatalf("%d SMS, want 5 notices and 7 cancellations", len(h.SMS.Sent()))
	}
	if n := len(h.API.Messages(admin.ID)); n != 2 {
		t.Fatalf("the admin was told %d times", n)
	}
}

// TestMemberCardSetsTheChannel: an organizer sees how messages reach a
// member on the card and sets it with a tap (SMS, consent to health
// reminders by SMS, resuming SMS the member stopped); an organizer of
// another branch's forged taps change nothing.
func TestMemberCardSetsTheChannel(t *testing.T) {
	h := smsHarness(t, dispatch.SMSConfig{})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	other := fakeapi.User{ID: 910, FirstName: "Other", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "Other", Phone: "13800000009", Branch: "Elsewhere", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13800000009", other)
	zhao := h.Add(store.NewMember{Name: "Zhao", Phone: "13800000005", Branch: "Town"})
	if err := h.St.StopSMS(ctx, zhao.ID, "td", h.Clock()); err != nil {
		t.Fatal(err)
	}
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	card := h.Say(org, "/member 13800000005")
	if !strings.Contains(card.Text, en("member.channel", "Channel", en("member.channel.auto"), "Health", en("export.no"))) ||
		!strings.Contains(card.Text, en("member.sms_stop_reason.td")) {
		t.Fatalf("the card:\n%s", card.Text)
	}
	// The other branch's organizer forges the taps: refused, nothing stored.
	for _, op := range []string{"cs", "h1", "r"} {
		data := models.Callback{Action: models.ActMemberCard, ID: zhao.ID, Op: op}.Encode()
		id := h.API.SendCallback(other, other.ID, 1, data)
		if got := h.CallbackAnswer(id); got != en("auth.not_your_branch") {
			t.Fatalf("%s by another branch's organizer: %q", op, got)
		}
	}
	if m, _ := h.St.MemberByID(ctx, zhao.ID); m.Channel != models.ChannelAuto || m.SMSHealth || !m.SMSStopped() {
		t.Fatalf("forged taps changed %+v", m)
	}
	h.Press(org, card, en("member.channel.sms"))
	h.WaitFor("the card shows the channel", func() bool {
		return bottest.Contains(bottest.InlineTexts(h.Message(org.ID, card.ID)), "✓ "+en("member.channel.sms"))
	})
	h.Press(org, h.Message(org.ID, card.ID), en("member.button.sms_health_on"))
	h.WaitFor("the card shows the consent", func() bool {
		return bottest.Contains(bottest.InlineTexts(h.Message(org.ID, card.ID)), en("member.button.sms_health_off"))
	})
	h.Press(org, h.Message(org.ID, card.ID), en("member.button.sms_resume"))
	m, _ := h.St.MemberByID(ctx, zhao.ID)
	if m.Channel != models.ChannelSMS || !m.SMSHealth || m.SMSStopped() {
		t.Fatalf("after the taps: %+v", m)
	}
	h.WaitFor("the card shown again", func() bool {
		return !strings.Contains(h.Message(org.ID, card.ID).Text, en("member.sms_stop_reason.td"))
	})
	shown := h.Message(org.ID, card.ID)
	if !strings.Contains(shown.Text, en("member.channel", "Channel", en("member.channel.sms"), "Health", en("export.yes"))) ||
		strings.Contains(shown.Text, en("member.sms_stop_reason.td")) || !bottest.Contains(bottest.InlineTexts(shown), "✓ "+en("member.channel.sms")) {
		t.Fatalf("the card after the taps:\n%s %v", shown.Text, bottest.InlineTexts(shown))
	}
}

// TestABlockedMembersRemindersGoBySMSOneADay: a member who blocks the bot
// gets the next event reminder by SMS, not by Telegram; a second reminder
// SMS the same day waits for the next day (stored: pending until the
// member's midnight), and a member without SMS consent gets the neutral
// health reminder, not the check's name.
func TestABlockedMembersRemindersGoBySMSOneADay(t *testing.T) {
	h := smsHarness(t, dispatch.SMSConfig{}, "event.announce", "event.reminder", "check.private")
	li := fakeapi.User{ID: 903, FirstName: "Li", LanguageCode: "en"}
	m := h.Add(store.NewMember{Name: "Li", Phone: "13800000003", Branch: "Town", Lang: "en"})
	h.Link("13800000003", li)
	occ := time.Date(2026, 11, 30, 9, 30, 0, 0, bottest.Shanghai)
	e1 := &models.Event{Kind: models.EventMeeting, Title: "Meeting", StartAt: occ, Audience: "branch:Town", RSVP: true}
	e2 := &models.Event{Kind: models.EventTraining, Title: "Training", StartAt: occ.Add(time.Hour), Audience: "branch:Town", RSVP: true}
	for _, e := range []*models.Event{e1, e2} {
		if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
			t.Fatal(err)
		}
		waitFinal(t, h, store.OutboxQuery{Kind: outbox.KindEventAnnounce, EventID: e.ID})
	}
	h.API.UserBlocks(li)
	h.WaitFor("Li unreachable", func() bool { got, _ := h.St.MemberByID(ctx, m.ID); return got.Status == models.StatusUnreachable })
	telegramBefore := len(h.API.Messages(li.ID))
	// Both reminders are due now.
	now := h.Clock()
	if _, err := h.St.Enqueue(ctx, planner.Reminder(e1, occ, occ.Sub(now)), planner.Reminder(e2, occ.Add(time.Hour), occ.Add(time.Hour).Sub(now))); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	var sent, waiting outbox.Row
	h.WaitFor("one reminder sent, one waiting", func() bool {
		rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventReminder, MemberID: m.ID})
		if len(rows) != 2 {
			return false
		}
		for _, r := range rows {
			switch {
			case r.Status == outbox.Sent:
				sent = r
			case r.Status == outbox.Pending && r.Attempts == 0 && !r.NextAttemptAt.Before(now.Add(time.Hour)):
				waiting = r
			}
		}
		return sent.ID != 0 && waiting.ID != 0
	})
	if sent.Channel != outbox.BySMS || waiting.Channel != outbox.BySMS {
		t.Fatalf("sent %+v, waiting %+v: want both by SMS", sent, waiting)
	}
	local := now.In(bottest.Shanghai)
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, bottest.Shanghai)
	if !waiting.NextAttemptAt.Equal(midnight) {
		t.Fatalf("the second reminder waits until %v, want %v", waiting.NextAttemptAt, midnight)
	}
	if n := len(h.API.Messages(li.ID)); n != telegramBefore {
		t.Fatalf("Li got %d Telegram messages after blocking the bot", n-telegramBefore)
	}
	if got := h.SMS.To("+8613800000003"); len(got) != 1 {
		t.Fatalf("Li got %d SMS, want one reminder", len(got))
	}
	// A health reminder without consent: the neutral text, naming no check.
	k, err := h.St.PlanKindByKey(ctx, "annual_check")
	if err != nil {
		t.Fatal(err)
	}
	qian := h.Add(store.NewMember{Name: "Qian", Phone: "13800000008", Branch: "Town/Village"})
	first := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if _, err := h.St.AssignPlans(ctx, k, models.MembersAudience(qian.ID), &first, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	plans, _ := h.St.PlansOf(ctx, qian.ID)
	if _, err := h.St.Enqueue(ctx, planner.CheckReminder(&plans[0], k, "due", 0, h.Clock())); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	h.WaitFor("Qian's SMS", func() bool { return len(h.SMS.To("+8613800000008")) == 1 })
	s := h.SMS.To("+8613800000008")[0]
	tpls, _ := h.St.SMSTemplates(ctx)
	var private string
	for _, tp := range tpls {
		if tp.Kind == "check.private" {
			private = tp.TemplateID
		}
	}
	if s.Template != private || strings.Join(s.Params, "|") != "Village" {
		t.Fatalf("Qian's health reminder %+v, want the neutral template %s naming only the branch", s, private)
	}
}

// TestProviderRefusalsAreSortedOnce: through the real SDK and the gateway,
// an invalid number stops SMS to that member (stored, nothing more sent to
// them); a refused template fails its message and tells the admins once;
// no balance pauses every SMS (no attempt counted) and tells the admins
// once; a number's daily limit waits without an attempt; a network error is
// retried.
func TestProviderRefusalsAreSortedOnce(t *testing.T) {
	h := smsHarness(t, dispatch.SMSConfig{Pause: time.Hour}, "broadcast")
	admin := fakeapi.User{ID: 950, FirstName: "Admin", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Admin", Phone: "13900000001", Role: models.RoleAdmin, Lang: "en"})
	h.Link("13900000001", admin)
	phones := []string{"13800000011", "13800000012", "13800000013", "13800000014"}
	ids := map[string]uint{}
	for i, p := range phones {
		m := h.Add(store.NewMember{Name: "M" + string(rune('A'+i)), Phone: p, Branch: "Town"})
		ids[p] = m.ID
	}
	notice := func(text string) *models.Broadcast {
		t.Helper()
		b, err := h.St.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.BranchAudience("Town"), Text: text, SendAt: h.Clock()})
		if err != nil {
			t.Fatal(err)
		}
		h.Dispatcher.Wake()
		return b
	}
	row := func(b *models.Broadcast, phone string) outbox.Row {
		rows, _ := h.St.Outbox(ctx, store.OutboxQuery{BroadcastID: b.ID, MemberID: ids[phone]})
		if len(rows) != 1 {
			t.Fatalf("%d rows for %s", len(rows), phone)
		}
		return rows[0]
	}
	h.SMS.FailNext("+86"+phones[0], "InvalidParameterValue.IncorrectPhoneNumber")
	h.SMS.FailNext("+86"+phones[1], "FailedOperation.TemplateIncorrectOrUnapproved")
	h.SMS.FailNext("+86"+phones[2], "LimitExceeded.PhoneNumberDailyLimit")
	b1 := notice("first")
	h.WaitFor("the first notice handled", func() bool {
		return row(b1, phones[0]).Status.Final() && row(b1, phones[1]).Status.Final() && row(b1, phones[3]).Status.Final() &&
			row(b1, phones[2]).Reason == outbox.ReasonRateLimited
	})
	if r := row(b1, phones[0]); r.Status != outbox.Failed || r.Reason != outbox.ReasonSMSStopped {
		t.Fatalf("an invalid number: %+v", r)
	}
	if m, _ := h.St.MemberByID(ctx, ids[phones[0]]); !m.SMSStopped() || !strings.HasPrefix(m.SMSStopReason, "InvalidParameterValue.") {
		t.Fatalf("the member with an invalid number: %+v", m)
	}
	if r := row(b1, phones[1]); r.Status != outbox.Failed || r.Reason != outbox.ReasonSMSRefused {
		t.Fatalf("a refused template: %+v", r)
	}
	if r := row(b1, phones[2]); r.Status != outbox.Pending || r.Attempts != 0 || r.NextAttemptAt.Sub(h.Clock()) < 5*time.Hour {
		t.Fatalf("a number's daily limit: %+v", r)
	}
	h.WaitFor("the admin told of the template", func() bool { return len(h.API.Messages(admin.ID)) == 1 })
	if got := h.API.Messages(admin.ID)[0].Text; !strings.Contains(got, "A100") || !strings.Contains(got, "FailedOperation.TemplateIncorrectOrUnapproved") {
		t.Fatalf("the admin was told %q", got)
	}

	// No balance: every SMS waits; the admins are told once.
	// (As many refusals as sends that may be under way at once.)
	h.SMS.FailNext("", "FailedOperation.InsufficientBalanceInSmsPackage", "FailedOperation.InsufficientBalanceInSmsPackage",
		"FailedOperation.InsufficientBalanceInSmsPackage")
	b2 := notice("second")
	h.WaitFor("the second notice paused", func() bool {
		for _, p := range phones[1:] {
			if r := row(b2, p); r.Status != outbox.Pending || r.Reason != outbox.ReasonSMSRefused {
				return false
			}
		}
		return true
	})
	for _, p := range phones[1:] {
		if r := row(b2, p); r.Attempts != 0 || r.NextAttemptAt.Sub(h.Clock()) < 50*time.Minute {
			t.Fatalf("paused %s: %+v", p, r)
		}
	}
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{BroadcastID: b2.ID, MemberID: ids[phones[0]]}); len(rows) != 0 {
		t.Fatalf("a member whose number was refused still gets SMS: %+v", rows)
	}
	h.WaitFor("the admin told of the pause", func() bool { return len(h.API.Messages(admin.ID)) == 2 })
	if got := h.API.Messages(admin.ID)[1].Text; !strings.Contains(got, "FailedOperation.InsufficientBalanceInSmsPackage") {
		t.Fatalf("the admin was told %q", got)
	}
	if n := h.SMS.Requests(); n > len(phones)+3 {
		t.Fatalf("%d SendSms calls: the pause did not hold", n)
	}
	alerts, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSMSAlert})
	if len(alerts) != 2 {
		t.Fatalf("%d alerts, want one each", len(alerts))
	}
}

// TestANeutralReminderHidesNoQuestion: a member without SMS consent for
// health reminders gets the neutral "you have a reminder", which asks
// nothing; their "1" after it still answers the announcement before it (the
// answer stored, the check not reported).
func TestANeutralReminderHidesNoQuestion(t *testing.T) {
	h := smsHarness(t, dispatch.SMSConfig{}, "event.announce", "check.private", "sms.ack")
	qian := h.Add(store.NewMember{Name: "Qian", Phone: "13800000008", Branch: "Town/Village"})
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := &models.Event{Kind: models.EventMeeting, Title: "Meeting", StartAt: occ, Audience: "branch:Town", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	waitFinal(t, h, store.OutboxQuery{Kind: outbox.KindEventAnnounce, MemberID: qian.ID})
	k, err := h.St.PlanKindByKey(ctx, "annual_check")
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if _, err := h.St.AssignPlans(ctx, k, models.MembersAudience(qian.ID), &first, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	plans, _ := h.St.PlansOf(ctx, qian.ID)
	if _, err := h.St.Enqueue(ctx, planner.CheckReminder(&plans[0], k, "due", 0, h.Clock().Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	if row := waitFinal(t, h, store.OutboxQuery{Kind: outbox.KindCheckReminder, MemberID: qian.ID}); row.Status != outbox.Sent || row.Channel != outbox.BySMS {
		t.Fatalf("the neutral reminder %+v", row)
	}
	reply := h.SMSCallbacks + "/reply?key=" + h.SMSKey
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000008", "1", time.Now()))
	if r, err := h.St.RSVPOf(ctx, e.ID, occ, qian.ID); err != nil || r == nil || r.Answer != models.AnswerYes {
		t.Fatalf("Qian's answer to the meeting %+v %v", r, err)
	}
	if p, _ := h.St.PlanByID(ctx, plans[0].ID); p.State != models.PlanOpen {
		t.Fatalf("the check after Qian's 1: %+v, want open (she was asked nothing)", p)
	}
}
