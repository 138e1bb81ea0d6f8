package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

var ctx = context.Background()

func TestInviteLinksInTraditionalChinese(t *testing.T) {
	h := bottest.New(t)
	m := h.Add(store.NewMember{Name: "陳美玲", Phone: "13800138000", Branch: "东城镇/王庄村"})
	code, _, err := h.St.CreateInvite(ctx, m.ID, store.DefaultInviteTTL, h.Clock())
	if err != nil {
		t.Fatal(err)
	}
	u := fakeapi.User{ID: 501, FirstName: "美玲", LanguageCode: "zh-hant"}

	reply := h.Say(u, "/start "+code)
	if want := h.T(locales.ZhHant, "start.linked", "Name", "陳美玲", "Branch", "东城镇/王庄村"); reply.Text != want {
		t.Fatalf("greeting = %q, want %q", reply.Text, want)
	}
	if !strings.Contains(reply.Text, "歡迎您") {
		t.Fatalf("not Traditional Chinese: %q", reply.Text)
	}
	keys := bottest.KeyboardTexts(reply)
	for _, k := range []string{"📅 我的活動", "🩺 我的檢查", "❓ 幫助", "🌐 語言"} {
		if !bottest.Contains(keys, k) {
			t.Errorf("reply keyboard %v lacks %q", keys, k)
		}
	}
	linked, _ := h.St.MemberByTelegramID(ctx, u.ID)
	if linked == nil || linked.ID != m.ID {
		t.Fatalf("account not linked to the member: %+v", linked)
	}

	// The same code again: they are linked already; nothing changes.
	if reply := h.Say(u, "/start "+code); reply.Text != h.T(locales.ZhHant, "link.already", "Name", "陳美玲") {
		t.Fatalf("reuse answered %q", reply.Text)
	}
	other := fakeapi.User{ID: 502, FirstName: "Other", LanguageCode: "zh-hant"}
	if reply := h.Say(other, "/start "+code); reply.Text != h.T(locales.ZhHant, "invite.used") {
		t.Fatalf("reuse by another answered %q", reply.Text)
	}

	// An expired code has its own message.
	m2 := h.Add(store.NewMember{Name: "李四", Phone: "13900139000"})
	old, _, _ := h.St.CreateInvite(ctx, m2.ID, store.DefaultInviteTTL, h.Clock().Add(-31*24*time.Hour))
	if reply := h.Say(other, "/start "+old); reply.Text != h.T(locales.ZhHant, "invite.expired") {
		t.Fatalf("expired answered %q", reply.Text)
	}
	// A code that never existed, and one that is not even a valid payload.
	for _, bad := range []string{"AAAAAAAAAAAAAAAAAAAAAA", "%%%", strings.Repeat("x", 65)} {
		if reply := h.Say(other, "/start "+bad); reply.Text != h.T(locales.ZhHant, "invite.unknown") {
			t.Fatalf("bad code %q answered %q", bad, reply.Text)
		}
	}
	if m2, _ := h.St.MemberByID(ctx, m2.ID); m2.Linked() {
		t.Fatal("a refused code linked the member")
	}
}

func TestStrangerJoinRequestApproved(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{}))
	h.Add(store.NewMember{Name: "张组长", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer})
	org := fakeapi.User{ID: 900, FirstName: "张", LanguageCode: "zh-hans"}
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "王芳", Phone: "13800000002", Branch: "Town/Village"})
	member := fakeapi.User{ID: 901, FirstName: "王芳", LanguageCode: "zh-hans"}
	h.Link("13800000002", member)

	s := fakeapi.User{ID: 777, FirstName: "Sam", LastName: "Lee", Username: "samlee", LanguageCode: "en-US"}
	greet := h.Say(s, "/start")
	if greet.Text != h.T(locales.En, "start.stranger", "Name", "Sam Lee") {
		t.Fatalf("stranger greeting = %q", greet.Text)
	}
	var share *fakeapi.Button
	for _, r := range greet.Keyboard {
		for i := range r {
			if r[i].RequestContact {
				share = &r[i]
			}
		}
	}
	if share == nil || share.Text != h.T(locales.En, "menu.share_phone") {
		t.Fatalf("no share-my-phone button in %v", greet.Keyboard)
	}

	// One tap on the keyboard's "Request to join", then the branch.
	picker := h.Say(s, h.T(locales.En, "menu.request_join"))
	if picker.Text != h.T(locales.En, "join.choose_branch") {
		t.Fatalf("picker = %q", picker.Text)
	}
	h.Press(s, picker, "Town ›")
	h.WaitFor("the picker to open Town", func() bool {
		return h.Message(s.ID, picker.ID).Text == h.T(locales.En, "join.choose_in", "Branch", "Town")
	})
	h.Press(s, h.Message(s.ID, picker.ID), "Village")
	// Their name, typed, goes with the request (issue 16 item 9).
	if got := typeJoinName(h, s, "Sam Lee"); got.Text != h.T(locales.En, "join.sent", "Branch", "Town/Village") {
		t.Fatalf("request answered %q", got.Text)
	}

	// The branch organizer is asked, in their language, with two buttons.
	ask := h.Nth(org.ID, 1)
	if !strings.Contains(ask.Text, "Sam Lee") || !strings.Contains(ask.Text, "Town/Village") || !strings.Contains(ask.Text, "申请加入") {
		t.Fatalf("organizer was asked %q", ask.Text)
	}
	if got := bottest.InlineTexts(ask); len(got) != 2 || got[0] != "✅ 同意" || got[1] != "❌ 拒绝" {
		t.Fatalf("organizer buttons %v", got)
	}

	// A plain member forging the organizer's button changes nothing.
	jrData := ask.Inline[0][0].CallbackData
	id := h.API.SendCallback(member, member.ID, 0, jrData)
	if ans := h.CallbackAnswer(id); ans != h.T(locales.ZhHans, "auth.organizers_only_action") {
		t.Fatalf("forged approval answered %q", ans)
	}
	if _, err := h.St.MemberByTelegramID(ctx, s.ID); err == nil {
		t.Fatal("forged approval linked the stranger")
	}

	h.Press(org, ask, "✅ 同意")
	welcome := h.Nth(s.ID, 5) // greeting, the picker, the name asked, sent, the welcome
	if welcome.Text != h.T(locales.En, "join.approved", "Name", "Sam Lee", "Branch", "Town/Village") {
		t.Fatalf("stranger told %q", welcome.Text)
	}
	if !bottest.Contains(bottest.KeyboardTexts(welcome), "📅 My events") {
		t.Fatalf("approved member keyboard %v", bottest.KeyboardTexts(welcome))
	}
	h.WaitFor("the organizer's message to show the decision", func() bool {
		m := h.Message(org.ID, ask.ID)
		return strings.Contains(m.Text, "已由 张组长 同意") && len(m.Inline) == 0
	})
	m, err := h.St.MemberByTelegramID(ctx, s.ID)
	if err != nil || m.Branch == nil || m.Branch.Path != "Town/Village" {
		t.Fatalf("new member %+v %v", m, err)
	}
	// Pressing again (a second organizer, or a double tap) is harmless.
	id = h.API.SendCallback(org, org.ID, ask.ID, jrData)
	if ans := h.CallbackAnswer(id); ans != h.T(locales.ZhHans, "join.already_decided") {
		t.Fatalf("second decision answered %q", ans)
	}
}

func TestJoinRequestDeclinedAndOutOfScope(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{}))
	h.Add(store.NewMember{Name: "Org A", Phone: "13800000001", Branch: "A", Role: models.RoleOrganizer, Lang: "en"})
	orgA := fakeapi.User{ID: 900, FirstName: "A", LanguageCode: "en"}
	h.Link("13800000001", orgA)
	h.Add(store.NewMember{Name: "Org B", Phone: "13800000002", Branch: "B", Role: models.RoleOrganizer})
	orgB := fakeapi.User{ID: 901, FirstName: "B", LanguageCode: "en"}
	h.Link("13800000002", orgB)

	s := fakeapi.User{ID: 777, FirstName: "小明", LanguageCode: "zh-TW"}
	picker := h.Say(s, "/join")
	h.Press(s, picker, "A")
	typeJoinName(h, s, "小明")
	ask := h.Nth(orgA.ID, 1)
	mB, _ := h.St.MemberByTelegramID(ctx, orgB.ID)
	if rows, _ := h.St.Outbox(ctx, store.OutboxQuery{MemberID: mB.ID}); len(rows) != 0 {
		t.Fatalf("organizer of another branch was asked: %+v", rows)
	}
	// Organizer B cannot decide for branch A, even with the right data.
	id := h.API.SendCallback(orgB, orgB.ID, 0, ask.Inline[0][0].CallbackData)
	if ans := h.CallbackAnswer(id); ans != h.T(locales.En, "auth.not_your_branch") {
		t.Fatalf("out-of-scope approval answered %q", ans)
	}
	h.Press(orgA, ask, "❌ Decline")
	if got := h.Nth(s.ID, 4); got.Text != h.T(locales.ZhHant, "join.declined", "Branch", "A") {
		t.Fatalf("declined stranger told %q", got.Text)
	}
	if _, err := h.St.MemberByTelegramID(ctx, s.ID); err == nil {
		t.Fatal("declined stranger became a member")
	}
}

func TestContactSharing(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "王芳", Phone: "13800138000", Branch: "Town/Village"})
	h.Add(store.NewMember{Name: "李四", Phone: "13900139000"})
	u := fakeapi.User{ID: 600, FirstName: "Fang", LanguageCode: "zh-hans"}

	// Someone else's contact is refused.
	n := len(h.API.Messages(u.ID))
	h.API.SendContact(u, fakeapi.Contact{PhoneNumber: "8613900139000", FirstName: "李四", UserID: 601})
	if got := h.Nth(u.ID, n+1); got.Text != h.T(locales.ZhHans, "contact.not_own") {
		t.Fatalf("foreign contact answered %q", got.Text)
	}
	h.API.SendContact(u, fakeapi.Contact{PhoneNumber: "8613900139000", FirstName: "李四"})
	if got := h.Nth(u.ID, n+2); got.Text != h.T(locales.ZhHans, "contact.not_own") {
		t.Fatalf("contact without user_id answered %q", got.Text)
	}
	if m, _ := h.St.MemberByPhone(ctx, "13900139000"); m.Linked() {
		t.Fatal("a foreign contact linked a member")
	}

	// One's own phone on the roster links the account (Telegram sends it
	// without the +).
	h.API.SendContact(u, fakeapi.Contact{PhoneNumber: "8613800138000", FirstName: "Fang", UserID: u.ID})
	got := h.Nth(u.ID, n+3)
	if got.Text != h.T(locales.ZhHans, "start.linked", "Name", "王芳", "Branch", "Town/Village") {
		t.Fatalf("own contact answered %q", got.Text)
	}
	if m, _ := h.St.MemberByTelegramID(ctx, u.ID); m == nil || m.Name != "王芳" {
		t.Fatal("own contact did not link")
	}

	// A phone not on the roster: told so, and offered to request joining.
	v := fakeapi.User{ID: 602, FirstName: "V", LanguageCode: "en"}
	h.API.SendContact(v, fakeapi.Contact{PhoneNumber: "+8613700137000", UserID: v.ID})
	got = h.Nth(v.ID, 1)
	if got.Text != h.T(locales.En, "contact.not_found") || !bottest.Contains(bottest.InlineTexts(got), h.T(locales.En, "menu.request_join")) {
		t.Fatalf("unknown phone answered %q %v", got.Text, bottest.InlineTexts(got))
	}
}

func TestLanguageResolutionAndSwitch(t *testing.T) {
	h := bottest.New(t)
	for i, c := range []struct {
		code string
		want locales.Lang
	}{{"en-US", locales.En}, {"zh-CN", locales.ZhHans}, {"zh-TW", locales.ZhHant}, {"fr", locales.En}, {"", locales.ZhHans}} {
		u := fakeapi.User{ID: int64(700 + i), FirstName: "U", LanguageCode: c.code}
		if got := h.Say(u, "/help"); got.Text != h.T(c.want, "help.stranger") {
			t.Errorf("language_code %q: got %q, want the %s help", c.code, got.Text, c.want)
		}
	}

	h.Add(store.NewMember{Name: "Li Wei", Phone: "13800138000"})
	u := fakeapi.User{ID: 800, FirstName: "Li", LanguageCode: "en"}
	h.Link("13800138000", u)
	menu := h.Say(u, h.T(locales.En, "menu.language"))
	if got := bottest.InlineTexts(menu); len(got) != 4 || got[0] != "简体中文" || got[1] != "繁體中文" || got[2] != "English" || got[3] != h.T(locales.En, "mute.button.on") {
		t.Fatalf("language buttons %v", got)
	}
	h.Press(u, menu, "繁體中文")
	h.WaitFor("the choice to be confirmed in place", func() bool { return h.Message(u.ID, menu.ID).Text == "語言已設為繁體中文。" })
	kb := h.Nth(u.ID, 2)
	if !bottest.Contains(bottest.KeyboardTexts(kb), "📅 我的活動") {
		t.Fatalf("new keyboard %v", bottest.KeyboardTexts(kb))
	}
	// Every later message uses it, although the client still says "en".
	if got := h.Say(u, "/help"); got.Text != h.T(locales.ZhHant, "help.member") {
		t.Fatalf("after /lang: %q", got.Text)
	}
	// The old English keyboard still works.
	if got := h.Say(u, "📅 My events"); got.Text != h.T(locales.ZhHant, "events.none") {
		t.Fatalf("old keyboard label answered %q", got.Text)
	}
	// Menus: the chat's own menu is in Traditional Chinese.
	h.WaitFor("a chat menu in zh-Hant", func() bool {
		for _, cs := range h.API.Commands() {
			if cs.Scope == "chat:800" && len(cs.Commands) > 0 && cs.Commands[0].Description == h.T(locales.ZhHant, "cmd.start") {
				return true
			}
		}
		return false
	})
	// A forged language is refused.
	id := h.API.SendCallback(u, u.ID, menu.ID, "lang:xx")
	if ans := h.CallbackAnswer(id); ans != h.T(locales.ZhHant, "callback.invalid") {
		t.Fatalf("forged language answered %q", ans)
	}
}

func TestUnknownInputIsAnsweredInTheUsersLanguage(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Li Wei", Phone: "13800138000"})
	u := fakeapi.User{ID: 800, FirstName: "Li", LanguageCode: "en-GB"}
	h.Link("13800138000", u)
	if got := h.Say(u, "/frobnicate now"); got.Text != h.T(locales.En, "unknown.command", "Command", "/frobnicate") {
		t.Fatalf("unknown command: %q", got.Text)
	}
	// Words that may be a question are offered to the organizers; a
	// greeting gets the keyboard back.
	if got := h.Say(u, "when is the meeting?"); got.Text != h.T(locales.En, "inquiry.offer") || !bottest.Contains(bottest.InlineTexts(got), h.T(locales.En, "inquiry.button.send")) {
		t.Fatalf("free text: %q (buttons %v)", got.Text, bottest.InlineTexts(got))
	}
	if got := h.Say(u, "Hello!"); got.Text != h.T(locales.En, "unknown.text") || len(got.Keyboard) == 0 {
		t.Fatalf("a greeting: %q (keyboard %v)", got.Text, got.Keyboard)
	}
	n := len(h.API.Messages(u.ID))
	h.API.SendPhoto(u, []byte("\x89PNG"), "")
	if got := h.Nth(u.ID, n+1); got.Text != h.T(locales.En, "unknown.message") {
		t.Fatalf("photo: %q", got.Text)
	}
	if got := h.Say(u, "/invite 13800138000"); got.Text != h.T(locales.En, "auth.organizers_only", "Command", "/invite") {
		t.Fatalf("member /invite: %q", got.Text)
	}
	// Commands addressed to this bot by name work; to another bot, ignored.
	if got := h.Say(u, "/help@"+h.Bot.Username()); got.Text != h.T(locales.En, "help.member") {
		t.Fatalf("/help@bot: %q", got.Text)
	}
	id := h.API.SendCallback(u, u.ID, 1, "no-such-button")
	if ans := h.CallbackAnswer(id); ans != h.T(locales.En, "callback.invalid") {
		t.Fatalf("forged callback: %q", ans)
	}
}

func TestOrganizerInvite(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "赵大爷", Phone: "13800000005", Branch: "Town/Village"})
	h.Add(store.NewMember{Name: "Elsewhere", Phone: "13800000006", Branch: "Other"})

	got := h.Say(org, "/invite 138 0000 0005")
	prefix := "https://t.me/" + h.Bot.Username() + "?start="
	i := strings.Index(got.Text, prefix)
	if i < 0 || !strings.Contains(got.Text, "赵大爷") {
		t.Fatalf("invite reply %q", got.Text)
	}
	code := strings.Fields(got.Text[i+len(prefix):])[0]
	if !strings.Contains(got.Text, "Wed 23 Dec 10:00") {
		t.Fatalf("expiry not shown in the association's time: %q", got.Text)
	}
	// The link works for the member.
	u := fakeapi.User{ID: 950, FirstName: "Zhao", LanguageCode: "zh"}
	if reply := h.Say(u, "/start "+code); !strings.Contains(reply.Text, "赵大爷") {
		t.Fatalf("invite link answered %q", reply.Text)
	}
	// Another branch's member: answered like an unknown number (no roster probing).
	if got := h.Say(org, "/invite 13800000006"); got.Text != h.T(locales.En, "invite.not_found", "Phone", "+8613800000006") {
		t.Fatalf("outside branch: %q", got.Text)
	}
	if got := h.Say(org, "/invite"); got.Text != h.T(locales.En, "invite.usage") {
		t.Fatalf("no args: %q", got.Text)
	}
	if got := h.Say(org, "/invite hello"); got.Text != h.T(locales.En, "invite.bad_phone", "Phone", "hello") {
		t.Fatalf("bad phone: %q", got.Text)
	}
	if got := h.Say(org, "/invite 13700000000"); got.Text != h.T(locales.En, "invite.not_found", "Phone", "+8613700000000") {
		t.Fatalf("not on roster: %q", got.Text)
	}
}

func TestConfiguredAdminAndMenus(t *testing.T) {
	h := bottest.New(t, bottest.WithAdmins(4242))
	admin := fakeapi.User{ID: 4242, FirstName: "Root", LanguageCode: "en"}
	got := h.Say(admin, "/start")
	if got.Text != h.T(locales.En, "start.welcome_back", "Name", "Root") {
		t.Fatalf("admin greeted %q", got.Text)
	}
	if got := h.Say(admin, "/help"); got.Text != h.T(locales.En, "help.organizer") {
		t.Fatalf("admin help %q", got.Text)
	}
	h.WaitFor("menus", func() bool {
		var def, en, adminMenu bool
		for _, cs := range h.API.Commands() {
			switch {
			case cs.Scope == "default" && cs.LanguageCode == "":
				def = cs.Commands[0].Description == h.T(locales.ZhHans, "cmd.start")
			case cs.Scope == "default" && cs.LanguageCode == "en":
				en = cs.Commands[0].Description == h.T(locales.En, "cmd.start")
			case cs.Scope == "chat:4242":
				for _, c := range cs.Commands {
					adminMenu = adminMenu || c.Command == "invite"
				}
			}
		}
		return def && en && adminMenu
	})
}

func TestOptionalCallsRefusedKeepTheBotWorking(t *testing.T) {
	h := bottest.New(t, func(h *bottest.Harness, _ *bot.Config) { h.API.Refuse("setMyCommands") })
	u := fakeapi.User{ID: 1, FirstName: "A", LanguageCode: "en"}
	if got := h.Say(u, "/start"); got.Text != h.T(locales.En, "start.stranger", "Name", "A") {
		t.Fatalf("with setMyCommands refused: %q", got.Text)
	}
	// The menus are set beside polling: the refusal is logged when it comes.
	h.WaitFor("the refusal logged as a warning", func() bool { return strings.Contains(h.Logs.String(), "setMyCommands refused") })
}

func TestGroupChatsGetPointedToPrivate(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "王芳", Phone: "13800138000"})
	u := fakeapi.User{ID: 600, FirstName: "Fang", LanguageCode: "en"}
	h.Link("13800138000", u)
	h.API.Inject([]byte(`{"message":{"message_id":5,"date":1,"from":{"id":600,"is_bot":false,"first_name":"Fang","language_code":"en"},"chat":{"id":-100123,"type":"supergroup","title":"Village"},"text":"/help@` + h.Bot.Username() + `","entities":[{"type":"bot_command","offset":0,"length":5}]}}`))
	got := h.Nth(-100123, 1)
	if got.Text != h.T(locales.En, "group.private_only", "Bot", h.Bot.Username()) || len(got.Keyboard) != 0 {
		t.Fatalf("group answer %q", got.Text)
	}
}

func TestBlockedReplyMarksTheMemberUnreachableUntilTheyWriteAgain(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "A", Phone: "13800138000"})
	u := fakeapi.User{ID: 600, FirstName: "A", LanguageCode: "en"}
	h.Link("13800138000", u)
	h.API.Block(u.ID)
	h.API.SendText(u, "/help")
	h.WaitFor("the member marked unreachable", func() bool {
		m, _ := h.St.MemberByTelegramID(ctx, u.ID)
		return m.Status == models.StatusUnreachable
	})
	h.API.Unblock(u.ID)
	if got := h.Say(u, "/help"); got.Text != h.T(locales.En, "help.member") {
		t.Fatalf("after unblocking: %q", got.Text)
	}
	if m, _ := h.St.MemberByTelegramID(ctx, u.ID); m.Status != models.StatusActive {
		t.Fatalf("status %s after writing again", m.Status)
	}
}

// TestLanguageFromTheFirstTap: members who join by an invitation link or by
// sharing their phone, and never write again, get the next announcement
// in their Telegram language (en, zh-hant), not the deployment's default.
func TestLanguageFromTheFirstTap(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	byLink := h.Add(store.NewMember{Name: "Ann", Phone: "13800000001", Branch: "Town"})
	h.Add(store.NewMember{Name: "陳美玲", Phone: "13800000002", Branch: "Town"})
	code, _, err := h.St.CreateInvite(ctx, byLink.ID, store.DefaultInviteTTL, h.Clock())
	if err != nil {
		t.Fatal(err)
	}
	ann := fakeapi.User{ID: 601, FirstName: "Ann", LanguageCode: "en"}
	mei := fakeapi.User{ID: 602, FirstName: "美玲", LanguageCode: "zh-hant"}
	h.Say(ann, "/start "+code)
	h.API.Meet(mei)
	n := len(h.API.Messages(mei.ID))
	h.API.SendContact(mei, fakeapi.Contact{PhoneNumber: "+86 138 0000 0002", UserID: mei.ID})
	h.Nth(mei.ID, n+1)
	e := &models.Event{Kind: models.EventMeeting, Title: "月度例会", Location: "村委会", StartAt: h.Clock().Add(72 * time.Hour), Audience: "branch:Town", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	for _, c := range []struct {
		u    fakeapi.User
		lang locales.Lang
	}{{ann, locales.En}, {mei, locales.ZhHant}} {
		last := func() fakeapi.Message { ms := h.API.Messages(c.u.ID); return ms[len(ms)-1] }
		h.WaitFor("the announcement", func() bool { return strings.Contains(last().Text, "月度例会") })
		got := last()
		want := h.T(c.lang, "rsvp.button.yes")
		if !bottest.Contains(bottest.InlineTexts(got), want) {
			t.Fatalf("%s got the announcement with buttons %v, want %q", c.u.FirstName, bottest.InlineTexts(got), want)
		}
	}
}
