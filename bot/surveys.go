package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
)

// surveyRefusals are the words for a refused answer or comment (nothing
// is stored).
var surveyRefusals = map[error]string{
	models.ErrSurveyClosed:    "survey.closed",
	models.ErrNotAsked:        "survey.not_asked",
	models.ErrBadAnswer:       "survey.bad_answer",
	models.ErrAnsweredBefore:  "survey.answered_before",
	models.ErrNoComment:       "survey.comment.none",
	models.ErrCommentedBefore: "survey.comment.before",
}

// surveyRefusal is the words for err when it is a survey's refusal.
func surveyRefusal(err error) (string, bool) {
	for reason, key := range surveyRefusals {
		if errors.Is(err, reason) {
			return key, true
		}
	}
	return "", false
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
	if k, ok := strings.CutPrefix(c.Op, "k"); ok {
		pos, err := strconv.Atoi(k)
		if err != nil || pos < 1 {
			b.answer(ctx, q, b.t(r, "callback.invalid"), true)
			return
		}
		b.onSurveyComment(ctx, r, q, sv, pos)
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
		if key, ok := surveyRefusal(err); ok {
			b.answer(ctx, q, b.t(r, key), true)
			return
		}
		b.tapFault(ctx, r, q, "answer survey", err)
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
	rows := [][]inlineButton{row(cb(b.t(r, "survey.button.change"), models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "c", Arg: ballot}))}
	for _, q := range sv.Questions {
		if q.Comment && res.Commented&(1<<q.Position) == 0 {
			rows = append(rows, row(cb(b.t(r, "survey.button.comment", "N", q.Position),
				models.Callback{Action: models.ActSurvey, ID: sv.ID, Op: "k" + strconv.Itoa(q.Position)})))
		}
	}
	b.edit(ctx, r.chatID, msg.ID, b.surveyThanks(r, sv, res.Answers), inline(rows...))
}

// dialogSurveyComment waits for a member's comment on a survey question.
const dialogSurveyComment = "survey_comment"

// commentDialog is what the comment dialog keeps: the survey and the
// question, not the answer.
type commentDialog struct {
	Survey   uint `json:"s"`
	Position int  `json:"p"`
}

// onSurveyComment is 💬 on the thank-you: the bot asks for the comment,
// typed in one message.
func (b *Bot) onSurveyComment(ctx context.Context, r *request, q *tgm.CallbackQuery, sv *models.Survey, pos int) {
	if err := b.st.MayComment(ctx, sv.ID, r.member, pos, b.cfg.Now()); err != nil {
		if key, ok := surveyRefusal(err); ok {
			b.answer(ctx, q, b.t(r, key), true)
			return
		}
		b.tapFault(ctx, r, q, "survey comment", err)
		return
	}
	question := sv.Question(pos)
	raw, _ := json.Marshal(commentDialog{Survey: sv.ID, Position: pos})
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogSurveyComment, Step: "text", Data: string(raw)}); err != nil {
		b.tapFault(ctx, r, q, "survey comment", err)
		return
	}
	b.answer(ctx, q, "", false)
	text := planner.QuestionText(b.cat, r.lang, r.member.Zone(b.cfg.Location), sv, question, b.cfg.Now())
	b.send(ctx, r.chatID, b.t(r, "survey.comment.ask", "Question", text, "Max", models.MaxCommentText), nil)
}

// onSurveyCommentInput takes the typed comment; false when no comment is
// awaited. A comment that is not text of the right length is asked again.
func (b *Bot) onSurveyCommentInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	cd, ok := typedDialog[commentDialog](ctx, b, r, dialogSurveyComment)
	if !ok {
		return false
	}
	err := b.st.CommentSurvey(ctx, cd.Survey, r.member, cd.Position, msg.Text, b.cfg.Now())
	if errors.Is(err, models.ErrBadText) {
		b.send(ctx, r.chatID, b.t(r, "survey.comment.bad", "Max", models.MaxCommentText), nil)
		return true
	}
	b.dropDialog(ctx, r)
	if err != nil {
		if key, ok := surveyRefusal(err); ok {
			b.send(ctx, r.chatID, b.t(r, key), b.keyboardFor(r))
			return true
		}
		b.fail(ctx, r.chatID, r.lang, "survey comment", err)
		return true
	}
	b.send(ctx, r.chatID, b.t(r, "survey.comment.saved"), b.keyboardFor(r))
	return true
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

// maxSurveysListed is how many surveys /surveys lists, newest first.
const maxSurveysListed = 30

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
	more := 0
	now := b.cfg.Now()
	for i := range svs {
		sv := &svs[i]
		if !sv.Listed(now) {
			continue
		}
		if !b.mayReadSurvey(ctx, r, sv) {
			continue
		}
		if len(lines) == maxSurveysListed {
			more++
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
	if more > 0 {
		lines = append(lines, b.t(r, "survey.list.more", "Count", more))
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
		b.tapFault(ctx, r, q, "survey results", err)
		return
	}
	zone := r.member.Zone(b.cfg.Location)
	figures := reports.Figures(sv, t)
	b.answer(ctx, q, "", false)
	if c.Arg == "x" {
		// The whole results as a spreadsheet: every comment, and in a
		// named survey each member's answers.
		named, err := b.st.NamedSurveyAnswers(ctx, sv)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "survey export", err)
			return
		}
		var buf bytes.Buffer
		if err := roster.WriteTables(&buf, roster.XLSX, reports.SurveyTables(b.cat, r.lang, zone, sv, figures, named)...); err != nil {
			b.fail(ctx, r.chatID, r.lang, "survey export", err)
			return
		}
		b.sendFile(ctx, r, fmt.Sprintf("survey-%d.xlsx", sv.ID), buf.Bytes(), sv.Title)
		return
	}
	parts := splitMessage(reports.SurveyText(b.cat, r.lang, zone, sv, figures), maxMessage)
	for i, part := range parts {
		var kb any
		if i == len(parts)-1 && !figures.Hidden {
			kb = inline(row(cb(b.t(r, "survey.button.export"), models.Callback{Action: models.ActSurveyResults, ID: sv.ID, Arg: "x"})))
		}
		b.send(ctx, r.chatID, part, kb)
	}
}
