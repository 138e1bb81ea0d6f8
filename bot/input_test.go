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

// TestChineseInput: an organizer creates an event in one line as a Chinese
// speaker writes it (例会, 12月7日 上午9点半, the full-width ｜), moves it with
// 时间 明天 下午3点, and a member answers /rsvp N 参加, then 不去.
func TestChineseInput(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "组织者", Phone: "13900000000", Branch: "东城镇", Role: models.RoleOrganizer})
	org := fakeapi.User{ID: 900, FirstName: "组织者", LanguageCode: "zh-hans"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "王芳", Phone: "13800000001", Branch: "东城镇/李家村"})
	m := fakeapi.User{ID: 901, FirstName: "芳", LanguageCode: "zh-hans"}
	h.Link("13800000001", m)

	got := h.Say(org, "/newevent 例会｜12月7日 上午9点半｜月度例会｜村委会二楼｜branch:东城镇")
	events, _ := h.St.AllEvents(ctx)
	if len(events) != 1 {
		t.Fatalf("no event: %q", got.Text)
	}
	e := events[0]
	want := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	if e.Kind != models.EventMeeting || !e.StartAt.Equal(want) || e.Title != "月度例会" || e.Location != "村委会二楼" {
		t.Fatalf("event %+v", e)
	}
	if !strings.HasPrefix(got.Text, "✅") {
		t.Fatalf("created: %q", got.Text)
	}
	h.Say(org, fmt.Sprintf("/editevent %d 时间 12月8日 下午3点", e.ID))
	moved, _ := h.St.EventByID(ctx, e.ID)
	if !moved.StartAt.Equal(time.Date(2026, 12, 8, 15, 0, 0, 0, bottest.Shanghai)) {
		t.Fatalf("moved to %v", moved.StartAt.In(bottest.Shanghai))
	}
	h.Say(m, fmt.Sprintf("/rsvp %d 参加", e.ID))
	member, _ := h.St.MemberByTelegramID(ctx, m.ID)
	if r, err := h.St.RSVPOf(ctx, e.ID, moved.StartAt, member.ID); err != nil || r.Answer != models.AnswerYes {
		t.Fatalf("参加: %+v %v", r, err)
	}
	h.Say(m, fmt.Sprintf("/rsvp %d 不去", e.ID))
	if r, _ := h.St.RSVPOf(ctx, e.ID, moved.StartAt, member.ID); r.Answer != models.AnswerNo {
		t.Fatalf("不去: %+v", r)
	}
	// What it cannot read it says so, with Chinese examples, and nothing is made.
	bad := h.Say(org, "/newevent 例会｜下周三｜例会｜村委会｜branch:东城镇")
	if !strings.HasPrefix(bad.Text, h.T(locales.ZhHans, "newevent.bad_time", "Value", "下周三")) {
		t.Fatalf("unreadable date: %q", bad.Text)
	}
	if events, _ := h.St.AllEvents(ctx); len(events) != 1 {
		t.Fatalf("a refused line made an event")
	}
}

// TestMuteByButtons: a member pauses reminders and turns them back on with
// taps only (🌐, 🔕, 🔔): no typed character.
func TestMuteByButtons(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Ann", Phone: "13800000001", Branch: "Town", Lang: "en"})
	u := fakeapi.User{ID: 601, FirstName: "Ann", LanguageCode: "en"}
	h.Link("13800000001", u)
	status := func() models.Status {
		m, _ := h.St.MemberByTelegramID(ctx, u.ID)
		return m.Status
	}
	settings := h.Say(u, h.T(locales.En, "menu.language")) // the keyboard button
	if toast := h.Press(u, settings, h.T(locales.En, "mute.button.on")); toast != h.T(locales.En, "mute.on_button") || status() != models.StatusMuted {
		t.Fatalf("pause: %q %s", toast, status())
	}
	again := h.Message(u.ID, settings.ID)
	if toast := h.Press(u, again, h.T(locales.En, "mute.button.off")); toast != h.T(locales.En, "mute.off") || status() != models.StatusActive {
		t.Fatalf("resume: %q %s", toast, status())
	}
	// Someone not on the roster has no such button, and a forged one changes nothing.
	s := fakeapi.User{ID: 602, FirstName: "S", LanguageCode: "en"}
	if got := bottest.InlineTexts(h.Say(s, "/lang")); bottest.Contains(got, h.T(locales.En, "mute.button.on")) {
		t.Fatalf("a stranger got %v", got)
	}
	if id := h.API.SendCallback(s, s.ID, 0, "mu:on"); !refusedWithAlert(h.API, waitAnswer(h, id)) {
		t.Fatal("a stranger's forged mute was not refused")
	}
}
