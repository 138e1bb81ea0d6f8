package bot_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestNoPhoneProbingAcrossBranches: an organizer of another branch who
// types a phone gets the same answer whether the number is a member of a
// branch they do not organize or on no roster at all (only the number
// they typed differs), for /assign, /member and /invite; nothing changes.
func TestNoPhoneProbingAcrossBranches(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	h.Add(store.NewMember{Name: "Other org", Phone: "13900000009", Branch: "Elsewhere", Role: models.RoleOrganizer, Lang: "en"})
	otherOrg := fakeapi.User{ID: 990, FirstName: "O", LanguageCode: "en"}
	h.Link("13900000009", otherOrg)
	rows := map[string]string{"plans": "SELECT id, member_id FROM plans ORDER BY id", "invites": "SELECT id FROM invites ORDER BY id"}
	before := dump(t, h, rows)
	const elsewhere, nowhere = "13800000000", "13811112222" // M-en of Town/Village; nobody
	for _, cmd := range []string{"/assign quarterly_check %s", "/member %s", "/invite %s"} {
		a := h.Say(otherOrg, strings.Replace(cmd, "%s", elsewhere, 1)).Text
		b := h.Say(otherOrg, strings.Replace(cmd, "%s", nowhere, 1)).Text
		a = strings.ReplaceAll(strings.ReplaceAll(a, "+8613800000000", "N"), elsewhere, "N")
		b = strings.ReplaceAll(strings.ReplaceAll(b, "+8613811112222", "N"), nowhere, "N")
		if a != b {
			t.Errorf("%s: a member elsewhere is answered %q, an unknown number %q", cmd, a, b)
		}
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused commands changed rows:\n%v", after)
	}
	// The branch's own organizer still finds the member.
	if got := h.Say(c.org, "/member "+elsewhere).Text; !strings.Contains(got, "M-en") {
		t.Fatalf("the member's own organizer: %q", got)
	}
}
