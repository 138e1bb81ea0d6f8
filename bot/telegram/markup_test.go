package telegram_test

import (
	"testing"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/planner"
)

// TestOrganizersGetTheirKeyboard: a member's keyboard, stored by name, is
// an organizer's (their keys added) when the reader is one.
func TestOrganizersGetTheirKeyboard(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	stored := planner.Markup{Keyboard: planner.MemberKeys}
	member := telegram.Markup(cat, locales.En, stored, false, "")
	organizer := telegram.Markup(cat, locales.En, stored, true, "")
	if len(member.(*telegram.ReplyKeyboard).Keyboard) != 2 || len(organizer.(*telegram.ReplyKeyboard).Keyboard) != 3 {
		t.Fatalf("member %v, organizer %v", member, organizer)
	}
	if telegram.Markup(cat, locales.En, planner.Markup{}, true, "") != nil {
		t.Fatal("no buttons stored: a markup all the same")
	}
}
