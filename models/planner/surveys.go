package planner

import (
	"strconv"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// SurveyArgs are a survey question's words: the survey's title, the
// question's position and count, its text and answers (the scale's and
// yes/no's as message keys, a choice's options as written).
func SurveyArgs(s *models.Survey, q *models.SurveyQuestion) Args {
	var a Args
	a.Int("SurveyID", int(s.ID)).Str("Title", s.Title).Int("Position", q.Position).Int("Count", len(s.Questions)).
		Str("QuestionKind", string(q.Kind))
	if l, ok := EventQuestion(s); ok {
		a.List("Question", []Line{l})
	} else {
		a.Str("Question", q.Text)
	}
	var lines []Line
	for i := 1; i <= q.Choices(); i++ {
		var l Line
		l.Key = "survey.option_line"
		l.Args.Int("N", i)
		switch q.Kind {
		case models.QuestionChoice:
			l.Args.Str("Option", q.OptionList()[i-1])
		default:
			l.Args.Key("Option", OptionKey(q.Kind, i))
		}
		lines = append(lines, l)
	}
	a.List("Options", lines)
	return a
}

// EventQuestion is the question of an occurrence's day-after survey in the
// reader's words ("How satisfied were you with … on …?"); false for
// another survey, whose questions are its organizer's words.
func EventQuestion(s *models.Survey) (Line, bool) {
	if !s.OfEvent() {
		return Line{}, false
	}
	var l Line
	l.Key = "survey.event_question"
	l.Args.Str("Title", s.Title).Time("When", *s.Occurrence)
	return l, true
}

// QuestionText is a question's words in the reader's language.
func QuestionText(cat *locales.Catalog, lang locales.Lang, zone *time.Location, s *models.Survey, q *models.SurveyQuestion, now time.Time) string {
	if l, ok := EventQuestion(s); ok {
		return cat.T(lang, l.Key, l.Args.KV(cat, lang, zone, now)...)
	}
	return q.Text
}

// OptionKey is the message key of answer n of a satisfaction or yes/no
// question.
func OptionKey(k models.QuestionKind, n int) string {
	if k == models.QuestionYesNo {
		return "survey.yesno." + strconv.Itoa(n)
	}
	return "survey.scale." + strconv.Itoa(n)
}

// SurveyAsk is a survey's question to members: the first, to its audience
// when it opens (its buttons answer it, and the message moves on in
// place), or by SMS the next one to a member who answered the last.
func SurveyAsk(s *models.Survey, q *models.SurveyQuestion, to models.Audience, markup Markup, now time.Time) Message {
	m := Message{Kind: outbox.KindSurveyAsk, Slot: "q" + strconv.Itoa(q.Position), To: to, Template: "survey.question",
		Args: SurveyArgs(s, q), Markup: markup, NotBefore: now, ExpiresAt: s.ClosesAt}
	m.Subject.SurveyID = s.ID
	if now.Before(s.OpensAt) {
		m.NotBefore = s.OpensAt
	}
	return m
}

// SurveyRemind reminds members who have not finished, once, with the
// question they are at.
func SurveyRemind(s *models.Survey, q *models.SurveyQuestion, memberIDs []uint, markup Markup, now time.Time) Message {
	m := Message{Kind: outbox.KindSurveyRemind, To: models.MembersAudience(memberIDs...), Template: "survey.remind",
		Args: SurveyArgs(s, q), Markup: markup, NotBefore: now, ExpiresAt: s.ClosesAt}
	m.Subject.SurveyID = s.ID
	if s.ClosesAt != nil {
		m.Args.Time("ClosesAt", *s.ClosesAt)
	}
	return m
}

// SurveyButtons are a question's answers as buttons, one a row (large, for
// older members), each carrying the ballot of an anonymous survey.
func SurveyButtons(s *models.Survey, q *models.SurveyQuestion, ballot string) [][]models.ButtonSpec {
	rows := make([][]models.ButtonSpec, 0, q.Choices())
	for i := 1; i <= q.Choices(); i++ {
		data := models.Callback{Action: models.ActSurvey, ID: s.ID, Op: strconv.Itoa(q.Position) + "." + strconv.Itoa(i), Arg: ballot}.Encode()
		b := models.ButtonSpec{Key: OptionKey(q.Kind, i), Data: data}
		if q.Kind == models.QuestionChoice {
			b = models.ButtonSpec{Key: "survey.button.option", Args: map[string]any{"Option": q.OptionList()[i-1]}, Data: data}
		}
		rows = append(rows, []models.ButtonSpec{b})
	}
	return rows
}
