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
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
)

func dialogRig(t *testing.T) (*bottest.Harness, fakeapi.User) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "M", Phone: "13800000002", Branch: "Town/Village"})
	h.Link("13800000002", fakeapi.User{ID: 901, FirstName: "M"})
	return h, org
}

// TestMenuTapLeavesTheDialog: 📅 My events tapped where the notice's text
// is expected leaves the dialog; it is not sent as the notice.
func TestMenuTapLeavesTheDialog(t *testing.T) {
	h, org := dialogRig(t)
	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	n := len(h.API.Messages(org.ID))
	h.API.SendText(org, h.T(locales.En, "menu.my_events"))
	if left, events := h.Nth(org.ID, n+1), h.Nth(org.ID, n+2); left.Text != h.T(locales.En, "dialog.left") || events.Text != h.T(locales.En, "events.none") {
		t.Fatalf("menu tap mid-dialog: %q, then %q", left.Text, events.Text)
	}
	if _, err := h.St.Dialog(ctx, org.ID); err == nil {
		t.Fatal("the dialog is still open")
	}
	// Out of the dialog, the words are no notice: they may be a question.
	if got := h.Say(org, "Water is off tomorrow"); got.Text != h.T(locales.En, "inquiry.offer") {
		t.Fatalf("text after leaving: %q", got.Text)
	}
	if _, err := h.St.BroadcastByID(ctx, 1); err == nil {
		t.Fatal("a broadcast was made")
	}
}

// TestStaleCancelAfterScheduling: once a notice is scheduled, the ❌ Cancel
// of its dialog says it is out of date, and the notice stays scheduled.
func TestStaleCancelAfterScheduling(t *testing.T) {
	h, org := dialogRig(t)
	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := h.Say(org, "Water is off on Friday")
	h.Press(org, preview, h.T(locales.En, "broadcast.send_later"))
	n := len(h.API.Messages(org.ID))
	h.API.SendText(org, "明天 上午9点")
	h.Nth(org.ID, n+1)
	h.WaitFor("the notice to be scheduled", func() bool { _, err := h.St.BroadcastByID(ctx, 1); return err == nil })
	before := dump(t, h, map[string]string{"outbox": protected["outbox"], "broadcasts": protected["broadcasts"]})
	write := h.Message(org.ID, ask.ID)
	if answer := h.Press(org, write, h.T(locales.En, "button.cancel")); answer != h.T(locales.En, "callback.stale") {
		t.Fatalf("stale cancel answered %q", answer)
	}
	after := dump(t, h, map[string]string{"outbox": protected["outbox"], "broadcasts": protected["broadcasts"]})
	if before["outbox"] != after["outbox"] || before["broadcasts"] != after["broadcasts"] {
		t.Fatalf("a stale cancel changed the notice:\n%v\n%v", before, after)
	}
	if b, err := h.St.BroadcastByID(ctx, 1); err != nil || b.Status != models.BroadcastSending || b.Total != 2 {
		t.Fatalf("the scheduled notice: %+v %v", b, err)
	}
}

// TestCancelEventAsksFirst: /cancelevent asks; ↩ keeps the event and
// sends nothing; an organizer of another branch forging ❌ changes nothing.
func TestCancelEventAsksFirst(t *testing.T) {
	h, org := dialogRig(t)
	h.Add(store.NewMember{Name: "Other", Phone: "13800000009", Branch: "Other", Role: models.RoleOrganizer, Lang: "en"})
	other := fakeapi.User{ID: 909, FirstName: "Other", LanguageCode: "en"}
	h.Link("13800000009", other)
	e := &models.Event{Kind: models.EventMeeting, Title: "Monthly meeting", StartAt: h.Clock().Add(72 * time.Hour), Audience: "branch:Town", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{"events": protected["events"], "outbox": protected["outbox"]}
	before := dump(t, h, rows)
	confirm := h.Say(org, fmt.Sprintf("/cancelevent %d", e.ID))
	h.Press(org, confirm, h.T(locales.En, "cancelevent.button.no"))
	if got := h.Message(org.ID, confirm.ID).Text; got != h.T(locales.En, "cancelevent.kept", "Title", "Monthly meeting") {
		t.Fatalf("keep: %q", got)
	}
	data := models.Callback{Action: models.ActCancelEvent, Event: e.ID, Op: "y"}.Encode()
	if id := h.API.SendCallback(other, other.ID, 0, data); !refusedWithAlert(h.API, waitAnswer(h, id)) {
		t.Fatal("another branch's organizer was not refused")
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("kept or refused, the event changed:\n%v\n%v", before, after)
	}
}

// TestCallOffAScheduledNotice: a notice scheduled for tomorrow is called
// off with one tap from its confirmation (or from /notices); when its time
// comes nothing is sent. Another organizer cannot call it off.
func TestCallOffAScheduledNotice(t *testing.T) {
	h, org := dialogRig(t)
	h.Add(store.NewMember{Name: "Org2", Phone: "13800000008", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org2 := fakeapi.User{ID: 908, FirstName: "Org2", LanguageCode: "en"}
	h.Link("13800000008", org2)
	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := h.Say(org, "Water is off on Friday")
	h.Press(org, preview, h.T(locales.En, "broadcast.send_later"))
	h.WaitFor("the time question", func() bool { last, _ := h.API.Last(org.ID); return last.ID != preview.ID })
	h.API.SendText(org, "明天 上午9点")
	var scheduled fakeapi.Message
	h.WaitFor("the scheduled notice", func() bool {
		scheduled, _ = h.API.Last(org.ID)
		return bottest.Contains(bottest.InlineTexts(scheduled), h.T(locales.En, "notices.button.cancel"))
	})
	list := h.Say(org, "/notices")
	if !strings.Contains(list.Text, "Water is off on Friday") {
		t.Fatalf("/notices: %q", list.Text)
	}
	if got := h.Say(org2, "/notices").Text; got != h.T(locales.En, "notices.none") {
		t.Fatalf("another organizer's /notices: %q", got)
	}
	if id := h.API.SendCallback(org2, org2.ID, 0, "nx:1"); !refusedWithAlert(h.API, waitAnswer(h, id)) {
		t.Fatal("another organizer called it off")
	}
	if answer := h.Press(org, scheduled, h.T(locales.En, "notices.button.cancel")); answer != h.T(locales.En, "notices.cancelled") {
		t.Fatalf("call off: %q", answer)
	}
	b, _ := h.St.BroadcastByID(ctx, 1)
	rows, _ := h.St.Outbox(ctx, store.OutboxQuery{BroadcastID: 1})
	if b.Status != models.BroadcastCancelled || len(rows) == 0 {
		t.Fatalf("broadcast %+v, %d rows", b, len(rows))
	}
	for _, r := range rows {
		if r.Status != outbox.Skipped || r.Reason != outbox.ReasonWithdrawn {
			t.Fatalf("row %s is %s %s", r.DedupeKey, r.Status, r.Reason)
		}
	}
	if answer := h.Press(org, scheduled, h.T(locales.En, "notices.button.cancel")); answer != h.T(locales.En, "notices.cancelled") {
		t.Fatalf("a second tap: %q", answer)
	}
}

// TestNoticeToAVillageInFourInputs: an organizer of a town sends a notice
// to one of its villages: /broadcast, the village, the text, ✅ Send now.
func TestNoticeToAVillageInFourInputs(t *testing.T) {
	h, org := dialogRig(t)
	h.Add(store.NewMember{Name: "N", Phone: "13800000003", Branch: "Town/North"})
	h.Link("13800000003", fakeapi.User{ID: 903, FirstName: "N"})
	in := &inputs{h: h, u: org}
	ask := in.say("/broadcast")
	if got := bottest.InlineTexts(ask); !bottest.Contains(got, "Town/Village") || !bottest.Contains(got, "Town/North") {
		t.Fatalf("audiences offered: %v", got)
	}
	in.n++
	h.Press(org, ask, "Town/Village")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := in.say("Village water is off tomorrow")
	in.n++
	h.Press(org, preview, h.T(locales.En, "broadcast.send_now"))
	h.WaitFor("the notice", func() bool { _, err := h.St.BroadcastByID(ctx, 1); return err == nil })
	b, _ := h.St.BroadcastByID(ctx, 1)
	if b.Audience != "branch:Town/Village" || b.Total != 1 || in.n > 5 {
		t.Fatalf("notice %+v in %d inputs", b, in.n)
	}
}

// TestNoticeToSeveralBranches: ➕ Several branches, tick two villages,
// ✅ Continue, the text, ✅ Send now: their members get it, the town's own
// do not; a forged tick of another's branch is refused.
func TestNoticeToSeveralBranches(t *testing.T) {
	h, org := dialogRig(t)
	h.Add(store.NewMember{Name: "N", Phone: "13800000003", Branch: "Town/North"})
	h.Link("13800000003", fakeapi.User{ID: 903, FirstName: "N"})
	other, _ := h.St.EnsureBranch(ctx, "Other")
	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, h.T(locales.En, "broadcast.several"))
	h.WaitFor("the boxes", func() bool { return bottest.Contains(bottest.InlineTexts(h.Message(org.ID, ask.ID)), "☐ Town/North") })
	h.Press(org, h.Message(org.ID, ask.ID), "☐ Town/North")
	h.WaitFor("a tick", func() bool { return bottest.Contains(bottest.InlineTexts(h.Message(org.ID, ask.ID)), "☑ Town/North") })
	h.Press(org, h.Message(org.ID, ask.ID), "☐ Town/Village")
	h.WaitFor("two ticks", func() bool {
		return bottest.Contains(bottest.InlineTexts(h.Message(org.ID, ask.ID)), h.T(locales.En, "broadcast.several_go", "Count", 2))
	})
	if id := h.API.SendCallback(org, org.ID, ask.ID, fmt.Sprintf("bc:t:b:%d", other.ID)); h.CallbackAnswer(id) != h.T(locales.En, "auth.branch_not_yours") {
		t.Fatal("a forged tick was not refused")
	}
	h.Press(org, h.Message(org.ID, ask.ID), h.T(locales.En, "broadcast.several_go", "Count", 2))
	h.WaitFor("the write step", func() bool { return strings.HasPrefix(h.Message(org.ID, ask.ID).Text, "To: Town/North") })
	preview := h.Say(org, "Both villages: water off tomorrow")
	h.Press(org, preview, h.T(locales.En, "broadcast.send_now"))
	h.WaitFor("the notice", func() bool { _, err := h.St.BroadcastByID(ctx, 1); return err == nil })
	b, _ := h.St.BroadcastByID(ctx, 1)
	if b.Audience != "branches:Town/North|Town/Village" || b.Total != 2 {
		t.Fatalf("notice %+v", b)
	}
}
