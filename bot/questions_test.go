package bot_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

// TestAQuestionIsAnsweredOnce, with a frozen clock: a member's words the bot
// does not understand are offered, with the matching frequent question in
// the member's language, as a question to the organizers; sent, it reaches
// both organizers of the branch with ↩️; the first answer reaches the
// member once, quoting the question; the other organizer's ↩️ says who
// answered, and their answer changes nothing. A question left unanswered
// is on each organizer's list the next day and goes to the branch above
// after three. A stranger, a member who did not ask, and an organizer of
// another branch can neither send nor answer: their forged taps change no
// row.
func TestAQuestionIsAnsweredOnce(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	people := map[string]fakeapi.User{}
	for i, p := range []struct {
		name, phone, branch string
		role                models.Role
		lang                string
	}{
		{"张组长", "13900000001", "东城镇/李家村", models.RoleOrganizer, "zh-Hans"},
		{"李组长", "13900000002", "东城镇/李家村", models.RoleOrganizer, "zh-Hans"},
		{"镇组长", "13900000003", "东城镇", models.RoleOrganizer, "zh-Hans"},
		{"西组长", "13900000004", "西城镇", models.RoleOrganizer, "zh-Hans"},
		{"王芳", "13800000001", "东城镇/李家村", "", "zh-Hans"},
		{"陳美玲", "13800000002", "东城镇/李家村", "", "zh-Hant"},
	} {
		u := fakeapi.User{ID: int64(700 + i), FirstName: p.name, LanguageCode: "zh"}
		h.Add(store.NewMember{Name: p.name, Phone: p.phone, Branch: p.branch, Role: p.role, Lang: p.lang})
		h.Link(p.phone, u)
		people[p.name] = u
	}
	zhang, li, town, west, wang, chen := people["张组长"], people["李组长"], people["镇组长"], people["西组长"], people["王芳"], people["陳美玲"]
	for _, f := range []models.FAQ{
		{Lang: "zh-Hans", Question: "孕前优生健康检查在哪里做？", Answer: "在镇卫生院二楼，周一至周五上午，免费。", Keywords: "孕前检查,孕检"},
		{Lang: "zh-Hant", Question: "孕前優生健康檢查在哪裡做？", Answer: "在鎮衛生院二樓，週一至週五上午，免費。", Keywords: "孕前檢查"},
		{Lang: "zh-Hans", Question: "会员活动日是哪天？", Answer: "每年5月29日。"},
	} {
		if err := h.St.AddFAQ(ctx, &f, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	rows := func() string {
		s, err := storetest.Dump(ctx, h.DSN, "SELECT id, member_id, status, answered_by, answer, escalated FROM inquiries ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		o, err := storetest.Dump(ctx, h.DSN, "SELECT kind, member_id FROM outboxes WHERE kind LIKE 'inquiry%' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		return s + o
	}

	// The offer: the frequent question of her language first.
	offer := h.Say(wang, "请问孕前检查在哪里做？")
	buttons := bottest.InlineTexts(offer)
	if offer.Text != zh("inquiry.offer_faq", "Count", 1) || len(buttons) != 2 || buttons[0] != "❓ 孕前优生健康检查在哪里做？" || buttons[1] != zh("inquiry.button.send") {
		t.Fatalf("the offer %q %v", offer.Text, buttons)
	}
	n := len(h.API.Messages(wang.ID))
	h.Press(wang, offer, buttons[0])
	if got := h.Nth(wang.ID, n+1); !strings.Contains(got.Text, "在镇卫生院二楼") {
		t.Fatalf("the answer of the frequent question: %q", got.Text)
	}
	// In Traditional Chinese, its own.
	if got := bottest.InlineTexts(h.Say(chen, "請問孕前檢查在哪裡做？")); len(got) == 0 || got[0] != "❓ 孕前優生健康檢查在哪裡做？" {
		t.Fatalf("陳美玲's offer %v", got)
	}

	// Forged sends: a stranger, another member, before the real tap.
	q, err := h.St.InquiryByID(ctx, 1)
	if err != nil || q.Status != models.InquiryDraft {
		t.Fatalf("the draft %+v %v", q, err)
	}
	before := rows()
	stranger := fakeapi.User{ID: 799, FirstName: "Stranger", LanguageCode: "zh"}
	send := models.Callback{Action: models.ActInquiry, ID: q.ID, Op: "s"}.Encode()
	for _, u := range []fakeapi.User{stranger, chen, west} {
		h.CallbackAnswer(h.API.SendCallback(u, u.ID, 0, send))
	}
	if after := rows(); after != before {
		t.Fatalf("forged sends changed rows:\n%s\n%s", before, after)
	}

	// Sent: both organizers of the village get it, nobody else.
	if got := h.Press(wang, offer, zh("inquiry.button.send")); got != zh("inquiry.sent_short") {
		t.Fatalf("send: %q", got)
	}
	h.WaitFor("the offer edited", func() bool { return h.Message(wang.ID, offer.ID).Text == zh("inquiry.sent") })
	asked := map[int64]fakeapi.Message{}
	h.WaitFor("the question at both organizers", func() bool {
		for _, u := range []fakeapi.User{zhang, li} {
			if m, ok := h.API.Last(u.ID); ok && strings.Contains(m.Text, "请问孕前检查在哪里做？") {
				asked[u.ID] = m
			}
		}
		return len(asked) == 2
	})
	// Nobody else: the stored messages of the question are to those two
	// only (not the town's organizer, not the other town's).
	var want []string
	for _, u := range []fakeapi.User{zhang, li} {
		m, err := h.St.MemberByTelegramID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("member_id=%d", m.ID))
	}
	sort.Strings(want)
	got, err := storetest.Dump(ctx, h.DSN, "SELECT member_id FROM outboxes WHERE kind = 'inquiry.ask' ORDER BY member_id")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(strings.Fields(got), " ") != strings.Join(want, " ") {
		t.Fatalf("the question went to %q, want %v (the village's two organizers)", got, want)
	}
	// A second tap on the old button sends nothing more.
	if got := h.CallbackAnswer(h.API.SendCallback(wang, wang.ID, offer.ID, send)); got != zh("inquiry.gone") {
		t.Fatalf("a second send: %q", got)
	}

	// Another branch's organizer cannot answer it, even forged.
	before = rows()
	reply := models.Callback{Action: models.ActInquiry, ID: q.ID, Op: "r"}.Encode()
	if got := h.CallbackAnswer(h.API.SendCallback(west, west.ID, 0, reply)); got != zh("inquiry.not_yours") {
		t.Fatalf("another branch's ↩️: %q", got)
	}
	if got := h.CallbackAnswer(h.API.SendCallback(chen, chen.ID, 0, reply)); got != h.T(locales.ZhHant, "inquiry.not_yours") {
		t.Fatalf("a member's ↩️: %q", got)
	}
	// No dialog was opened: their words are a draft of their own.
	if got := h.Say(west, "是镇卫生院"); got.Text != zh("inquiry.offer") {
		t.Fatalf("西组长's words after a refused ↩️: %q", got.Text)
	}
	if after := rows(); !strings.HasPrefix(after, strings.SplitAfter(before, "\n")[0]) || strings.Contains(after, "status=answered") || strings.Count(after, "inquiry.") != strings.Count(before, "inquiry.") {
		t.Fatalf("refused answers changed the question:\n%s\n%s", before, after)
	}

	// 张组长 answers; 王芳 gets it once, the question quoted.
	n = len(h.API.Messages(wang.ID))
	h.Press(zhang, asked[zhang.ID], zh("inquiry.button.reply", "Name", "王芳"))
	if got := h.Say(zhang, "在镇卫生院二楼，带身份证。"); got.Text != zh("inquiry.answer_sent", "Name", "王芳") {
		t.Fatalf("answered: %q", got.Text)
	}
	answer := h.Nth(wang.ID, n+1)
	if want := zh("inquiry.answer", "Name", "张组长", "Question", "请问孕前检查在哪里做？", "Answer", "在镇卫生院二楼，带身份证。"); answer.Text != want {
		t.Fatalf("王芳 got %q, want %q", answer.Text, want)
	}
	// 李组长 comes second: told who answered, and their words go nowhere.
	if got := h.Press(li, asked[li.ID], zh("inquiry.button.reply", "Name", "王芳")); got != zh("inquiry.answered_by", "Name", "张组长") {
		t.Fatalf("李组长's ↩️: %q", got)
	}
	if got, err := h.St.AnswerInquiry(ctx, q.ID, memberOf(t, h, li), models.Scope{Paths: []string{"东城镇/李家村"}}, "另一个回答", h.Clock()); err == nil || got != nil {
		t.Fatalf("a second answer stored: %+v %v", got, err)
	}
	q, _ = h.St.InquiryByID(ctx, q.ID)
	if q.Status != models.InquiryAnswered || q.Answer != "在镇卫生院二楼，带身份证。" || q.AnsweredBy == nil || *q.AnsweredBy != memberOf(t, h, zhang).ID {
		t.Fatalf("the question %+v", q)
	}
	if got, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindInquiryAnswer}); len(got) != 1 {
		t.Fatalf("%d answers enqueued, want 1", len(got))
	}
	// The card shows it to the branch's organizer.
	if card := h.Say(zhang, "/member 13800000001"); !strings.Contains(card.Text, "请问孕前检查在哪里做？ — "+zh("member.question_answered")) {
		t.Fatalf("the card: %q", card.Text)
	}

	// A question nobody answers: on each organizer's list the next day,
	// to the town after three.
	other := h.Say(wang, "下个月的会员大会在哪里开")
	h.Press(wang, other, zh("inquiry.button.send"))
	job := scheduler.Inquiries{Store: h.St, Location: bottest.Shanghai}
	lists := func() map[uint]int {
		got, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindInquiryList})
		out := map[uint]int{}
		for _, r := range got {
			out[*r.MemberID]++
		}
		return out
	}
	if c, err := job.Run(ctx, h.Clock().Add(time.Hour)); err != nil || c["lists"] != 0 {
		t.Fatalf("lists an hour later: %v %v", c, err)
	}
	start := h.Clock()
	h.SetNow(start.Add(25 * time.Hour))
	for range 2 { // twice the same day: one list each
		if _, err := job.Run(ctx, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	if got := lists(); len(got) != 2 || got[memberOf(t, h, zhang).ID] != 1 || got[memberOf(t, h, li).ID] != 1 {
		t.Fatalf("the next day's lists %v", got)
	}
	h.Dispatcher.Wake()
	h.WaitFor("张组长's list", func() bool {
		m, _ := h.API.Last(zhang.ID)
		return strings.HasPrefix(m.Text, "❓ 等待回答的问题（1 个）") && strings.Contains(m.Text, "下个月的会员大会在哪里开") &&
			bottest.Contains(bottest.InlineTexts(m), zh("inquiry.button.reply", "Name", "王芳"))
	})
	h.SetNow(start.Add(73 * time.Hour))
	if c, err := job.Run(ctx, h.Clock()); err != nil || c["escalated"] != 1 {
		t.Fatalf("three days on: %v %v", c, err)
	}
	if c, _ := job.Run(ctx, h.Clock().Add(time.Hour)); c["escalated"] != 0 {
		t.Fatalf("escalated twice: %v", c)
	}
	up, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindInquiry, MemberID: memberOf(t, h, town).ID})
	if len(up) != 1 {
		t.Fatalf("the town's organizer got %d escalations", len(up))
	}
	if qs, _ := h.St.InquiriesOf(ctx, memberOf(t, h, wang).ID, 1); len(qs) != 1 || qs[0].Status != models.InquiryOpen || !qs[0].Escalated {
		t.Fatalf("the unanswered question %+v", qs)
	}
	// Drafts never sent are forgotten after a day.
	if got, _ := storetest.Dump(ctx, h.DSN, "SELECT id FROM inquiries WHERE status = 'draft'"); got != "" {
		t.Fatalf("drafts kept: %s", got)
	}
	// The town's organizer may answer it now.
	h.Dispatcher.Wake()
	h.WaitFor("the escalation", func() bool {
		m, _ := h.API.Last(town.ID)
		return strings.HasPrefix(m.Text, "❓ 三天无人回答") && strings.Contains(m.Text, "下个月的会员大会在哪里开")
	})
	// 张组长 taps ↩️ and writes only 31 minutes later: asked again, and
	// his words are neither the answer nor a question of his own.
	list, _ := h.API.Last(zhang.ID)
	h.Press(zhang, list, zh("inquiry.button.reply", "Name", "王芳"))
	before = rows()
	// (A dialog keeps the wall clock's time of its last step.)
	h.SetNow(time.Now().Add(31 * time.Minute))
	h.API.SendText(zhang, "在镇文化中心")
	h.WaitFor("the late answer refused", func() bool {
		m, _ := h.API.Last(zhang.ID)
		return m.Text == zh("inquiry.reply_expired")
	})
	if after := rows(); after != before {
		t.Fatalf("a late answer changed rows:\n%s\n%s", before, after)
	}
	h.SetNow(time.Now())
	m, _ := h.API.Last(town.ID)
	h.Press(town, m, zh("inquiry.button.reply", "Name", "王芳"))
	if got := h.Say(town, "镇文化中心二楼。"); got.Text != zh("inquiry.answer_sent", "Name", "王芳") {
		t.Fatalf("the town answers: %q", got.Text)
	}
}
