package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
)

// surveyRefusals are the words for a refused answer (nothing is stored).
var surveyRefusals = map[error]string{
	models.ErrSurveyClosed:   "survey.closed",
	models.ErrNotAsked:       "survey.not_asked",
	models.ErrBadAnswer:      "survey.bad_answer",
	models.ErrAnsweredBefore: "survey.answered_before",
}

// onSurveyCallback is a tap on a survey's message (SPEC C13): "2.1"
// answers question 2 with answer 1, and the message moves on in place to
// the next question, or to a thank-you with the member's answers and a
// button to change them; "c" shows the first question again. An anonymous
// survey's buttons carry the member's ballot, which only their message
// holds.
func (b *Bot) onSurveyCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if r.member == nil || !r.member.OnRoster() {
		b.answer(ctx, q, b.t(r, "survey.not_asked"), true)
		return
	}
	sv, err := b.st.SurveyByID(ctx, c.ID)
	if err != nil {
		b.answer(ctx, q, b.t(r, "survey.not_asked"), true)
		return
	}
	msg := q.Message.Message
	if c.Op == "c" {
		if !sv.Open(b.cfg.Now()) {
			b.answer(ctx, q, b.t(r, "survey.closed"), true)
			return
		}
		b.answer(ctx, q, "", false)
		if msg != nil {
			first := sv.Question(1)
			b.edit(ctx, r.chatID, msg.ID, b.surveyQuestionText(r, sv, first), telegram.RenderInline(b.cat, r.lang, planner.SurveyButtons(sv, first, c.Arg)))
		}
		return
	}
	pos, choice, ok := parseSurveyOp(c.Op)
	if !ok {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	b.answerSurvey(ctx, r, q, sv, pos, choice, c.Arg)
}

// answerSurvey records a tapped answer and moves the message on in place:
// to the next question, or to the thank-you with the member's answers.
func (b *Bot) answerSurvey(ctx context.Context, r *request, q *tgm.CallbackQuery, sv *models.Survey, pos, choice int, ballot string) {
	res, err := b.st.AnswerSurvey(ctx, sv.ID, r.member, pos, choice, ballot, b.cfg.Now())
	if err != nil {
		for reason, key := range surveyRefusals {
			if errors.Is(err, reason) {
				b.answer(ctx, q, b.t(r, key), true)
				return
			}
		}
		b.log.Error("answer survey", "survey_id", sv.ID, "err", err)
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	b.answer(ctx, q, b.t(r, "survey.saved"), false)
	msg := q.Message.Message
	if msg == nil {
		return
	}
	ballot = ""
	if sv.Anonymous {
		ballot = res.Ballot // only this message holds it
	}
	if next := sv.Question(res.Next); next != nil {
		b.edit(ctx, r.chatID, msg.ID, b.surveyQuestionText(r, sv, next), telegram.RenderInline(b.cat, r.lang, planner.SurveyButtons(sv, next, ballot)))
		return
	}
	b.edit(ctx, r.chatID, msg.ID, b.surveyThanks(r, sv, res.Answers), inline(row(
		cb(b.t(r, "survey.button.change"), models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "c", Arg: ballot}))))
}

// parseSurveyOp reads "2.1": question 2, answer 1.
func parseSurveyOp(op string) (pos, choice int, ok bool) {
	p, c, found := strings.Cut(op, ".")
	if !found {
		return 0, 0, false
	}
	pos, err1 := strconv.Atoi(p)
	choice, err2 := strconv.Atoi(c)
	return pos, choice, err1 == nil && err2 == nil && pos > 0 && choice > 0
}

// surveyQuestionText is a question as its message shows it.
func (b *Bot) surveyQuestionText(r *request, sv *models.Survey, q *models.SurveyQuestion) string {
	now := b.cfg.Now()
	return b.t(r, "survey.question", planner.SurveyArgs(sv, q).KV(b.cat, r.lang, r.member.Zone(b.cfg.Location), now)...)
}

// surveyThanks is the thank-you with the member's answers.
func (b *Bot) surveyThanks(r *request, sv *models.Survey, answers map[int]int) string {
	var lines []string
	for _, q := range sv.Questions {
		n, ok := answers[q.Position]
		if !ok || n < 1 || n > q.Choices() {
			continue
		}
		label := ""
		if q.Kind == models.QuestionChoice {
			label = q.OptionList()[n-1]
		} else {
			label = b.t(r, planner.OptionKey(q.Kind, n))
		}
		text := planner.QuestionText(b.cat, r.lang, r.member.Zone(b.cfg.Location), sv, &q, b.cfg.Now())
		lines = append(lines, b.t(r, "survey.answer_line", "N", q.Position, "Question", text, "Answer", label))
	}
	text := b.t(r, "survey.thanks", "Title", sv.Title, "Answers", strings.Join(lines, "\n"))
	if sv.ClosesAt != nil {
		text += "\n" + b.t(r, "survey.thanks_closes", "ClosesAt", b.cat.DateTime(r.lang, *sv.ClosesAt, r.member.Zone(b.cfg.Location), b.cfg.Now()))
	}
	return text
}

// mayReadSurvey reports whether the organizer may read a survey's
// results: its audience is one they may reach (the rule of notices).
func (b *Bot) mayReadSurvey(ctx context.Context, r *request, sv *models.Survey) bool {
	aud, err := models.ParseAudience(sv.Audience)
	if err != nil {
		return false
	}
	ok, err := b.st.CanReach(ctx, r.member, aud)
	return err == nil && ok
}

// onSurveys is /surveys: the surveys an organizer may read, newest first,
// each with how many answered and a 📊 button for its results.
func (b *Bot) onSurveys(ctx context.Context, r *request) {
	svs, err := b.st.Surveys(ctx)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "surveys", err)
		return
	}
	var lines []string
	var rows [][]inlineButton
	now := b.cfg.Now()
	for i := range svs {
		sv := &svs[i]
		if !b.mayReadSurvey(ctx, r, sv) {
			continue
		}
		t, err := b.st.SurveyTallyOf(ctx, sv)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "surveys", err)
			return
		}
		f := reports.Figures(sv, t)
		state := b.t(r, "survey.list.open")
		if !sv.Open(now) {
			state = b.t(r, "survey.list.closed")
		}
		lines = append(lines, b.t(r, "survey.list.line", "ID", sv.ID, "Title", sv.Title, "Answered", f.Answered, "Asked", f.Asked, "State", state))
		if len(rows) < 20 {
			rows = append(rows, row(cb(b.t(r, "survey.button.results", "Title", truncate(sv.Title, 30)), models.Callback{Action: models.ActSurveyResults, ID: sv.ID})))
		}
	}
	if len(lines) == 0 {
		b.send(ctx, r.chatID, b.t(r, "survey.list.none"), nil)
		return
	}
	b.send(ctx, r.chatID, b.t(r, "survey.list.title")+"\n"+strings.Join(lines, "\n"), inline(rows...))
}

// onSurveyResults is 📊 on a survey: its results, to an organizer who may
// reach its audience.
func (b *Bot) onSurveyResults(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	sv, err := b.st.SurveyByID(ctx, c.ID)
	if err != nil || !b.mayReadSurvey(ctx, r, sv) {
		b.answer(ctx, q, b.t(r, "auth.not_your_branch"), true)
		return
	}
	t, err := b.st.SurveyTallyOf(ctx, sv)
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	b.answer(ctx, q, "", false)
	for _, part := range splitMessage(reports.SurveyText(b.cat, r.lang, r.member.Zone(b.cfg.Location), sv, reports.Figures(sv, t)), maxMessage) {
		b.send(ctx, r.chatID, part, nil)
	}
}
