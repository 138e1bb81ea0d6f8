package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// offerQuestion answers words the bot does not understand from a member
// (SPEC C15): the frequent questions they may be asking, in their
// language, each one tap away, and "send this to your organizer as a
// question?". The words wait as a draft; nothing is sent until the tap.
func (b *Bot) offerQuestion(ctx context.Context, r *request, text string) {
	now := b.cfg.Now()
	q, err := b.st.DraftInquiry(ctx, r.member, text, now)
	if errors.Is(err, store.ErrInquiryText) {
		b.send(ctx, r.chatID, b.t(r, "unknown.text"), b.keyboardFor(r))
		return
	}
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "question", err)
		return
	}
	faqs, err := b.st.MatchFAQs(ctx, string(r.lang), text)
	if err != nil {
		b.log.Warn("faq: match", "err", err) // the offer goes on without them
	}
	var rows [][]inlineButton
	for _, f := range faqs {
		rows = append(rows, row(cb("❓ "+planner.Clip(f.Question, 50), models.Callback{Action: models.ActFAQ, ID: f.ID})))
	}
	rows = append(rows, row(cb(b.t(r, "inquiry.button.send"), models.Callback{Action: models.ActInquiry, ID: q.ID, Op: "s"})))
	key := "inquiry.offer"
	if len(faqs) > 0 {
		key = "inquiry.offer_faq"
	}
	b.send(ctx, r.chatID, b.t(r, key, "Count", len(faqs)), inline(rows...))
}

// onFAQCallback shows a frequent question's answer.
func (b *Bot) onFAQCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.OnRoster() {
		b.answer(ctx, q, b.t(r, "auth.members_only"), true)
		return
	}
	f, err := b.st.FAQByID(ctx, c.ID)
	if err != nil {
		b.answer(ctx, q, b.t(r, "faq.gone"), true)
		return
	}
	b.answer(ctx, q, "", false)
	b.send(ctx, r.chatID, truncate(b.t(r, "faq.answer", "Question", f.Question, "Answer", f.Answer), 4000), nil)
}

// inquiryRefusals are what a tap on a question's button is told when the
// store refuses it.
var inquiryRefusals = map[error]string{
	store.ErrInquiryGone:   "inquiry.gone",
	store.ErrNobodyAnswers: "inquiry.nobody",
	models.ErrNotYours:     "inquiry.not_yours",
	store.ErrNotFound:      "inquiry.not_yours",
}

// onInquiryCallback is a tap on a question's button: its asker sends it
// (s), an organizer starts the reply (r).
func (b *Bot) onInquiryCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.OnRoster() {
		b.answer(ctx, q, b.t(r, "auth.members_only"), true)
		return
	}
	switch c.Op {
	case "s":
		n, err := b.st.AskInquiry(ctx, c.ID, r.member, b.cfg.Now())
		if err != nil {
			b.refuseInquiry(ctx, r, q, err)
			return
		}
		b.enqueued()
		b.log.Info("question asked", "inquiry_id", c.ID, "organizers", n)
		b.answer(ctx, q, b.t(r, "inquiry.sent_short"), false)
		if msg := q.Message.Message; msg != nil {
			b.edit(ctx, msg.Chat.ID, msg.ID, b.t(r, "inquiry.sent"), nil)
		}
	case "r":
		iq, err := b.st.MayAnswerInquiry(ctx, c.ID, r.scope)
		if err != nil {
			b.refuseInquiry(ctx, r, q, err)
			return
		}
		asker, err := b.st.MemberByID(ctx, iq.MemberID)
		if err != nil {
			b.refuseInquiry(ctx, r, q, err)
			return
		}
		raw, _ := json.Marshal(inquiryDialog{Inquiry: iq.ID})
		if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogInquiry, Step: "answer", Data: string(raw)}); err != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
			return
		}
		b.send(ctx, r.chatID, b.t(r, "inquiry.ask_answer", "Name", asker.Name, "Question", planner.Clip(iq.Text, 300)), nil)
		b.answer(ctx, q, "", false)
	}
}

// refuseInquiry answers a refused tap: who answered already, or why not.
func (b *Bot) refuseInquiry(ctx context.Context, r *request, q *tgm.CallbackQuery, err error) {
	var answered *store.AnsweredError
	if errors.As(err, &answered) {
		b.answer(ctx, q, b.t(r, "inquiry.answered_by", "Name", answered.By), true)
		return
	}
	for reason, key := range inquiryRefusals {
		if errors.Is(err, reason) {
			b.answer(ctx, q, b.t(r, key), true)
			return
		}
	}
	b.log.Error("question", "err", err)
	b.answer(ctx, q, b.t(r, "error.internal"), true)
}

// dialogInquiry waits for an organizer's answer to a member's question.
const dialogInquiry = "inquiry"

type inquiryDialog struct {
	Inquiry uint `json:"q"`
}

// onInquiryInput takes an organizer's typed answer; false when no answer
// is awaited.
func (b *Bot) onInquiryInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	// An answer typed after the reply window closed is not taken as the
	// answer, nor offered as a question of the organizer's own: it is
	// asked again, by ↩️.
	if d, err := b.st.Dialog(ctx, r.from.ID); r.member != nil && err == nil && d.Kind == dialogInquiry && b.cfg.Now().Sub(d.UpdatedAt) > typedDialogTTL {
		b.dropDialog(ctx, r)
		b.send(ctx, r.chatID, b.t(r, "inquiry.reply_expired"), b.keyboardFor(r))
		return true
	}
	qd, ok := typedDialog[inquiryDialog](ctx, b, r, dialogInquiry)
	if !ok {
		return false
	}
	text := strings.TrimSpace(msg.Text)
	if text == "" {
		b.send(ctx, r.chatID, b.t(r, "inquiry.bad_answer", "Max", models.MaxAnswerText), nil)
		return true
	}
	iq, err := b.st.AnswerInquiry(ctx, qd.Inquiry, r.member, r.scope, text, b.cfg.Now())
	if errors.Is(err, store.ErrInquiryText) {
		b.send(ctx, r.chatID, b.t(r, "inquiry.bad_answer", "Max", models.MaxAnswerText), nil)
		return true
	}
	b.dropDialog(ctx, r)
	var answered *store.AnsweredError
	switch {
	case errors.As(err, &answered):
		b.send(ctx, r.chatID, b.t(r, "inquiry.answered_by", "Name", answered.By), b.keyboardFor(r))
		return true
	case errors.Is(err, models.ErrNotYours), errors.Is(err, store.ErrNotFound):
		b.send(ctx, r.chatID, b.t(r, "inquiry.not_yours"), b.keyboardFor(r))
		return true
	case err != nil:
		b.fail(ctx, r.chatID, r.lang, "answer", err)
		return true
	}
	b.enqueued()
	b.log.Info("question answered", "inquiry_id", iq.ID)
	asker, err := b.st.MemberByID(ctx, iq.MemberID)
	name := ""
	if err == nil {
		name = asker.Name
	}
	key := "inquiry.answer_sent"
	if iq.BySMS {
		key = "inquiry.answer_sent_sms" // an SMS carries a short answer: say so
	}
	b.send(ctx, r.chatID, b.t(r, key, "Name", name), b.keyboardFor(r))
	return true
}

// onReceived is 📰 (and /notices for members): the last notices sent to
// the member, with their dates, each in the member's language (SPEC C15).
func (b *Bot) onReceived(ctx context.Context, r *request) {
	if !b.requireMember(ctx, r) {
		return
	}
	rows, err := b.st.NoticesTo(ctx, r.member.ID, 10)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "notices", err)
		return
	}
	if len(rows) == 0 {
		b.send(ctx, r.chatID, b.t(r, "received.none"), b.keyboardFor(r))
		return
	}
	parts := []string{b.t(r, "received.title", "Count", len(rows))}
	now := b.cfg.Now()
	for _, row := range rows {
		args, _ := planner.DecodeArgs(row.Args)
		text := args.Strings["Text"]
		if byLang, ok := args.Texts["Text"]; ok {
			text = planner.InLang(byLang, r.lang)
		}
		sent := row.NotBefore
		if row.SentAt != nil {
			sent = *row.SentAt
		}
		parts = append(parts, b.t(r, "received.line", "Date", b.cat.Date(r.lang, models.DayOf(sent, b.cfg.Location), now), "Text", planner.Clip(text, 300)))
	}
	b.send(ctx, r.chatID, truncate(strings.Join(parts, "\n\n"), 4000), b.keyboardFor(r))
}
