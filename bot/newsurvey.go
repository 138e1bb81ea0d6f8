package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// The survey dialog (SPEC C13): /newsurvey → a branch → a question: the
// suggested satisfaction question by a tap, or one's own typed and then
// its kind (the satisfaction scale, yes/no, or a choice whose options are
// typed next) → ✅ Send; a one-question satisfaction survey to one's
// branch in four inputs, five with one's own words; more questions by ➕.
// It closes a week after it is sent, the reminder a day before (other
// audiences, dates and comments: the command line).
const (
	dialogSurvey       = "survey"
	surveyStepAudience = "audience"
	surveyStepQuestion = "question"
	surveyStepKind     = "kind"
	surveyStepOptions  = "options"
	surveyStepConfirm  = "confirm"
	newSurveyOpen      = 7 * 24 * time.Hour
)

// surveyDraft is what an organizer has chosen so far (Dialog.Data): the
// questions done, and the one typed whose kind is being chosen.
type surveyDraft struct {
	Audience  string          `json:"audience"`
	Questions []draftQuestion `json:"qs,omitempty"`
	Pending   string          `json:"pending,omitempty"`
	// Legacy: a draft saved before questions had kinds, its questions
	// satisfaction ones (read, never written).
	Legacy []string `json:"questions,omitempty"`
}

type draftQuestion struct {
	Text    string              `json:"t"`
	Kind    models.QuestionKind `json:"k"`
	Options string              `json:"o,omitempty"`
}

func nsData(op, arg string) models.Callback {
	return models.Callback{Action: models.ActNewSurvey, Op: op, Arg: arg}
}

// onNewSurvey starts the dialog with the branches the organizer may ask.
func (b *Bot) onNewSurvey(ctx context.Context, r *request) {
	branches, err := b.st.BranchesIn(ctx, r.scope)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "newsurvey", err)
		return
	}
	var rows [][]inlineButton
	for i, br := range branches {
		if i == maxAudienceButtons {
			break
		}
		if data := nsData("a", models.AudienceChoice{Branch: br.ID}.Encode()); data.Fits() {
			rows = append(rows, row(cb(truncate(br.Path, 40), data)))
		}
	}
	if len(rows) == 0 {
		b.send(ctx, r.chatID, b.t(r, "broadcast.no_audience"), nil)
		return
	}
	rows = append(rows, row(cb(b.t(r, "button.cancel"), nsData("x", ""))))
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogSurvey, Step: surveyStepAudience}); err != nil {
		b.fail(ctx, r.chatID, r.lang, "newsurvey", err)
		return
	}
	b.send(ctx, r.chatID, b.t(r, "survey.new.audience"), inline(rows...))
}

// surveyDialog loads the organizer's survey dialog, if any.
func (b *Bot) surveyDialog(ctx context.Context, r *request) (*models.Dialog, *surveyDraft) {
	if !r.member.IsOrganizer() {
		return nil, nil
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil || d.Kind != dialogSurvey {
		return nil, nil
	}
	var dr surveyDraft
	if d.Data != "" && json.Unmarshal([]byte(d.Data), &dr) != nil {
		return nil, nil
	}
	for _, q := range dr.Legacy {
		dr.Questions = append(dr.Questions, draftQuestion{Text: q, Kind: models.QuestionSatisfaction})
	}
	dr.Legacy = nil
	return d, &dr
}

func (b *Bot) saveSurveyDraft(ctx context.Context, d *models.Dialog, dr *surveyDraft, step string) error {
	raw, _ := json.Marshal(dr)
	d.Step, d.Data = step, string(raw)
	return b.st.SaveDialog(ctx, d)
}

// askSurveyQuestion asks for a question, offering the usual one.
func (b *Bot) askSurveyQuestion(ctx context.Context, r *request, msg *tgm.Message) {
	kb := inline(row(cb(b.t(r, "survey.new.suggested"), nsData("q", ""))), row(cb(b.t(r, "button.cancel"), nsData("x", ""))))
	text := b.t(r, "survey.new.question")
	if msg != nil {
		b.edit(ctx, r.chatID, msg.ID, text, kb)
		return
	}
	b.send(ctx, r.chatID, text, kb)
}

// surveyPreview shows the survey as it will go, with ✅ Send, ➕ and ❌.
func (b *Bot) surveyPreview(ctx context.Context, r *request, dr *surveyDraft, msg *tgm.Message) {
	aud, err := models.ParseAudience(dr.Audience)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "newsurvey", err)
		return
	}
	n, err := b.st.CountAudience(ctx, aud)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "newsurvey", err)
		return
	}
	var qs []string
	for i, q := range dr.Questions {
		kind := b.t(r, "survey.kind."+string(q.Kind))
		if q.Kind == models.QuestionChoice {
			kind = strings.ReplaceAll(q.Options, "|", " / ")
		}
		qs = append(qs, b.t(r, "survey.new.question_line", "N", i+1, "Text", q.Text, "Kind", kind))
	}
	text := b.t(r, "survey.new.preview", "Audience", b.audienceLabel(r, aud), "Count", n, "Questions", strings.Join(qs, "\n"), "Days", int(newSurveyOpen.Hours()/24))
	rows := [][]inlineButton{row(cb(b.t(r, "survey.new.send"), nsData("s", "")))}
	if len(dr.Questions) < models.MaxQuestions {
		rows = append(rows, row(cb(b.t(r, "survey.new.more"), nsData("m", ""))))
	}
	rows = append(rows, row(cb(b.t(r, "button.cancel"), nsData("x", ""))))
	if msg != nil {
		b.edit(ctx, r.chatID, msg.ID, text, inline(rows...))
		return
	}
	b.send(ctx, r.chatID, text, inline(rows...))
}

// onNewSurveyCallback: a (a branch), q (the suggested question), k (the
// typed question's kind), m (one more question), s (send), x (cancel).
func (b *Bot) onNewSurveyCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	if c.Op == "x" {
		b.cancelBroadcast(ctx, r, q)
		return
	}
	d, dr := b.surveyDialog(ctx, r)
	if d == nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	msg := q.Message.Message
	switch {
	case c.Op == "a" && d.Step == surveyStepAudience:
		aud, ok, err := b.allowedAudience(ctx, r, c.Arg)
		if err != nil {
			b.tapFault(ctx, r, q, "newsurvey", err)
			return
		}
		if !ok {
			b.answer(ctx, q, b.t(r, "auth.not_your_branch"), true)
			return
		}
		dr.Audience = aud.String()
		if err := b.saveSurveyDraft(ctx, d, dr, surveyStepQuestion); err != nil {
			b.tapFault(ctx, r, q, "newsurvey", err)
			return
		}
		b.answer(ctx, q, "", false)
		b.askSurveyQuestion(ctx, r, msg)
	case c.Op == "q" && d.Step == surveyStepQuestion:
		b.answer(ctx, q, "", false)
		b.addSurveyQuestion(ctx, r, d, dr, draftQuestion{Text: b.t(r, "survey.new.suggested_text"), Kind: models.QuestionSatisfaction}, msg)
	case c.Op == "k" && d.Step == surveyStepKind && dr.Pending != "":
		kind := models.QuestionKind(c.Arg)
		switch {
		case kind == models.QuestionChoice:
			if err := b.saveSurveyDraft(ctx, d, dr, surveyStepOptions); err != nil {
				b.tapFault(ctx, r, q, "newsurvey", err)
				return
			}
			b.answer(ctx, q, "", false)
			text := b.t(r, "survey.new.options", "Max", models.MaxOptions)
			kb := inline(row(cb(b.t(r, "button.cancel"), nsData("x", ""))))
			if msg != nil {
				b.edit(ctx, r.chatID, msg.ID, text, kb)
			} else {
				b.send(ctx, r.chatID, text, kb)
			}
		case kind.Valid():
			b.answer(ctx, q, "", false)
			b.addSurveyQuestion(ctx, r, d, dr, draftQuestion{Text: dr.Pending, Kind: kind}, msg)
		default:
			b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		}
	case c.Op == "m" && d.Step == surveyStepConfirm && len(dr.Questions) < models.MaxQuestions:
		if err := b.saveSurveyDraft(ctx, d, dr, surveyStepQuestion); err != nil {
			b.tapFault(ctx, r, q, "newsurvey", err)
			return
		}
		b.answer(ctx, q, "", false)
		b.askSurveyQuestion(ctx, r, msg)
	case c.Op == "s" && d.Step == surveyStepConfirm:
		b.sendSurvey(ctx, r, q, dr)
	default:
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
	}
}

// addSurveyQuestion takes a question and shows the preview.
func (b *Bot) addSurveyQuestion(ctx context.Context, r *request, d *models.Dialog, dr *surveyDraft, dq draftQuestion, msg *tgm.Message) {
	dr.Questions, dr.Pending = append(dr.Questions, dq), ""
	if err := b.saveSurveyDraft(ctx, d, dr, surveyStepConfirm); err != nil {
		b.fail(ctx, r.chatID, r.lang, "newsurvey", err)
		return
	}
	b.surveyPreview(ctx, r, dr, msg)
}

// onNewSurveyInput takes a typed question (then asks its kind), or a
// choice's options; false when no survey dialog waits for words.
func (b *Bot) onNewSurveyInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	d, dr := b.surveyDialog(ctx, r)
	if d == nil {
		return false
	}
	text := strings.TrimSpace(msg.Text)
	switch d.Step {
	case surveyStepQuestion:
		if text == "" || utf8.RuneCountInString(text) > models.MaxQuestionText || !models.ValidText(text, true) {
			b.send(ctx, r.chatID, b.t(r, "survey.new.bad_question", "Max", models.MaxQuestionText), nil)
			return true
		}
		dr.Pending = text
		if err := b.saveSurveyDraft(ctx, d, dr, surveyStepKind); err != nil {
			b.fail(ctx, r.chatID, r.lang, "newsurvey", err)
			return true
		}
		var rows [][]inlineButton
		for _, k := range models.QuestionKinds() {
			rows = append(rows, row(cb(b.t(r, "survey.new.kind."+string(k)), nsData("k", string(k)))))
		}
		rows = append(rows, row(cb(b.t(r, "button.cancel"), nsData("x", ""))))
		b.send(ctx, r.chatID, b.t(r, "survey.new.kind"), inline(rows...))
	case surveyStepOptions:
		var opts []string
		for _, o := range strings.FieldsFunc(text, func(c rune) bool { return c == '|' || c == '\n' || c == '｜' }) {
			if o = strings.TrimSpace(o); o != "" {
				opts = append(opts, o)
			}
		}
		dq := draftQuestion{Text: dr.Pending, Kind: models.QuestionChoice, Options: strings.Join(opts, "|")}
		check := models.Survey{Title: "-", Questions: []models.SurveyQuestion{{Kind: dq.Kind, Text: dq.Text, Options: dq.Options}}}
		if check.Validate() != nil {
			b.send(ctx, r.chatID, b.t(r, "survey.new.bad_options", "Max", models.MaxOptions, "Chars", models.MaxOptionText), nil)
			return true
		}
		b.addSurveyQuestion(ctx, r, d, dr, dq, nil)
	default:
		b.send(ctx, r.chatID, b.t(r, "broadcast.use_buttons"), nil)
	}
	return true
}

// sendSurvey makes the survey and asks its audience.
func (b *Bot) sendSurvey(ctx context.Context, r *request, q *tgm.CallbackQuery, dr *surveyDraft) {
	aud, err := models.ParseAudience(dr.Audience)
	if err != nil {
		b.tapFault(ctx, r, q, "newsurvey", err)
		return
	}
	if ok, err := b.st.CanReach(ctx, r.member, aud); err != nil || !ok {
		b.answer(ctx, q, b.t(r, "auth.not_your_branch"), true)
		return
	}
	now := b.cfg.Now()
	closes := now.Add(newSurveyOpen)
	path, _ := aud.IsBranch()
	sv := &models.Survey{Title: truncate(b.t(r, "survey.new.title", "Branch", path[strings.LastIndex(path, "/")+1:]), models.MaxSurveyTitle),
		Audience: dr.Audience, OpensAt: now, ClosesAt: &closes, RemindHours: 24, CreatedBy: &r.member.ID}
	for _, q := range dr.Questions {
		sv.Questions = append(sv.Questions, models.SurveyQuestion{Kind: q.Kind, Text: q.Text, Options: q.Options})
	}
	asked, err := b.st.CreateSurvey(ctx, sv, now)
	if errors.Is(err, store.ErrNobodyAsked) {
		b.answer(ctx, q, b.t(r, "survey.new.nobody"), true)
		return
	}
	if err != nil {
		b.tapFault(ctx, r, q, "newsurvey", err)
		return
	}
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		b.log.Warn("clear dialog", "err", err)
	}
	b.enqueued()
	b.answer(ctx, q, "", false)
	text := b.t(r, "survey.new.sent", "Count", asked, "ClosesAt", b.cat.DateTime(r.lang, closes, r.member.Zone(b.cfg.Location), now))
	if msg := q.Message.Message; msg != nil {
		b.edit(ctx, r.chatID, msg.ID, text, nil)
		return
	}
	b.send(ctx, r.chatID, text, nil)
}
