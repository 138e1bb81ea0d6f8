package bot_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// surveyPeople adds four linked members of Town/East.
func surveyPeople(t *testing.T, h *bottest.Harness) []fakeapi.User {
	t.Helper()
	var us []fakeapi.User
	for i := range 4 {
		u := fakeapi.User{ID: int64(700 + i), FirstName: "M" + string(rune('A'+i)), LanguageCode: "en"}
		phone := "1370000000" + string(rune('1'+i))
		h.Add(store.NewMember{Name: u.FirstName, Phone: phone, Branch: "Town/East", Lang: "en"})
		h.Link(phone, u)
		us = append(us, u)
	}
	return us
}

func surveyCounts(t *testing.T, h *bottest.Harness) string {
	t.Helper()
	s, err := storetest.Dump(ctx, h.DSN, "SELECT survey_id, question_id, member_id, choice FROM survey_answers ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	f, err := storetest.Dump(ctx, h.DSN, "SELECT member_id, answered, commented, finished_at IS NOT NULL FROM survey_takers ORDER BY member_id")
	if err != nil {
		t.Fatal(err)
	}
	c, err := storetest.Dump(ctx, h.DSN, "SELECT survey_id, question_id, member_id, text FROM survey_comments ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	f += "\n" + c
	return s + "\n" + f
}

// TestSatisfactionSurveyEndToEnd: a one-question satisfaction survey to a
// branch of four; three answer 非常满意, 满意, 不满意 by taps on the
// survey message, which turns into a thank-you; the results say 3 of 4
// answered and a satisfaction rate of 67 % (2 of 3); the fourth gets
// exactly one reminder a day before it closes; after closing, a tap
// changes nothing.
func TestSatisfactionSurveyEndToEnd(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	us := surveyPeople(t, h)
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	closes := h.Clock().Add(48 * time.Hour)
	sv := &models.Survey{Title: "Our activity day", Audience: "branch:Town/East", ClosesAt: &closes, RemindHours: 24,
		Questions: []models.SurveyQuestion{{Kind: models.QuestionSatisfaction, Text: "How satisfied are you with the activity day?"}}}
	asked, err := h.St.CreateSurvey(ctx, sv, h.Clock())
	if err != nil || asked != 4 {
		t.Fatalf("asked %d: %v", asked, err)
	}
	h.Dispatcher.Wake()
	msgs := make([]fakeapi.Message, 4)
	for i, u := range us {
		msgs[i] = h.Nth(u.ID, 1)
		if !strings.Contains(msgs[i].Text, "Our activity day (1/1)") || !strings.Contains(msgs[i].Text, "1. Very satisfied") {
			t.Fatalf("the survey message: %q", msgs[i].Text)
		}
	}
	for i, label := range []string{"Very satisfied", "Satisfied", "Dissatisfied"} {
		if got := h.Press(us[i], msgs[i], label); got != en("survey.saved") {
			t.Fatalf("%s: %q", label, got)
		}
		h.WaitFor("the thank-you", func() bool { return strings.HasPrefix(h.Message(us[i].ID, msgs[i].ID).Text, "🙏") })
		if got := h.Message(us[i].ID, msgs[i].ID).Text; !strings.Contains(got, "How satisfied are you with the activity day? — "+label) {
			t.Fatalf("the thank-you: %q", got)
		}
	}
	tally, err := h.St.SurveyTallyOf(ctx, sv)
	if err != nil {
		t.Fatal(err)
	}
	f := reports.Figures(sv, tally)
	text := reports.SurveyText(h.Cat, locales.En, bottest.Shanghai, sv, f)
	if f.Asked != 4 || f.Answered != 3 || !strings.Contains(text, "Answered: 3 of 4 (75%)") || !strings.Contains(text, "Satisfaction: 67% (2 of 3)") {
		t.Fatalf("results %+v:\n%s", f, text)
	}
	// A day before it closes, the fourth is reminded, once.
	at := closes.Add(-23 * time.Hour)
	for range 2 {
		if _, err := h.St.PlanSurveyReminders(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSurveyRemind})
	fourth, _ := h.St.MemberByTelegramID(ctx, us[3].ID)
	if len(rows) != 1 || *rows[0].MemberID != fourth.ID {
		t.Fatalf("reminders %+v, want one to the fourth", rows)
	}
	// Closed: a tap changes nothing.
	if closed, err := h.St.CloseSurvey(ctx, sv.ID, h.Clock()); err != nil || !closed {
		t.Fatalf("close: %v %v", closed, err)
	}
	before := surveyCounts(t, h)
	if got := h.Press(us[3], msgs[3], "Neutral"); got != en("survey.closed") {
		t.Fatalf("after closing: %q", got)
	}
	if after := surveyCounts(t, h); after != before {
		t.Fatalf("a tap after closing changed rows:\n%s\nwas\n%s", after, before)
	}
}

// TestAnonymousSurveyKeepsNoLink: in an anonymous survey the answers have
// no member, the buttons carry a ballot only the member's message holds,
// a member can change their answers with it, and a forged tap (no ballot
// after answering, an invented ballot, another's survey, a question or
// answer that does not exist) is refused and changes no row.
func TestAnonymousSurveyKeepsNoLink(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	us := surveyPeople(t, h)
	outsider := fakeapi.User{ID: 790, FirstName: "Out", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Out", Phone: "13700000099", Branch: "West", Lang: "en"})
	h.Link("13700000099", outsider)
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	sv := &models.Survey{Title: "Services", Audience: "branch:Town/East", Anonymous: true, Questions: []models.SurveyQuestion{
		{Kind: models.QuestionSatisfaction, Text: "Our services?"},
		{Kind: models.QuestionChoice, Text: "Best day?", Options: "Saturday|Sunday"},
	}}
	if _, err := h.St.CreateSurvey(ctx, sv, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	msg := h.Nth(us[0].ID, 1)
	h.Press(us[0], msg, "Satisfied")
	h.WaitFor("the second question", func() bool { return strings.Contains(h.Message(us[0].ID, msg.ID).Text, "Best day?") })
	h.Press(us[0], h.Message(us[0].ID, msg.ID), "Sunday")
	h.WaitFor("the thank-you", func() bool { return strings.HasPrefix(h.Message(us[0].ID, msg.ID).Text, "🙏") })
	// Change: the first question again, with the same ballot.
	h.Press(us[0], h.Message(us[0].ID, msg.ID), en("survey.button.change"))
	h.WaitFor("the first question again", func() bool { return strings.HasPrefix(h.Message(us[0].ID, msg.ID).Text, "📝 Services (1/2)") })
	h.Press(us[0], h.Message(us[0].ID, msg.ID), "Very dissatisfied")
	h.WaitFor("the second question again", func() bool { return strings.HasPrefix(h.Message(us[0].ID, msg.ID).Text, "📝 Services (2/2)") })
	// One row a question, the first changed to 5; none names a member.
	if got, _ := storetest.Dump(ctx, h.DSN, "SELECT COUNT(*) AS n, SUM(CASE WHEN member_id IS NULL THEN 0 ELSE 1 END) AS named, MAX(choice) AS top FROM survey_answers"); got != "n=2 named=0 top=5 \n" {
		t.Fatalf("anonymous answers stored: %q", got)
	}
	before := surveyCounts(t, h)
	forged := []struct {
		who  fakeapi.User
		data string
		want string
	}{
		{us[0], models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "1.1"}.Encode(), en("survey.answered_before")},
		{us[0], models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "1.1", Arg: "AAAAAAAAAAAAAAAA"}.Encode(), en("survey.answered_before")},
		{us[1], models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "3.1"}.Encode(), en("survey.bad_answer")},
		{us[1], models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "1.6"}.Encode(), en("survey.bad_answer")},
		{outsider, models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "1.1"}.Encode(), en("survey.not_asked")},
		{us[1], models.Callback{Action: models.ActSurvey, ID: sv.ID + 7, Op: "1.1"}.Encode(), en("survey.not_asked")},
		{us[1], "sv:1:x.y:", en("callback.invalid")},
	}
	for _, f := range forged {
		id := h.API.SendCallback(f.who, f.who.ID, 1, f.data)
		if got := h.CallbackAnswer(id); got != f.want {
			t.Errorf("%s %q: %q, want %q", f.who.FirstName, f.data, got, f.want)
		}
	}
	if after := surveyCounts(t, h); after != before {
		t.Fatalf("forged taps changed rows:\n%s\nwas\n%s", after, before)
	}
	if named, err := h.St.NamedSurveyAnswers(ctx, sv); err != nil || named != nil {
		t.Fatalf("named answers of an anonymous survey: %v %v", named, err)
	}
}

// TestSMSMembersAnswerSurveysByDigits: a member without Telegram gets the
// first question by SMS with its answers numbered, answers with a digit
// (or the answer's words: 满意, 是),
// gets the next question, and after the last a thank-you; the answers are
// stored as a tap's would be.
func TestSMSMembersAnswerSurveysByDigits(t *testing.T) {
	h := smsHarness(t, dispatch.SMSConfig{}, "survey.ask", "sms.ack")
	zhao := h.Add(store.NewMember{Name: "赵大爷", Phone: "13800000005", Branch: "Town"})
	sv := &models.Survey{Title: "满意度", Audience: "branch:Town", Questions: []models.SurveyQuestion{
		{Kind: models.QuestionSatisfaction, Text: "您对活动满意吗？"}, {Kind: models.QuestionYesNo, Text: "还想参加吗？"}}}
	if _, err := h.St.CreateSurvey(ctx, sv, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	h.WaitFor("the first question by SMS", func() bool { return len(h.SMS.To("+8613800000005")) == 1 })
	first := h.SMS.To("+8613800000005")[0]
	if strings.Join(first.Params, "|") != "满意度|您对活动满意吗？|1. 非常满意 2. 满意 3. 一般 4. 不满意 5. 很不满意" {
		t.Fatalf("the first question: %q", first.Params)
	}
	// A member replies once the SMS is recorded sent (the gateway has it a
	// moment before the dispatcher's commit).
	recorded := func(n int) {
		h.WaitFor("the question recorded sent", func() bool {
			rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSurveyAsk, MemberID: zhao.ID, Status: outbox.Sent})
			return len(rows) == n
		})
	}
	recorded(1)
	reply := h.SMSCallbacks + "/reply?key=" + h.SMSKey
	// Words answer as the digit would: 满意 is 2.
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", " 满意！", time.Unix(1000, 0)))
	h.WaitFor("the second question by SMS", func() bool { return len(h.SMS.To("+8613800000005")) == 2 })
	if got := h.SMS.To("+8613800000005")[1].Params; got[1] != "还想参加吗？" || got[2] != "1. 是 2. 否" {
		t.Fatalf("the second question: %q", got)
	}
	recorded(2)
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", "是", time.Unix(1001, 0)))
	h.WaitFor("the thank-you", func() bool { return len(h.SMS.To("+8613800000005")) == 3 })
	named, err := h.St.NamedSurveyAnswers(ctx, sv)
	if err != nil || len(named) != 2 || named[0].Choice != 2 || named[1].Choice != 1 {
		t.Fatalf("answers %+v %v", named, err)
	}
	if got, _ := storetest.Dump(ctx, h.DSN, "SELECT answered, finished_at IS NOT NULL AS done FROM survey_takers WHERE member_id = "+strconv.Itoa(int(zhao.ID))); got != "answered=2 done=1 \n" && got != "answered=2 done=true \n" {
		t.Fatalf("taker: %q", got)
	}
	// A digit again after the last: the thank-you's question is no survey
	// question, so it goes to the organizers; no answer changes.
	before := surveyCounts(t, h)
	smsCallback(t, h, fakesms.Reply(http.DefaultClient, reply, "+8613800000005", "3", time.Unix(1002, 0)))
	if after := surveyCounts(t, h); after != before {
		t.Fatalf("a digit after the last changed answers")
	}
}

// TestOrganizersReadSurveyResults: /surveys lists the surveys an
// organizer may reach with 📊 for the results; an organizer of another
// branch sees none and a forged 📊 is refused.
func TestOrganizersReadSurveyResults(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	us := surveyPeople(t, h)
	org := fakeapi.User{ID: 800, FirstName: "Org", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Org", Phone: "13700000080", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13700000080", org)
	other := fakeapi.User{ID: 801, FirstName: "Other", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Other", Phone: "13700000081", Branch: "West", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13700000081", other)
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	sv := &models.Survey{Title: "Services", Audience: "branch:Town/East",
		Questions: []models.SurveyQuestion{{Kind: models.QuestionSatisfaction, Text: "Satisfied?"}}}
	if _, err := h.St.CreateSurvey(ctx, sv, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	h.Press(us[0], h.Nth(us[0].ID, 1), "Satisfied")
	list := h.Say(org, "/surveys")
	if !strings.Contains(list.Text, en("survey.list.line", "ID", sv.ID, "Title", "Services", "Answered", 1, "Asked", 4, "State", en("survey.list.open"))) {
		t.Fatalf("/surveys: %q", list.Text)
	}
	n := len(h.API.Messages(org.ID))
	h.Press(org, list, en("survey.button.results", "Title", "Services"))
	h.WaitFor("the results", func() bool { return len(h.API.Messages(org.ID)) > n })
	if got := h.Nth(org.ID, n+1).Text; !strings.Contains(got, "Answered: 1 of 4 (25%)") || !strings.Contains(got, "Satisfaction: 100% (1 of 1)") {
		t.Fatalf("results: %q", got)
	}
	if got := h.Say(other, "/surveys").Text; got != en("survey.list.none") {
		t.Fatalf("another branch's organizer: %q", got)
	}
	id := h.API.SendCallback(other, other.ID, 1, models.Callback{Action: models.ActSurveyResults, ID: sv.ID}.Encode())
	if got := h.CallbackAnswer(id); got != en("auth.not_your_branch") {
		t.Fatalf("a forged 📊: %q", got)
	}
	if got := h.Say(us[1], "/surveys").Text; got != en("auth.organizers_only", "Command", "/surveys") {
		t.Fatalf("a member: %q", got)
	}
	// The weekly digest carries the open survey's response, to its
	// branches' organizer only.
	d, err := h.St.DigestFor(ctx, mustMember(t, h, "13700000080"), models.Scope{Paths: []string{"Town"}},
		store.DigestWindow{Week: h.Clock(), Now: h.Clock(), QuarterStart: h.Clock().AddDate(0, -1, 0)}, bottest.Shanghai)
	if err != nil || len(d.Surveys) != 1 || d.Surveys[0].Answered != 1 || d.Surveys[0].Asked != 4 {
		t.Fatalf("the digest's surveys: %+v %v", d, err)
	}
	msg := planner.WeeklyDigest(1, models.Day(h.Clock()), d, h.Clock())
	text, _, _ := planner.Text(h.Cat, locales.En, bottest.Shanghai, h.Clock(), &msg.Rows([]planner.Recipient{{MemberID: 1, ChatID: 1}})[0])
	if !strings.Contains(text, en("digest.survey_line", "Title", "Services", "Answered", 1, "Asked", 4, "Rate", 25)) {
		t.Fatalf("the digest:\n%s", text)
	}
	d, err = h.St.DigestFor(ctx, mustMember(t, h, "13700000081"), models.Scope{Paths: []string{"West"}},
		store.DigestWindow{Week: h.Clock(), Now: h.Clock(), QuarterStart: h.Clock().AddDate(0, -1, 0)}, bottest.Shanghai)
	if err != nil || len(d.Surveys) != 0 {
		t.Fatalf("another branch's digest: %+v %v", d.Surveys, err)
	}
}

func mustMember(t *testing.T, h *bottest.Harness, phone string) *models.Member {
	t.Helper()
	m, err := h.St.MemberByPhone(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNewSurveyInFourInputs: /newsurvey, a branch, the usual question,
// ✅ Send: the branch's members get the survey; ➕ and a typed question
// make more, each with its kind (yes/no; a choice with its options typed,
// too few asked again); a member cannot start one.
func TestNewSurveyInFourInputs(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	us := surveyPeople(t, h)
	org := fakeapi.User{ID: 800, FirstName: "Org", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Org", Phone: "13700000080", Branch: "Town/East", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13700000080", org)
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	ask := h.Say(org, "/newsurvey") // 1
	h.Press(org, ask, "Town/East")  // 2
	h.WaitFor("the question step", func() bool { return h.Message(org.ID, ask.ID).Text == en("survey.new.question") })
	h.Press(org, h.Message(org.ID, ask.ID), en("survey.new.suggested")) // 3
	h.WaitFor("the preview", func() bool { return strings.HasPrefix(h.Message(org.ID, ask.ID).Text, "📝 Survey to") })
	h.Press(org, h.Message(org.ID, ask.ID), en("survey.new.more"))
	h.WaitFor("the question step again", func() bool { return h.Message(org.ID, ask.ID).Text == en("survey.new.question") })
	// One's own question, answered yes or no.
	kinds := h.Say(org, "Are the meeting times convenient?")
	if kinds.Text != en("survey.new.kind") {
		t.Fatalf("the kind step: %q", kinds.Text)
	}
	h.Press(org, kinds, en("survey.new.kind.yesno"))
	h.WaitFor("the preview", func() bool { return strings.HasPrefix(h.Message(org.ID, kinds.ID).Text, "📝 Survey to") })
	preview := h.Message(org.ID, kinds.ID)
	if !strings.Contains(preview.Text, "2. Are the meeting times convenient? (yes / no)") || !strings.Contains(preview.Text, "5 members") {
		t.Fatalf("the preview: %q", preview.Text)
	}
	// And a choice, its options typed: too few are asked again.
	h.Press(org, preview, en("survey.new.more"))
	h.WaitFor("the question step again", func() bool { return h.Message(org.ID, preview.ID).Text == en("survey.new.question") })
	kinds = h.Say(org, "Which day suits you?")
	h.Press(org, kinds, en("survey.new.kind.choice"))
	h.WaitFor("the options step", func() bool {
		return h.Message(org.ID, kinds.ID).Text == en("survey.new.options", "Max", models.MaxOptions)
	})
	if got := h.Say(org, "Saturday").Text; got != en("survey.new.bad_options", "Max", models.MaxOptions, "Chars", models.MaxOptionText) {
		t.Fatalf("one option: %q", got)
	}
	preview = h.Say(org, "Saturday\nSunday | Monday")
	if !strings.Contains(preview.Text, "3. Which day suits you? (Saturday / Sunday / Monday)") {
		t.Fatalf("the preview: %q", preview.Text)
	}
	h.Press(org, preview, en("survey.new.send")) // 4 (+ the other questions)
	h.WaitFor("sent", func() bool { return strings.HasPrefix(h.Message(org.ID, preview.ID).Text, "📤") })
	svs, _ := h.St.Surveys(ctx)
	if len(svs) != 1 || len(svs[0].Questions) != 3 || svs[0].Questions[0].Text != en("survey.new.suggested_text") || svs[0].ClosesAt == nil ||
		svs[0].Questions[1].Kind != models.QuestionYesNo || svs[0].Questions[2].Kind != models.QuestionChoice || svs[0].Questions[2].Options != "Saturday|Sunday|Monday" {
		t.Fatalf("surveys %+v", svs)
	}
	h.Dispatcher.Wake()
	if got := h.Nth(us[0].ID, 1).Text; !strings.Contains(got, en("survey.new.suggested_text")) {
		t.Fatalf("the member got %q", got)
	}
	h.Nth(us[1].ID, 1) // the survey came first: it is not taken for the reply
	if got := h.Say(us[1], "/newsurvey").Text; got != en("auth.organizers_only", "Command", "/newsurvey") {
		t.Fatalf("a member: %q", got)
	}
}

// TestDayAfterSurveyOfThoseWhoCame: the day after an event, the one who
// came (and only they) gets its one-question satisfaction survey, once;
// they answer by a tap, anonymously, and the event's satisfaction rate
// shows in /stats and /records. Before it, a forged rating finds no
// survey; after it, one who said no, a stranger and a forged tap are
// refused and change no row; the buttons of a rating message sent before
// the upgrade answer the same survey, once.
func TestDayAfterSurveyOfThoseWhoCame(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	org := fakeapi.User{ID: 800, FirstName: "Org", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13900000000", org)
	came := fakeapi.User{ID: 801, FirstName: "Came", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Came", Phone: "13800000001", Branch: "Town", Lang: "en"})
	h.Link("13800000001", came)
	changed := fakeapi.User{ID: 802, FirstName: "Changed", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Changed", Phone: "13800000002", Branch: "Town", Lang: "en"})
	h.Link("13800000002", changed)
	stranger := fakeapi.User{ID: 809, FirstName: "Stranger", LanguageCode: "en"}
	occ := time.Date(2026, 11, 27, 9, 30, 0, 0, bottest.Shanghai) // four days after the harness's now
	e := &models.Event{Kind: models.EventActivityDay, Title: "Dance", StartAt: occ, Audience: "branch:Town", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	answer := func(u fakeapi.User, op string) {
		h.CallbackAnswer(h.API.SendCallback(u, u.ID, 0, fmt.Sprintf("rv:%d:%d:%s", e.ID, occ.Unix()/60, op)))
	}
	rate := func(u fakeapi.User, n int) string {
		return h.CallbackAnswer(h.API.SendCallback(u, u.ID, 0, fmt.Sprintf("rt:%d:%d:%d", e.ID, occ.Unix()/60, n)))
	}
	answer(came, "y")
	answer(changed, "y")
	// Before it: a forged rating finds no survey and stores nothing.
	before := surveyCounts(t, h)
	if ans := rate(came, 5); ans != en("survey.not_asked") {
		t.Fatalf("rating before the event: %q", ans)
	}
	answer(changed, "n")
	// Four others came too, and answer without Telegram (as by SMS).
	var others []*models.Member
	for i := range 4 {
		others = append(others, h.Add(store.NewMember{Name: fmt.Sprint("Other", i), Phone: fmt.Sprint("1380000002", i), Branch: "Town"}))
	}
	for _, m := range append([]*models.Member{memberOf(t, h, came)}, others...) {
		if err := h.St.SetCheckIn(ctx, e.ID, occ, m.ID, true, memberOf(t, h, org), bottest.Shanghai, occ.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// The day after, the job opens the survey to the one who came, once.
	now := occ.Add(20 * time.Hour)
	h.SetNow(now)
	job := scheduler.EventSurveys{Store: h.St, Location: bottest.Shanghai}
	for i, want := range []int{5, 0} {
		c, err := job.Run(ctx, now.Add(time.Duration(i)*time.Hour))
		if err != nil || c["asked"] != want {
			t.Fatalf("run %d: %v %v, want %d asked", i+1, c, err, want)
		}
	}
	sv, err := h.St.EventSurvey(ctx, e.ID, occ)
	if err != nil || !sv.Anonymous || len(sv.Questions) != 1 || sv.Questions[0].Kind != models.QuestionSatisfaction {
		t.Fatalf("the day-after survey %+v: %v", sv, err)
	}
	h.Dispatcher.Wake()
	var msg fakeapi.Message
	h.WaitFor("the survey", func() bool {
		for _, m := range h.API.Messages(came.ID) {
			if strings.Contains(m.Text, "How satisfied were you with Dance") {
				msg = m
				return true
			}
		}
		return false
	})
	for _, m := range h.API.Messages(changed.ID) {
		if strings.Contains(m.Text, "How satisfied") {
			t.Fatalf("one who said no was asked: %q", m.Text)
		}
	}
	// Refused, changing nothing: one who said no (a forged tap and the old
	// rating button), a stranger, an answer that does not exist.
	before = surveyCounts(t, h)
	forged := func(u fakeapi.User, data string) string {
		return h.CallbackAnswer(h.API.SendCallback(u, u.ID, 0, data))
	}
	for _, c := range []struct {
		u    fakeapi.User
		data string
		want string
	}{
		{changed, fmt.Sprintf("sv:%d:1.1:", sv.ID), en("survey.not_asked")},
		{changed, fmt.Sprintf("rt:%d:%d:5", e.ID, occ.Unix()/60), en("survey.not_asked")},
		{stranger, fmt.Sprintf("sv:%d:1.1:", sv.ID), h.T(locales.En, "survey.not_asked")},
		{came, fmt.Sprintf("sv:%d:1.9:", sv.ID), en("survey.bad_answer")},
	} {
		if got := forged(c.u, c.data); got != c.want {
			t.Fatalf("%s %s: %q, want %q", c.u.FirstName, c.data, got, c.want)
		}
	}
	if after := surveyCounts(t, h); after != before {
		t.Fatalf("refused taps changed rows:\n%s\nwas\n%s", after, before)
	}
	// The one who came answers with a tap.
	if got := h.Press(came, msg, "Satisfied"); got != en("survey.saved") {
		t.Fatalf("answer: %q", got)
	}
	h.WaitFor("the thank-you", func() bool { return strings.HasPrefix(h.Message(came.ID, msg.ID).Text, "🙏") })
	// The old rating button cannot answer a second time.
	before = surveyCounts(t, h)
	if ans := rate(came, 1); ans != en("survey.answered_before") {
		t.Fatalf("a second answer by the old button: %q", ans)
	}
	if after := surveyCounts(t, h); after != before {
		t.Fatalf("a second answer changed rows:\n%s\nwas\n%s", after, before)
	}
	if !strings.Contains(before, "member_id=<nil>") {
		t.Fatalf("the anonymous answer names its member:\n%s", before)
	}
	// The organizer sees the event's satisfaction rate once five have
	// answered, not before.
	if stats := h.Say(org, "/stats").Text; !strings.Contains(stats, "satisfaction with events: –") {
		t.Fatalf("/stats with one answer:\n%s", stats)
	}
	for i, m := range others {
		if _, err := h.St.AnswerSurvey(ctx, sv.ID, m, 1, []int{1, 2, 4, 5}[i], store.SMSBallot, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	if stats := h.Say(org, "/stats").Text; !strings.Contains(stats, "satisfaction with events: 60% (3/5)") {
		t.Fatalf("/stats:\n%s", stats)
	}
}

// memberOf is the member linked to u.
func memberOf(t *testing.T, h *bottest.Harness, u fakeapi.User) *models.Member {
	t.Helper()
	m, err := h.St.MemberByTelegramID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSurveyCommentsOnceByThoseWhoAnswered: a question that takes a
// comment offers 💬 on the thank-you; the member types it, once. Refused,
// changing no row: a comment before answering, a second one, text that is
// no comment (asked again), and a forged 💬 then text from a stranger, a
// member not asked, a member who left and an organizer of another branch;
// after closing, a comment is refused too.
func TestSurveyCommentsOnceByThoseWhoAnswered(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	us := surveyPeople(t, h)
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	outsider := fakeapi.User{ID: 790, FirstName: "Out", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "Out", Phone: "13700000099", Branch: "West", Lang: "en"})
	h.Link("13700000099", outsider)
	otherOrg := fakeapi.User{ID: 791, FirstName: "OrgW", LanguageCode: "en"}
	h.Add(store.NewMember{Name: "OrgW", Phone: "13700000098", Branch: "West", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13700000098", otherOrg)
	stranger := fakeapi.User{ID: 792, FirstName: "Stranger", LanguageCode: "en"}
	sv := &models.Survey{Title: "Services", Audience: "branch:Town/East", Anonymous: true, Questions: []models.SurveyQuestion{
		{Kind: models.QuestionSatisfaction, Text: "Our services?", Comment: true}}}
	if _, err := h.St.CreateSurvey(ctx, sv, h.Clock()); err != nil {
		t.Fatal(err)
	}
	left := us[3]
	if err := h.St.SetMemberStatus(ctx, memberOf(t, h, left).ID, models.StatusLeft); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	// The survey's messages are all out before anyone types: no late one
	// is taken for a reply.
	h.WaitFor("the survey's messages", func() bool {
		rows, err := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSurveyAsk})
		if err != nil || len(rows) == 0 {
			return false
		}
		for _, r := range rows {
			if r.Status == outbox.Pending || r.Status == outbox.Sending {
				return false
			}
		}
		return true
	})
	comment := func(u fakeapi.User, data, text string) string {
		t.Helper()
		n := len(h.API.Messages(u.ID))
		if ans := h.CallbackAnswer(h.API.SendCallback(u, u.ID, 0, data)); ans != "" {
			return ans
		}
		h.Nth(u.ID, n+1)
		return h.Say(u, text).Text
	}
	k1 := models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "k1"}.Encode()
	// Before answering: refused.
	before := surveyCounts(t, h)
	if got := comment(us[0], k1, "early"); got != en("survey.comment.none") {
		t.Fatalf("a comment before answering: %q", got)
	}
	msg := h.Nth(us[0].ID, 1)
	h.Press(us[0], msg, "Satisfied")
	h.WaitFor("the thank-you", func() bool { return strings.HasPrefix(h.Message(us[0].ID, msg.ID).Text, "🙏") })
	if !bottest.Contains(bottest.InlineTexts(h.Message(us[0].ID, msg.ID)), en("survey.button.comment", "N", 1)) {
		t.Fatalf("no 💬 on the thank-you: %v", bottest.InlineTexts(h.Message(us[0].ID, msg.ID)))
	}
	for _, c := range []struct {
		who  fakeapi.User
		want string
	}{
		{stranger, en("survey.not_asked")},
		{outsider, en("survey.not_asked")},
		{otherOrg, en("survey.not_asked")},
		{left, en("survey.not_asked")},
		{us[1], en("survey.comment.none")}, // asked, not answered
	} {
		if got := comment(c.who, k1, "forged"); got != c.want {
			t.Errorf("%s: %q, want %q", c.who.FirstName, got, c.want)
		}
	}
	// Text that is no comment is asked again; the dialog waits.
	n := len(h.API.Messages(us[0].ID))
	h.Press(us[0], h.Message(us[0].ID, msg.ID), en("survey.button.comment", "N", 1))
	h.Nth(us[0].ID, n+1)
	if got := h.Say(us[0], strings.Repeat("长", models.MaxCommentText+1)).Text; got != en("survey.comment.bad", "Max", models.MaxCommentText) {
		t.Fatalf("a long comment: %q", got)
	}
	after := surveyCounts(t, h)
	if !strings.Contains(after, "answered=1") || strings.Count(after, "text=") != 0 {
		t.Fatalf("refused comments changed rows:\n%s\nwas\n%s", after, before)
	}
	if got := h.Say(us[0], "more chairs please").Text; got != en("survey.comment.saved") {
		t.Fatalf("the comment: %q", got)
	}
	if got, _ := storetest.Dump(ctx, h.DSN, "SELECT member_id, text FROM survey_comments"); got != "member_id=<nil> text=more chairs please \n" {
		t.Fatalf("comments stored: %q", got)
	}
	// Once.
	before = surveyCounts(t, h)
	if got := comment(us[0], k1, "again"); got != en("survey.comment.before") {
		t.Fatalf("a second comment: %q", got)
	}
	if _, err := h.St.CloseSurvey(ctx, sv.ID, h.Clock()); err != nil {
		t.Fatal(err)
	}
	if got := comment(us[0], k1, "late"); got != en("survey.closed") {
		t.Fatalf("a comment after closing: %q", got)
	}
	if after := surveyCounts(t, h); after != before {
		t.Fatalf("refused comments changed rows:\n%s\nwas\n%s", after, before)
	}
}
