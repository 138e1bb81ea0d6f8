package input_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/input"
)

var shanghai = time.FixedZone("CST", 8*3600)

func TestAnswer(t *testing.T) {
	for in, want := range map[string]models.Answer{
		"参加": models.AnswerYes, "參加": models.AnswerYes, "去": models.AnswerYes, "YES": models.AnswerYes, " y ": models.AnswerYes, "✅": models.AnswerYes,
		"不去": models.AnswerNo, "不参加": models.AnswerNo, "不參加": models.AnswerNo, "no": models.AnswerNo, "去不了": models.AnswerNo,
		"可能": models.AnswerMaybe, "待定": models.AnswerMaybe, "Maybe": models.AnswerMaybe, "ｍ": models.AnswerMaybe,
	} {
		if got, ok := input.Answer(in); !ok || got != want {
			t.Errorf("Answer(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "yes please", "参加吗", "1"} {
		if got, ok := input.Answer(in); ok {
			t.Errorf("Answer(%q) = %q, want refused", in, got)
		}
	}
}

func TestKind(t *testing.T) {
	for in, want := range map[string]models.EventKind{
		"会议": models.EventMeeting, "例会": models.EventMeeting, "會議": models.EventMeeting, "meeting": models.EventMeeting,
		"活动日": models.EventActivityDay, "会员活动日": models.EventActivityDay, "活動": models.EventActivityDay,
		"培训": models.EventTraining, "體檢": models.EventCheckSession, "体检": models.EventCheckSession, "其他": models.EventOther,
		"ACTIVITY_DAY": models.EventActivityDay,
	} {
		if got, ok := input.Kind(in); !ok || got != want {
			t.Errorf("Kind(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := input.Kind("聚餐"); ok {
		t.Error("an unknown kind was read")
	}
}

// TestWhen: the forms people type, read on Sunday 29 November 2026 at
// 20:00 in Shanghai.
func TestWhen(t *testing.T) {
	now := time.Date(2026, 11, 29, 20, 0, 0, 0, shanghai)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, shanghai) }
	for in, want := range map[string]time.Time{
		"2026-12-20 09:30": at(2026, 12, 20, 9, 30),
		"2026-12-20 9:30":  at(2026, 12, 20, 9, 30),
		"2026/12/20 14:00": at(2026, 12, 20, 14, 0),
		"2026年12月20日 9点":   at(2026, 12, 20, 9, 0),
		"12月20日 9点":        at(2026, 12, 20, 9, 0),
		"12月20日9点半":        at(2026, 12, 20, 9, 30),
		"12月20号 上午9点":      at(2026, 12, 20, 9, 0),
		"12月20日 下午3点":      at(2026, 12, 20, 15, 0),
		"12月20日 晚上7点30分":   at(2026, 12, 20, 19, 30),
		"12月20日 中午12点":     at(2026, 12, 20, 12, 0),
		"12-20 09:30":      at(2026, 12, 20, 9, 30),
		"12/20 9:30":       at(2026, 12, 20, 9, 30),
		"１２月２０日　９：３０":      at(2026, 12, 20, 9, 30),
		"明天 上午9点":          at(2026, 11, 30, 9, 0),
		"明天9:30":           at(2026, 11, 30, 9, 30),
		"后天 14:00":         at(2026, 12, 1, 14, 0),
		"大后天 下午2点":         at(2026, 12, 2, 14, 0),
		"今天 21:00":         at(2026, 11, 29, 21, 0),
		"1月5日 9点":          at(2027, 1, 5, 9, 0),   // the next 5 January
		"11月29日 9点":        at(2026, 11, 29, 9, 0), // today (the caller refuses the past)
		"12-20 3pm":        at(2026, 12, 20, 15, 0),
	} {
		got, err := input.When(in, now, shanghai)
		if err != nil || !got.Equal(want) {
			t.Errorf("When(%q) = %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "下周", "12月32日 9点", "2月30日 9点", "12月20日", "12月20日 25点", "12月20日 9点61分", "tomorrow 9", "2026-13-01 09:00"} {
		if got, err := input.When(in, now, shanghai); err == nil {
			t.Errorf("When(%q) = %v, want refused", in, got)
		}
	}
}

func TestNormalize(t *testing.T) {
	if got := input.Normalize("　会议｜１２月２０日　"); got != "会议|12月20日" {
		t.Fatalf("Normalize = %q", got)
	}
}
