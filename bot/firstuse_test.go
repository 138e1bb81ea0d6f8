package bot_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// What members and organizers met on first use (issue 16, items 1, 2, 5
// and 9), each through the fake Telegram.

// planRows are the stored rows a check's report and its decision change.
var planRows = map[string]string{
	"plans":  "SELECT id, member_id, state, next_due, cycle FROM plans ORDER BY id",
	"checks": "SELECT id, plan_id, status FROM check_records ORDER BY id",
	"outbox": "SELECT kind, member_id, status FROM outboxes WHERE kind = 'check.submitted' ORDER BY id",
}

// TestMyChecksAnswersAfterDone is the demo's steps (/as wang, 🩺, ✅ on the
// check, 🩺 again): the second 🩺 shows the list, now without a button
// (the report waits), and does not claim that nothing was saved; /checks
// answers too, and so does a member whose list never had a button. Before,
// the list without buttons went with reply_markup null ("Bad Request:
// Object expected as reply markup") and 🩺 went silent.
func TestMyChecksAnswersAfterDone(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "张组长", Phone: "13800000001", Branch: "东城镇", Role: models.RoleOrganizer})
	h.Link("13800000001", fakeapi.User{ID: 900, FirstName: "张"})
	h.Add(store.NewMember{Name: "王芳", Phone: "13800000002", Branch: "东城镇/李家村", Lang: "zh-Hans"})
	wang := fakeapi.User{ID: 901, FirstName: "王芳", LanguageCode: "zh-hans"}
	h.Link("13800000002", wang)
	h.Add(store.NewMember{Name: "Li Wei", Phone: "13800000004", Branch: "东城镇/李家村", Lang: "en"})
	li := fakeapi.User{ID: 902, FirstName: "Li", LanguageCode: "en"}
	h.Link("13800000004", li)
	k, err := h.St.PlanKindByKey(ctx, "quarterly_check")
	if err != nil {
		t.Fatal(err)
	}
	wangM, _ := h.St.MemberByTelegramID(ctx, wang.ID)
	first := models.DayOf(h.Clock().AddDate(0, 0, 10), bottest.Shanghai)
	if _, err := h.St.AssignPlans(ctx, k, models.MembersAudience(wangM.ID), &first, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }

	list := h.Say(wang, zh("menu.my_checks"))
	if !strings.HasPrefix(list.Text, zh("checks.title")) || len(list.Inline) != 1 {
		t.Fatalf("🩺 showed %q %v", list.Text, list.Inline)
	}
	n := len(h.API.Messages(wang.ID))
	h.Press(wang, list, list.Inline[0][0].Text)
	if thanks := h.Nth(wang.ID, n+1); thanks.Text != zh("checks.done.above", "Branch", "东城镇") {
		t.Fatalf("✅ answered %q", thanks.Text)
	}
	reported := dump(t, h, planRows)
	if !strings.Contains(reported["plans"], "submitted") || !strings.Contains(reported["checks"], "pending") {
		t.Fatalf("the report was not saved: %v", reported)
	}

	for _, again := range []string{zh("menu.my_checks"), "/checks", zh("menu.my_checks")} {
		n := len(h.API.Messages(wang.ID))
		got := h.Say(wang, again)
		if got.Text == zh("dialog.left") {
			t.Fatalf("%s after ✅ said %q, though the report was saved", again, got.Text)
		}
		if !strings.HasPrefix(got.Text, zh("checks.title")) || !strings.Contains(got.Text, zh("checks.state.submitted")) || got.Inline != nil {
			t.Fatalf("%s after ✅ showed %q %v", again, got.Text, got.Inline)
		}
		h.WaitFor("nothing more", func() bool { return len(h.API.Messages(wang.ID)) == n+1 })
	}
	if after := dump(t, h, planRows); !reflect.DeepEqual(after, reported) {
		t.Fatalf("looking at the list changed rows:\nbefore %v\nafter  %v", reported, after)
	}

	// A member with no check at all: the list's answer, every time.
	for range 2 {
		if got := h.Say(li, h.T(locales.En, "menu.my_checks")); got.Text != h.T(locales.En, "checks.none") {
			t.Fatalf("Li Wei's 🩺 answered %q", got.Text)
		}
	}
	// Every call answered (the last reply may still be on its way).
	h.WaitFor("every call answered", func() bool {
		for _, r := range h.API.Requests() {
			if r.Status == 0 && r.Method != "getUpdates" {
				return false
			}
		}
		return true
	})
	for _, r := range h.API.Requests() {
		if r.Status != 200 && r.Method != "getUpdates" {
			t.Errorf("%s answered %d (%v)", r.Method, r.Status, r.Params["reply_markup"])
		}
	}
	if strings.Contains(h.Logs.String(), "Object expected") {
		t.Fatalf("a null markup was sent:\n%s", h.Logs.String())
	}
}

// TestCheckWithoutAnOrganizerGoesUp: a member of a branch without an
// organizer taps ✅; the organizers of the branch above are asked (and one
// approves), in a tree without any organizer the admins are, and the
// member is told who will confirm, in their language. Where nobody can
// confirm (no organizer, no admin), the member is told so and nothing is
// saved: no report waiting for ever.
func TestCheckWithoutAnOrganizerGoesUp(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{}), bottest.WithAdmins(4242))
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	village := h.Add(store.NewMember{Name: "Village member", Phone: "13800000002", Branch: "Town/Village", Lang: "zh-Hant"})
	vu := fakeapi.User{ID: 901, FirstName: "V", LanguageCode: "zh-hant"}
	h.Link("13800000002", vu)
	west := h.Add(store.NewMember{Name: "Li Wei", Phone: "13800000004", Branch: "West", Lang: "en"})
	wu := fakeapi.User{ID: 902, FirstName: "Li", LanguageCode: "en"}
	h.Link("13800000004", wu)
	admin := fakeapi.User{ID: 4242, FirstName: "Root", LanguageCode: "en"}
	h.Say(admin, "/start") // a configured admin becomes one by writing
	adminM, err := h.St.MemberByTelegramID(ctx, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	orgM, _ := h.St.MemberByTelegramID(ctx, org.ID)
	k, _ := h.St.PlanKindByKey(ctx, "quarterly_check")
	due := models.DayOf(h.Clock().AddDate(0, 0, 5), bottest.Shanghai)
	if _, err := h.St.AssignPlans(ctx, k, models.MembersAudience(village.ID, west.ID), &due, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	done := func(u fakeapi.User, l locales.Lang) fakeapi.Message {
		t.Helper()
		list := h.Say(u, h.T(l, "menu.my_checks"))
		n := len(h.API.Messages(u.ID))
		h.Press(u, list, list.Inline[0][0].Text)
		return h.Nth(u.ID, n+1)
	}
	submitted := func(memberID uint) []outbox.Row {
		rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindCheckSubmitted})
		var out []outbox.Row
		for _, r := range rows {
			if r.PlanID != nil {
				if p, _ := h.St.PlanByID(ctx, *r.PlanID); p.MemberID == memberID {
					out = append(out, r)
				}
			}
		}
		return out
	}

	// The village has no organizer: the town's confirms.
	if got := done(vu, locales.ZhHant); got.Text != h.T(locales.ZhHant, "checks.done.above", "Branch", "Town") {
		t.Fatalf("village member told %q", got.Text)
	}
	rows := submitted(village.ID)
	if len(rows) != 1 || *rows[0].MemberID != orgM.ID {
		t.Fatalf("the village's report went to %+v, want the town's organizer only", rows)
	}
	planID := *rows[0].PlanID
	ask := h.Nth(org.ID, 1)
	if !strings.Contains(ask.Text, "Village member") || !strings.Contains(ask.Text, "Town/Village") {
		t.Fatalf("the town's organizer was asked %q", ask.Text)
	}
	if got := h.Press(org, ask, h.T(locales.En, "check.button.approve")); !strings.HasPrefix(got, "✅") {
		t.Fatalf("approval answered %q", got)
	}
	h.WaitFor("the plan to move on", func() bool {
		p, _ := h.St.PlanByID(ctx, planID)
		return p.State == models.PlanOpen && p.LastDone != nil
	})

	// West has no organizer and nothing above it: the admins confirm.
	if got := done(wu, locales.En); got.Text != h.T(locales.En, "checks.done.admins") {
		t.Fatalf("West's member told %q", got.Text)
	}
	if rows := submitted(west.ID); len(rows) != 1 || *rows[0].MemberID != adminM.ID {
		t.Fatalf("West's report went to %+v, want the admin", rows)
	}
	h.WaitFor("the admin to be asked", func() bool {
		for _, m := range h.API.Messages(admin.ID) {
			if strings.Contains(m.Text, "Li Wei") && len(m.Inline) == 1 {
				return true
			}
		}
		return false
	})
}

// TestCheckNobodyCanConfirm: no organizer anywhere above the member, no
// admin: ✅ is answered that nobody can confirm it yet, and no row changes
// (the plan stays open with its reminders, no report, nobody asked).
func TestCheckNobodyCanConfirm(t *testing.T) {
	h := bottest.New(t)
	m := h.Add(store.NewMember{Name: "Li Wei", Phone: "13800000004", Branch: "West", Lang: "en"})
	u := fakeapi.User{ID: 902, FirstName: "Li", LanguageCode: "en"}
	h.Link("13800000004", u)
	k, _ := h.St.PlanKindByKey(ctx, "quarterly_check")
	due := models.DayOf(h.Clock().AddDate(0, 0, 5), bottest.Shanghai)
	if _, err := h.St.AssignPlans(ctx, k, models.MembersAudience(m.ID), &due, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	list := h.Say(u, "/checks")
	rows := map[string]string{"plans": planRows["plans"], "checks": planRows["checks"],
		"outbox": "SELECT kind, member_id, status FROM outboxes ORDER BY id"}
	before := dump(t, h, rows)
	if got := h.Press(u, list, list.Inline[0][0].Text); got != h.T(locales.En, "checks.nobody_confirms") {
		t.Fatalf("✅ with nobody to confirm answered %q", got)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("rows changed:\nbefore %v\nafter  %v", before, after)
	}
	if got := h.Say(u, "/checks"); len(got.Inline) != 1 || strings.Contains(got.Text, h.T(locales.En, "checks.state.submitted")) {
		t.Fatalf("the check is not open still: %q %v", got.Text, got.Inline)
	}
}

// TestOrganizerKeyboardOnEveryPath: an organizer gets 📢 🆕 📋 whichever
// way the bot greets them (/start, their invitation link, sharing their
// phone) and on every reply with a keyboard; a member never does.
func TestOrganizerKeyboardOnEveryPath(t *testing.T) {
	h := bottest.New(t)
	en := func(key string) string { return h.T(locales.En, key) }
	orgKeys := []string{en("menu.notice"), en("menu.new_event"), en("menu.our_events"), en("menu.my_checks")}
	hasOrgKeys := func(m fakeapi.Message) bool {
		keys := bottest.KeyboardTexts(m)
		for _, k := range orgKeys {
			if !bottest.Contains(keys, k) {
				return false
			}
		}
		return true
	}
	h.Add(store.NewMember{Name: "Linked", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	linked := fakeapi.User{ID: 900, FirstName: "Linked", LanguageCode: "en"}
	h.Link("13800000001", linked)
	invited := h.Add(store.NewMember{Name: "Invited", Phone: "13800000002", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Add(store.NewMember{Name: "Sharer", Phone: "13800000003", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Add(store.NewMember{Name: "Member", Phone: "13800000004", Branch: "Town/Village", Lang: "en"})
	member := fakeapi.User{ID: 903, FirstName: "Member", LanguageCode: "en"}
	h.Link("13800000004", member)

	for _, text := range []string{"/start", "/help", "hello", "/nosuch", en("menu.my_checks")} {
		if got := h.Say(linked, text); got.Keyboard != nil && !hasOrgKeys(got) {
			t.Fatalf("organizer's %q came with %v", text, bottest.KeyboardTexts(got))
		}
	}
	if got := h.Say(linked, "/start"); !hasOrgKeys(got) {
		t.Fatalf("organizer's /start: %q with %v", got.Text, bottest.KeyboardTexts(got))
	}
	code, _, err := h.St.CreateInvite(ctx, invited.ID, store.DefaultInviteTTL, h.Clock())
	if err != nil {
		t.Fatal(err)
	}
	iu := fakeapi.User{ID: 901, FirstName: "Invited", LanguageCode: "en"}
	if got := h.Say(iu, "/start "+code); !strings.Contains(got.Text, "Invited") || !hasOrgKeys(got) {
		t.Fatalf("organizer linked by invitation: %q with %v", got.Text, bottest.KeyboardTexts(got))
	}
	su := fakeapi.User{ID: 902, FirstName: "Sharer", LanguageCode: "en"}
	h.API.SendContact(su, fakeapi.Contact{PhoneNumber: "8613800000003", UserID: su.ID})
	if got := h.Nth(su.ID, 1); !strings.Contains(got.Text, "Sharer") || !hasOrgKeys(got) {
		t.Fatalf("organizer linked by phone: %q with %v", got.Text, bottest.KeyboardTexts(got))
	}
	for _, text := range []string{"/start", "/help", "hello"} {
		if keys := bottest.KeyboardTexts(h.Say(member, text)); len(keys) == 0 || bottest.Contains(keys, en("menu.notice")) {
			t.Fatalf("member's %q came with %v", text, keys)
		}
	}
}

// TestJoinRequestAsksTheName: a stranger who chose their branch is asked
// their name (and offered to share their phone) before the request goes
// out: nothing is filed until they answer; a shared number and the typed
// name reach the organizer; a name on several lines or with control
// characters is asked again; a second 🙋 while the request waits says it
// is being reviewed, and files nothing more.
func TestJoinRequestAsksTheName(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{}))
	h.Add(store.NewMember{Name: "张组长", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer})
	org := fakeapi.User{ID: 900, FirstName: "张", LanguageCode: "zh-hans"}
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "村民", Phone: "13800000002", Branch: "Town/Village"})
	s := fakeapi.User{ID: 777, FirstName: "Visitor", LanguageCode: "zh-hans"}
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	requests := map[string]string{
		"join":   "SELECT id, name, phone, status, branch_id FROM join_requests ORDER BY id",
		"outbox": "SELECT kind, member_id FROM outboxes ORDER BY id",
	}
	nothing := dump(t, h, requests)

	h.Say(s, "/start")
	picker := h.Say(s, zh("menu.request_join"))
	h.Press(s, picker, "Town ›")
	h.WaitFor("the villages", func() bool { return h.Message(s.ID, picker.ID).Text == zh("join.choose_in", "Branch", "Town") })
	n := len(h.API.Messages(s.ID))
	h.Press(s, h.Message(s.ID, picker.ID), "Village")
	ask := h.Nth(s.ID, n+1)
	if ask.Text != zh("join.ask_name", "Branch", "Town/Village", "Share", zh("menu.share_phone")) {
		t.Fatalf("asked %q", ask.Text)
	}
	share := false
	for _, row := range ask.Keyboard {
		for _, b := range row {
			share = share || b.RequestContact
		}
	}
	if !share {
		t.Fatalf("no button to share the phone: %v", ask.Keyboard)
	}
	if got := h.Message(s.ID, picker.ID); got.Inline != nil {
		t.Fatalf("the picker kept its buttons: %v", got.Inline)
	}
	if got := dump(t, h, requests); !reflect.DeepEqual(got, nothing) {
		t.Fatalf("a request went out before the name: %v", got)
	}

	// The phone, shared now, is kept for the request; the name is still asked.
	h.API.SendContact(s, fakeapi.Contact{PhoneNumber: "8613700000009", UserID: s.ID})
	if got := h.Nth(s.ID, n+2); got.Text != zh("join.phone_noted") {
		t.Fatalf("shared phone answered %q", got.Text)
	}
	for i, bad := range []string{"王\n小明", "王\x1b[2J小明", strings.Repeat("王", 51)} {
		want := zh("join.name_bad", "Max", 50)
		if i == 1 {
			want = zh("text.bad")
		}
		if got := h.Say(s, bad); got.Text != want {
			t.Fatalf("name %q answered %q", bad, got.Text)
		}
	}
	if got := dump(t, h, requests); !reflect.DeepEqual(got, nothing) {
		t.Fatalf("a bad name filed a request: %v", got)
	}
	if got := h.Say(s, " 王小明 "); got.Text != zh("join.sent", "Branch", "Town/Village") {
		t.Fatalf("the name answered %q", got.Text)
	}
	orgAsk := h.Nth(org.ID, 1)
	if !strings.Contains(orgAsk.Text, "王小明") || !strings.Contains(orgAsk.Text, "137 0000 0009") || strings.Contains(orgAsk.Text, "Visitor") {
		t.Fatalf("the organizer read %q", orgAsk.Text)
	}
	filed := dump(t, h, requests)

	// Again while it waits: being reviewed, nothing more filed.
	for _, again := range []string{zh("menu.request_join"), "/join"} {
		if got := h.Say(s, again); got.Text != zh("join.pending", "Branch", "Town/Village") {
			t.Fatalf("%s while pending answered %q", again, got.Text)
		}
	}
	if got := dump(t, h, requests); !reflect.DeepEqual(got, filed) {
		t.Fatalf("a second request:\nbefore %v\nafter  %v", filed, got)
	}
	h.Press(org, orgAsk, "✅ 同意")
	h.WaitFor("the member", func() bool {
		m, err := h.St.MemberByTelegramID(ctx, s.ID)
		return err == nil && m.Name == "王小明" && m.Phone != nil && *m.Phone == "+8613700000009"
	})
}

// typeJoinName waits for the bot to ask a stranger's name for their
// request, types name, and returns the answer.
func typeJoinName(h *bottest.Harness, s fakeapi.User, name string) fakeapi.Message {
	h.WaitFor("the name to be asked", func() bool {
		d, err := h.St.Dialog(ctx, s.ID)
		return err == nil && d.Kind == "join"
	})
	h.WaitFor("the question", func() bool {
		m, ok := h.API.Last(s.ID)
		return ok && m.Keyboard != nil
	})
	return h.Say(s, name)
}
