package sms_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/sms"
)

type set map[string]sms.Template

func (s set) Template(key string, _ locales.Lang) (sms.Template, bool) { t, ok := s[key]; return t, ok }

func TestRenderIsShortAndInTheTemplatesOrder(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	e := &models.Event{Title: "🎉 会员活动日：家庭健康讲座与义诊", Location: "李家村文化室"}
	e.ID = 3
	m := planner.Announcement(e, time.Date(2026, 5, 29, 1, 0, 0, 0, time.UTC), time.Now())
	row := m.Rows([]planner.Recipient{{MemberID: 1, Channel: outbox.BySMS}})[0]
	tpls := set{"event.announce": {ID: "9", Params: []sms.Param{sms.Time, sms.Title}}}
	tpl, values, ok, err := sms.Render(tpls, cat, locales.ZhHans, sh, &row, &models.Member{ID: 1}, 12)
	if err != nil || !ok || tpl.ID != "9" {
		t.Fatalf("%v %v %v", tpl, ok, err)
	}
	if len(values) != 2 || values[0].Value != "5月29日09:00" || values[1].Value != "会员活动日：家庭健康讲…" {
		t.Fatalf("values %+v", values)
	}
	for _, v := range values {
		if utf8.RuneCountInString(v.Value) > 12 {
			t.Errorf("%s is over the limit", v.Value)
		}
	}
	if got := sms.Short("【通知】明天※停水 ✓ 收费¥5", 0); got != "(通知)明天停水 收费5" {
		t.Fatalf("symbols a provider refuses: %q", got)
	}
	// No template for the kind: not sent.
	if _, _, ok, _ := sms.Render(set{}, cat, locales.ZhHans, sh, &row, &models.Member{ID: 1}, 12); ok {
		t.Fatal("rendered without a template")
	}
	// A health reminder without consent is the neutral text's.
	check := outbox.Row{Kind: string(outbox.KindCheckReminder)}
	if sms.Key(&check, &models.Member{}) != sms.Private || sms.Key(&check, &models.Member{SMSHealth: true}) != "check.reminder" {
		t.Fatal("consent is not what picks the health reminder's template")
	}
}

func TestParseReply(t *testing.T) {
	cases := map[string]sms.Reply{
		"1": {Kind: sms.ReplyDigit, Digit: 1}, " ２ ": {Kind: sms.ReplyDigit, Digit: 2}, "3。": {Kind: sms.ReplyDigit, Digit: 3},
		"TD": {Kind: sms.ReplyStop}, "td": {Kind: sms.ReplyStop}, "退订": {Kind: sms.ReplyStop}, "Ｔ Ｄ": {Kind: sms.ReplyStop}, "stop": {Kind: sms.ReplyStop},
		"12": {Kind: sms.ReplyText}, "0": {Kind: sms.ReplyText}, "请问孕前检查在哪里做？": {Kind: sms.ReplyText}, "": {Kind: sms.ReplyText},
	}
	for in, want := range cases {
		got := sms.ParseReply(in)
		if got.Kind != want.Kind || got.Digit != want.Digit {
			t.Errorf("%q: %+v, want %+v", in, got, want)
		}
	}
}

// FuzzParseReply: any SMS is read as one kind, without a panic; a digit
// is 1–9, and a reply's text is the SMS trimmed.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"1", "TD", "退订", "１", "hello", "\x00", "9 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := sms.ParseReply(s)
		if r.Kind == sms.ReplyDigit && (r.Digit < 1 || r.Digit > 9) {
			t.Fatalf("%q: digit %d", s, r.Digit)
		}
		if r.Text != strings.TrimSpace(s) {
			t.Fatalf("%q: text %q", s, r.Text)
		}
	})
}

func FuzzShort(f *testing.F) {
	f.Add("🎉 会员  活动日\n讲座", 5)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%40 + 1
		if max < 1 {
			max = 1
		}
		out := sms.Short(s, max)
		if utf8.RuneCountInString(out) > max || strings.ContainsAny(out, "\n\r\t") {
			t.Fatalf("%q (%d): %q", s, max, out)
		}
	})
}

// TestDayAfterSurveyBySMS: the day-after survey's question is the
// reader's words, with the occurrence's time as an SMS writes it, and the
// scale's answers by number.
func TestDayAfterSurveyBySMS(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	e := &models.Event{Title: "健康讲座"}
	e.ID = 4
	occ := time.Date(2026, 11, 10, 1, 0, 0, 0, time.UTC)
	m := planner.EventSurveyAsk(e, occ, occ.Add(20*time.Hour))
	row := m.Rows([]planner.Recipient{{MemberID: 1, Channel: outbox.BySMS}})[0]
	tpls := set{"survey.ask": {ID: "7"}}
	_, values, ok, err := sms.Render(tpls, cat, locales.ZhHans, sh, &row, &models.Member{ID: 1}, 0)
	if err != nil || !ok || len(values) != 3 {
		t.Fatalf("%+v %v %v", values, ok, err)
	}
	if values[0].Value != "健康讲座" || values[1].Value != "您对这次活动（11月10日09:00）满意吗？" || !strings.HasPrefix(values[2].Value, "1. 非常满意 2. 满意") {
		t.Fatalf("values %+v", values)
	}
}

// TestSurveyWords: a survey question's answers by their words, in each
// script and English; other words answer nothing.
func TestSurveyWords(t *testing.T) {
	for _, c := range []struct {
		kind models.QuestionKind
		text string
		want int
	}{
		{models.QuestionSatisfaction, "满意", 2}, {models.QuestionSatisfaction, " 非常滿意！", 1}, {models.QuestionSatisfaction, "very dissatisfied", 5},
		{models.QuestionSatisfaction, "不满意", 4}, {models.QuestionYesNo, "是", 1}, {models.QuestionYesNo, "no", 2},
		{models.QuestionSatisfaction, "是", 0}, {models.QuestionYesNo, "满意", 0}, {models.QuestionChoice, "满意", 0}, {models.QuestionSatisfaction, "还行吧", 0},
	} {
		got, ok := sms.SurveyWord(c.kind, c.text)
		if got != c.want || ok != (c.want != 0) {
			t.Errorf("%s %q: %d %v, want %d", c.kind, c.text, got, ok, c.want)
		}
	}
}

// TestARecurringNoticeBySMSInTheMembersLanguage: a notice with texts by
// language (a recurring notice's) gives each member's SMS theirs.
func TestARecurringNoticeBySMSInTheMembersLanguage(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	b := &models.Broadcast{ID: 4, Text: "新春快乐", SendAt: time.Now()}
	m := planner.Broadcast(b, models.Everyone(), "", map[string]string{"zh-Hans": "新春快乐", "zh-Hant": "新春快樂", "en": "Happy New Year"})
	row := m.Rows([]planner.Recipient{{MemberID: 1, Channel: outbox.BySMS}})[0]
	tpls := set{"broadcast": {ID: "7", Params: []sms.Param{sms.Text}}}
	for lang, want := range map[locales.Lang]string{locales.ZhHans: "新春快乐", locales.ZhHant: "新春快樂", locales.En: "Happy New Year"} {
		_, values, ok, err := sms.Render(tpls, cat, lang, time.UTC, &row, &models.Member{ID: 1}, 35)
		if err != nil || !ok || len(values) != 1 || values[0].Value != want {
			t.Fatalf("%s: %+v %v %v", lang, values, ok, err)
		}
	}
}
