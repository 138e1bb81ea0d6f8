package bot_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestNoOrganizerClosesTheirOwnCheck: the own-check rule holds on every
// path that closes a check: an organizer's forged "record done" (po:) on
// their own overdue check is refused as approving is, and changes no row;
// /overdue does not offer it; another organizer of the branch records it.
func TestNoOrganizerClosesTheirOwnCheck(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	org := c.org
	m, _ := h.St.MemberByTelegramID(ctx, org.ID)
	c.assign("quarterly_check", models.MembersAudience(m.ID), day(2026, 12, 10, 0))
	c.at(day(2026, 12, 18, 10)) // eight days overdue
	p := c.plan(org, "quarterly_check")
	if !p.Overdue() {
		t.Fatalf("the organizer's own check is not overdue: %+v", p)
	}
	rows := map[string]string{
		"plans":   "SELECT id, state, cycle, next_due, last_done, overdue_since FROM plans ORDER BY id",
		"records": "SELECT id, status FROM check_records ORDER BY id",
	}
	before := dump(t, h, rows)
	if ans := h.CallbackAnswer(h.API.SendCallback(org, org.ID, 0, fmt.Sprintf("po:%d:%d", p.ID, p.Cycle))); ans != h.T(locales.En, "checks.own") {
		t.Fatalf("recording one's own check: %q", ans)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("a refused record changed rows:\n%v\n%v", before, after)
	}
	if got := h.Say(org, "/overdue"); got.Text != h.T(locales.En, "overdue.none") || len(got.Inline) != 0 {
		t.Fatalf("/overdue offers the organizer's own check: %q %v", got.Text, got.Inline)
	}
	// A second organizer of the branch may.
	h.Add(store.NewMember{Name: "Org 2", Phone: "13900000011", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org2 := fakeapi.User{ID: 1002, FirstName: "Org2", LanguageCode: "en"}
	h.Link("13900000011", org2)
	if ans := h.CallbackAnswer(h.API.SendCallback(org2, org2.ID, 0, fmt.Sprintf("po:%d:%d", p.ID, p.Cycle))); ans == h.T(locales.En, "checks.own") {
		t.Fatalf("another organizer was refused: %q", ans)
	}
	if got := c.plan(org, "quarterly_check"); got.Cycle != p.Cycle+1 {
		t.Fatalf("recorded by another organizer: cycle %d, want %d", got.Cycle, p.Cycle+1)
	}
}

// TestOverdueAsksBeforeRecording: a name on /overdue asks first, showing
// the member's phone and due date; ✖ records nothing; ✅ records it done
// today.
func TestOverdueAsksBeforeRecording(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	member := c.members["en"]
	m, _ := h.St.MemberByTelegramID(ctx, member.ID)
	c.assign("quarterly_check", models.MembersAudience(m.ID), day(2026, 12, 10, 0))
	c.at(day(2026, 12, 18, 10))
	p := c.plan(member, "quarterly_check")
	rows := map[string]string{"plans": "SELECT id, state, cycle, next_due, last_done FROM plans ORDER BY id", "records": "SELECT id FROM check_records"}
	before := dump(t, h, rows)
	list := h.Say(c.org, "/overdue")
	if len(list.Inline) != 1 {
		t.Fatalf("/overdue: %q %v", list.Text, list.Inline)
	}
	n := len(h.API.Messages(c.org.ID))
	h.Press(c.org, list, list.Inline[0][0].Text)
	ask := h.Nth(c.org.ID, n+1)
	if !strings.Contains(ask.Text, "M-en") || !strings.Contains(ask.Text, "138 0000 0000") || !strings.Contains(ask.Text, "Thu 10 Dec") {
		t.Fatalf("the question: %q", ask.Text)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("tapping a name recorded the check:\n%v", after)
	}
	if got := h.Press(c.org, ask, h.T(locales.En, "overdue.button.not_now")); got != h.T(locales.En, "overdue.not_recorded") {
		t.Fatalf("✖ answered %q", got)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("✖ recorded the check:\n%v", after)
	}
	n = len(h.API.Messages(c.org.ID))
	h.Press(c.org, list, list.Inline[0][0].Text)
	ask = h.Nth(c.org.ID, n+1)
	h.Press(c.org, ask, h.T(locales.En, "overdue.button.record"))
	if got := c.plan(member, "quarterly_check"); got.Cycle != p.Cycle+1 || got.LastDone == nil {
		t.Fatalf("✅ did not record it: %+v", got)
	}
}

// TestRecordsOfAQuarterInChinese: /records takes a quarter as Chinese
// writes it (2026年第三季度), the same as 2026Q3.
func TestRecordsOfAQuarterInChinese(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	want := h.Say(c.org, "/records 2026Q3").Text
	if got := h.Say(c.org, "/records 2026年第三季度").Text; got != want || strings.Contains(got, "2026年第三季度") {
		t.Fatalf("/records 2026年第三季度: %q, want %q", got, want)
	}
}
