package bot_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// Forged callbacks found by an outside run: one rule decides for every path
// (button, command, on behalf), and what it refuses changes no row.

func TestLeftMemberCannotAnswerByButton(t *testing.T) {
	h := bottest.New(t)
	u := fakeapi.User{ID: 801, FirstName: "Gone", LanguageCode: "en"}
	m := h.Add(store.NewMember{Name: "Gone", Phone: "13800000001", Branch: "Town", Lang: "en"})
	h.Link("13800000001", u)
	other := fakeapi.User{ID: 802, FirstName: "Stays", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Stays", Phone: "13800000002", Branch: "Town", Lang: "en"})
	h.Link("13800000002", other)
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := &models.Event{Kind: models.EventMeeting, Title: "Full", StartAt: occ, Audience: "branch:Town", RSVP: true, Capacity: 1}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	yes := fmt.Sprintf("rv:%d:%d:y", e.ID, occ.Unix()/60)
	h.CallbackAnswer(h.API.SendCallback(other, other.ID, 0, yes)) // the one place
	if err := h.St.SetMemberStatus(ctx, m.ID, models.StatusLeft); err != nil {
		t.Fatal(err)
	}
	before, _ := h.St.Attendees(ctx, e.ID, occ)
	// The button, well formed: refused, not put on the waiting list.
	if ans := h.CallbackAnswer(h.API.SendCallback(u, u.ID, 0, yes)); ans != h.T(locales.En, "rsvp.refused.not_found") {
		t.Fatalf("left member's tap answered %q", ans)
	}
	// The command: refused the same.
	if got := h.Say(u, fmt.Sprintf("/rsvp %d yes", e.ID)); got.Text != h.T(locales.En, "auth.members_only") {
		t.Fatalf("left member's /rsvp answered %q", got.Text)
	}
	// An organizer answering for them: as if they were not on the roster.
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	if got := h.Say(org, fmt.Sprintf("/rsvp %d yes 13800000001", e.ID)); got.Text != h.T(locales.En, "invite.not_found", "Phone", "13800000001") {
		t.Fatalf("on behalf of a left member: %q", got.Text)
	}
	// And when a place frees up, nobody who left is promoted into it.
	h.CallbackAnswer(h.API.SendCallback(other, other.ID, 0, fmt.Sprintf("rv:%d:%d:n", e.ID, occ.Unix()/60)))
	after, _ := h.St.Attendees(ctx, e.ID, occ)
	if len(after) != 1 || after[0].Name != "Stays" || len(before) != 1 {
		t.Fatalf("answers before %+v, after %+v: only Stays's own", before, after)
	}
}

func TestOrganizerOfAnotherBranchChangesNothing(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org B", Phone: "13900000002", Branch: "B", Role: models.RoleOrganizer, Lang: "en"})
	orgB := fakeapi.User{ID: 902, FirstName: "B", LanguageCode: "en"}
	h.Link("13900000002", orgB)
	m := h.Add(store.NewMember{Name: "In A", Phone: "13800000001", Branch: "A"})
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, bottest.Shanghai)
	e := &models.Event{Kind: models.EventMeeting, Title: "A's meeting", StartAt: occ, Audience: "branch:A", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	before, _ := h.St.OutboxTally(ctx, store.OutboxQuery{})
	if ans := h.CallbackAnswer(h.API.SendCallback(orgB, orgB.ID, 0, fmt.Sprintf("ck:%d:%d:%d", e.ID, occ.Unix()/60, m.ID))); ans != h.T(locales.En, "event.not_yours", "ID", e.ID) {
		t.Fatalf("check-in in another branch: %q", ans)
	}
	for _, cmd := range []string{"/nudge %d", "/cancelevent %d", "/editevent %d title Mine", "/attendees %d", "/checkin %d"} {
		if got := h.Say(orgB, fmt.Sprintf(cmd, e.ID)); got.Text != h.T(locales.En, "event.not_yours", "ID", e.ID) {
			t.Fatalf("%s: %q", cmd, got.Text)
		}
	}
	after, _ := h.St.OutboxTally(ctx, store.OutboxQuery{})
	got, _ := h.St.EventByID(ctx, e.ID)
	in, _ := h.St.CheckedIn(ctx, e.ID, occ)
	if !reflect.DeepEqual(before, after) || got.Status != models.EventScheduled || got.Title != "A's meeting" || len(in) != 0 {
		t.Fatalf("changed: outbox %v → %v, event %+v, checked in %v", before, after, got, in)
	}
}

// TestListedMembersEventIsItsOrganizers: an event for listed members of
// one's branch is made, managed and cancelled by its organizer.
func TestListedMembersEventIsItsOrganizers(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	m := h.Add(store.NewMember{Name: "A", Phone: "13800000001", Branch: "Town/Village", Lang: "en"})
	other := h.Add(store.NewMember{Name: "B", Phone: "13800000002", Branch: "Elsewhere", Lang: "en"})
	if got := h.Say(org, fmt.Sprintf("/newevent meeting | 2026-12-07 09:30 | Home visit | Home | members:%d,%d", m.ID, other.ID)); got.Text != h.T(locales.En, "auth.not_your_branch")+"\n\n"+h.T(locales.En, "newevent.usage") {
		t.Fatalf("a member of another branch listed: %q", got.Text)
	}
	got := h.Say(org, fmt.Sprintf("/newevent meeting | 2026-12-07 09:30 | Home visit | Home | members:%d", m.ID))
	var id uint
	if _, err := fmt.Sscanf(got.Text, "✅ Event %d", &id); err != nil {
		t.Fatalf("newevent: %q", got.Text)
	}
	confirm := h.Say(org, fmt.Sprintf("/cancelevent %d", id))
	if confirm.Text != h.T(locales.En, "cancelevent.confirm", "Title", "Home visit") {
		t.Fatalf("cancel asks: %q", confirm.Text)
	}
	if e, _ := h.St.EventByID(ctx, id); e.Status != models.EventScheduled {
		t.Fatalf("cancelled before the confirmation: %+v", e)
	}
	h.Press(org, confirm, h.T(locales.En, "cancelevent.button.yes"))
	if got := h.Message(org.ID, confirm.ID).Text; got != h.T(locales.En, "cancelevent.done", "Title", "Home visit", "Count", 0) {
		t.Fatalf("cancel: %q", got)
	}
	if e, _ := h.St.EventByID(ctx, id); e.Status != models.EventCancelled {
		t.Fatalf("event %+v", e)
	}
}
