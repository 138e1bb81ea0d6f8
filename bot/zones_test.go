package bot_test

import (
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// TestTimesInAMembersOwnZone (issue 16 item 8): a meeting at 14:00 in
// China reaches Li Wei, working in Berlin, as 07:00 "Berlin time" with
// 14:00 Beijing time beside it — in the announcement the dispatcher sends
// and in the card of 📅 My events, and in each language (a member in
// London reading Traditional Chinese sees 當地時間). When the day differs
// the association's weekday is said too. A member at home, and the
// organizer's own reply, show the time alone, as before.
func TestTimesInAMembersOwnZone(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{}))
	h.Add(store.NewMember{Name: "张组长", Phone: "13900000000", Branch: "东城镇", Role: models.RoleOrganizer, Lang: string(locales.ZhHans)})
	org := fakeapi.User{ID: 900, FirstName: "张组长", LanguageCode: "zh-hans"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "Li Wei", Phone: "13800000001", Branch: "东城镇", TZ: "Europe/Berlin", Lang: string(locales.En)})
	li := fakeapi.User{ID: 901, FirstName: "Li", LanguageCode: "en"}
	h.Link("13800000001", li)
	h.Add(store.NewMember{Name: "陳美玲", Phone: "13800000002", Branch: "东城镇", TZ: "Europe/London", Lang: string(locales.ZhHant)})
	h.Link("13800000002", fakeapi.User{ID: 902, FirstName: "陳美玲"})
	h.Add(store.NewMember{Name: "王芳", Phone: "13800000003", Branch: "东城镇", Lang: string(locales.ZhHans)})
	h.Link("13800000003", fakeapi.User{ID: 903, FirstName: "王芳"})

	shows := func(chat int64, what string) {
		t.Helper()
		h.WaitFor(what, func() bool {
			for _, m := range h.API.Messages(chat) {
				if strings.Contains(m.Text, what) {
					return true
				}
			}
			return false
		})
	}
	// The organizer is in the audience too: the reply and the announcement
	// may come in either order.
	h.API.SendText(org, "/newevent meeting | 2026-12-11 14:00 | 协会会员大会 | 镇文化中心二楼")
	h.WaitFor("the organizer's reply, in the association's time", func() bool {
		for _, m := range h.API.Messages(org.ID) {
			if strings.Contains(m.Text, "时间：12月11日（周五） 14:00。") {
				return true
			}
		}
		return false
	})
	shows(li.ID, "🕘 Fri 11 Dec 07:00 Berlin time · 14:00 Beijing time\n")
	shows(902, "🕘 當地時間 12月11日（週五） 06:00 · 北京時間 14:00\n")
	shows(903, "🕘 12月11日（周五） 14:00\n")
	for _, m := range h.API.Messages(903) {
		if strings.Contains(m.Text, "北京时间") {
			t.Errorf("a member at home was told the zone: %q", m.Text)
		}
	}

	// Early in the morning in China, the evening before in Berlin.
	h.Say(org, "/newevent meeting | 2026-12-12 06:00 | 早操 | 广场")
	shows(li.ID, "🕘 Fri 11 Dec 23:00 Berlin time · Sat 06:00 Beijing time\n")

	if card := h.Say(li, "/events").Text; !strings.Contains(card, "Fri 11 Dec 07:00 Berlin time · 14:00 Beijing time") {
		t.Errorf("📅 My events for Li Wei: %q", card)
	}
}
