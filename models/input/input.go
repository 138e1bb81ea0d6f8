// Package input reads what people type, in Chinese first (SPEC C2): answers
// (参加, 不去, 可能), event kinds (例会, 活动日), and dates and times as they
// are written (12月20日 9点, 明天 上午9点, 12-20 09:30, 2026-12-20 09:30), with
// full-width digits and punctuation. Each reader reports false (or an
// error) for what it cannot read; nothing is guessed.
package input

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/assocbot/assocbot/models"
)

// Normalize folds full-width letters, digits and punctuation to ASCII
// (１２：３０ → 12:30, ｜ → |) and trims spaces, ideographic ones too.
func Normalize(s string) string {
	s = width.Narrow.String(s)
	return strings.TrimSpace(strings.ReplaceAll(s, "\u3000", " "))
}

var answers = map[string]models.Answer{
	"yes": models.AnswerYes, "y": models.AnswerYes, "going": models.AnswerYes,
	"参加": models.AnswerYes, "參加": models.AnswerYes, "去": models.AnswerYes, "会去": models.AnswerYes, "會去": models.AnswerYes,
	"来": models.AnswerYes, "來": models.AnswerYes, "到": models.AnswerYes, "是": models.AnswerYes, "好": models.AnswerYes, "✅": models.AnswerYes,
	"no": models.AnswerNo, "n": models.AnswerNo,
	"不去": models.AnswerNo, "不参加": models.AnswerNo, "不參加": models.AnswerNo, "不来": models.AnswerNo, "不來": models.AnswerNo,
	"去不了": models.AnswerNo, "不能去": models.AnswerNo, "否": models.AnswerNo, "❌": models.AnswerNo,
	"maybe": models.AnswerMaybe, "m": models.AnswerMaybe,
	"可能": models.AnswerMaybe, "待定": models.AnswerMaybe, "不确定": models.AnswerMaybe, "不確定": models.AnswerMaybe,
	"也许": models.AnswerMaybe, "也許": models.AnswerMaybe, "🤔": models.AnswerMaybe,
}

// Answer reads an answer to an event: yes/参加/去, no/不去/不参加,
// maybe/可能/待定 (and y, n, m).
func Answer(s string) (models.Answer, bool) {
	a, ok := answers[strings.ToLower(Normalize(s))]
	return a, ok
}

// smallTalk are greetings and thanks: words that ask nothing, so they are
// not offered as a question to the organizers.
var smallTalk = map[string]bool{
	"hi": true, "hello": true, "hey": true, "thanks": true, "thank you": true, "ok": true, "okay": true, "bye": true,
	"good morning": true, "good evening": true,
	"你好": true, "您好": true, "你们好": true, "你們好": true, "大家好": true, "早": true, "早上好": true, "晚上好": true,
	"谢谢": true, "謝謝": true, "多谢": true, "多謝": true, "好的": true, "嗯": true, "收到": true, "再见": true, "再見": true,
}

// SmallTalk reports whether words ask nothing: a greeting or thanks, or too
// short to be a question (one character, an emoji), punctuation aside.
func SmallTalk(s string) bool {
	t := strings.ToLower(strings.TrimFunc(Normalize(s), func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	}))
	return smallTalk[t] || utf8.RuneCountInString(t) < 2
}

var kinds = map[string]models.EventKind{
	"activity_day": models.EventActivityDay, "activity": models.EventActivityDay,
	"活动日": models.EventActivityDay, "活動日": models.EventActivityDay, "活动": models.EventActivityDay, "活動": models.EventActivityDay,
	"会员活动日": models.EventActivityDay, "會員活動日": models.EventActivityDay,
	"meeting": models.EventMeeting, "会议": models.EventMeeting, "會議": models.EventMeeting, "例会": models.EventMeeting, "例會": models.EventMeeting,
	"开会": models.EventMeeting, "開會": models.EventMeeting,
	"training": models.EventTraining, "培训": models.EventTraining, "培訓": models.EventTraining,
	"health_check_session": models.EventCheckSession, "check": models.EventCheckSession,
	"体检": models.EventCheckSession, "體檢": models.EventCheckSession, "检查": models.EventCheckSession, "檢查": models.EventCheckSession,
	"other": models.EventOther, "其他": models.EventOther,
}

// Kind reads an event kind: its code (meeting) or a Chinese word (会议,
// 例会, 活动日, 培训, 体检, 其他).
func Kind(s string) (models.EventKind, bool) {
	k, ok := kinds[strings.ToLower(Normalize(s))]
	return k, ok
}

// ErrWhen is returned for a date or time that cannot be read.
var ErrWhen = errors.New("input: not a date and time")

var (
	isoDate   = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号號]?`)
	shortDate = regexp.MustCompile(`^(\d{1,2})[-/.月](\d{1,2})[日号號]?`)
	clock     = regexp.MustCompile(`^(上午|早上|早晨|中午|下午|晚上|傍晚|am|pm)?\s*(\d{1,2})(?:[:点點時时](\d{1,2}|半)?分?)?\s*(am|pm)?$`)
)

// relativeDays are the words for today and the days after it, longest
// first (大后天 before 后天).
var relativeDays = []struct {
	word string
	days int
}{{"大后天", 3}, {"大後天", 3}, {"今天", 0}, {"今日", 0}, {"明天", 1}, {"明日", 1}, {"后天", 2}, {"後天", 2}}

// Day reads a date: 2026-12-20, 2026年12月20日, 12月20日, 12-20, 12/20,
// 今天, 明天, 后天. A date without a year is the next such day from now on
// (today included). rest is what follows the date.
func Day(s string, now time.Time, loc *time.Location) (day time.Time, rest string, err error) {
	s = Normalize(s)
	ty, tm, td := now.In(loc).Date()
	today, _ := date(ty, int(tm), td, loc)
	for _, r := range relativeDays {
		if strings.HasPrefix(s, r.word) {
			// Counted on the calendar, not in hours: a day may have 23 or 25.
			c := time.Date(ty, tm, td+r.days, 0, 0, 0, 0, time.UTC)
			day, ok := date(c.Year(), int(c.Month()), c.Day(), loc)
			if !ok {
				return time.Time{}, "", ErrWhen
			}
			return day, strings.TrimSpace(s[len(r.word):]), nil
		}
	}
	if m := isoDate.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t, ok := date(y, mo, d, loc)
		if !ok {
			return time.Time{}, "", ErrWhen
		}
		return t, strings.TrimSpace(s[len(m[0]):]), nil
	}
	if m := shortDate.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[1])
		d, _ := strconv.Atoi(m[2])
		t, ok := date(today.Year(), mo, d, loc)
		if !ok {
			if t, ok = date(today.Year()+1, mo, d, loc); !ok { // 2月29日
				return time.Time{}, "", ErrWhen
			}
		}
		if t.Before(today) {
			if t, ok = date(today.Year()+1, mo, d, loc); !ok {
				return time.Time{}, "", ErrWhen
			}
		}
		return t, strings.TrimSpace(s[len(m[0]):]), nil
	}
	return time.Time{}, "", ErrWhen
}

// date is the start of y-m-d in loc, if the date exists: its midnight, or
// the end of the jump when the clocks skip midnight (Local's rule).
func date(y, m, d int, loc *time.Location) (time.Time, bool) {
	t, err := Local(y, time.Month(m), d, 0, 0, loc)
	var gap *GapError
	if errors.As(err, &gap) {
		t, err = gap.After, nil
	}
	if err != nil {
		return time.Time{}, false
	}
	ty, tm, td := t.Date()
	return t, ty == y && tm == time.Month(m) && td == d // a day skipped whole (Samoa, 30 December 2011) does not exist
}

// Clock reads a time of day: 09:30, 9:30, 9点, 9点半, 9点30分, 上午9点,
// 下午3点 (15:00), 晚上7点半, 3pm. It returns hours and minutes.
func Clock(s string) (hour, minute int, err error) {
	s = strings.ToLower(strings.ReplaceAll(Normalize(s), " ", ""))
	m := clock.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, ErrWhen
	}
	hour, _ = strconv.Atoi(m[2])
	switch m[3] {
	case "":
	case "半":
		minute = 30
	default:
		minute, _ = strconv.Atoi(m[3])
	}
	part := m[1]
	if part == "" {
		part = m[4]
	}
	switch part {
	case "下午", "晚上", "傍晚", "pm":
		if hour < 12 {
			hour += 12
		}
	case "中午":
		if hour < 6 {
			hour += 12
		}
	case "上午", "早上", "早晨", "am":
		if hour == 12 {
			hour = 0
		}
	}
	if hour > 23 || minute > 59 {
		return 0, 0, ErrWhen
	}
	return hour, minute, nil
}

// When reads a date and a time of day, as Day and Clock do, in loc:
// "12月20日 9点", "明天 上午9点", "12-20 09:30", "2026-12-20 09:30". The
// instant is Local's: a time the clocks jump over is a *GapError, one they
// show twice is the earlier (see Ambiguous).
func When(s string, now time.Time, loc *time.Location) (time.Time, error) {
	day, rest, err := Day(s, now, loc)
	if err != nil {
		return time.Time{}, err
	}
	h, m, err := Clock(rest)
	if err != nil {
		return time.Time{}, err
	}
	return Local(day.Year(), day.Month(), day.Day(), h, m, loc)
}
