package bot

import (
	"context"
	"strconv"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// onCallback routes a button press. callback_data comes from the client and
// can be forged: it is read by models.ParseCallback, and every handler
// re-checks on the server who may do what.
func (b *Bot) onCallback(ctx context.Context, q *tgm.CallbackQuery) {
	if q.From.IsBot {
		return
	}
	chat := tgm.Chat{ID: q.From.ID, Type: tgm.ChatTypePrivate}
	if msg := q.Message.Message; msg != nil {
		chat = msg.Chat
	} else if im := q.Message.InaccessibleMessage; im != nil {
		chat = im.Chat
	}
	if chat.Type != tgm.ChatTypePrivate && chat.Type != "" {
		b.answer(ctx, q, b.cat.T(locales.FromTelegram(q.From.LanguageCode, b.cfg.DefaultLang), "group.private_only", "Bot", b.username), true)
		return
	}
	from := q.From
	r, err := b.newRequest(ctx, &from, chat)
	if err != nil {
		b.log.Error("callback: find member", "err", err)
		b.answer(ctx, q, b.cat.T(b.cfg.DefaultLang, "error.internal"), true)
		return
	}
	c, err := models.ParseCallback(q.Data)
	if err != nil {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	switch c.Action {
	case models.ActLang:
		b.onLangChosen(ctx, r, q, c.Op)
	case models.ActJoin:
		b.answer(ctx, q, "", false)
		b.onJoin(ctx, r)
	case models.ActJoinBrowse:
		b.onJoinBrowse(ctx, r, q, c.ID)
	case models.ActJoinChoose:
		b.onJoinChoose(ctx, r, q, c.ID)
	case models.ActJoinDecide:
		b.onJoinDecide(ctx, r, q, c)
	case models.ActBroadcast:
		b.onBroadcastCallback(ctx, r, q, c)
	case models.ActRSVP:
		b.onRSVPCallback(ctx, r, q, c)
	case models.ActCalendar:
		b.onCalendarCallback(ctx, r, q, c.Event)
	case models.ActNewEvent:
		b.onNewEventCallback(ctx, r, q, c)
	case models.ActCheckIn:
		b.onCheckinCallback(ctx, r, q, c)
	case models.ActRate:
		b.onRatingCallback(ctx, r, q, c)
	case models.ActVisitDone:
		b.onVisitDone(ctx, r, q, c)
	case models.ActVisitNote:
		b.onVisitNote(ctx, r, q, c)
	case models.ActPlanDone, models.ActPlanSnooze, models.ActPlanPhoto, models.ActPlanRecord, models.ActPlanRecordAsk, models.ActCheckApprove, models.ActCheckReject:
		b.onPlanCallback(ctx, r, q, c)
	case models.ActAssign:
		b.onAssignCallback(ctx, r, q, c)
	case models.ActMemberCard:
		b.onMemberCallback(ctx, r, q, c)
	case models.ActSurvey:
		b.onSurveyCallback(ctx, r, q, c)
	case models.ActSurveyResults:
		b.onSurveyResults(ctx, r, q, c)
	case models.ActNewSurvey:
		b.onNewSurveyCallback(ctx, r, q, c)
	case models.ActEventAdmin:
		b.onEventAdminCallback(ctx, r, q, c)
	case models.ActNoticeCancel:
		b.onNoticeCancel(ctx, r, q, c)
	case models.ActCancelEvent:
		b.onCancelEventCallback(ctx, r, q, c)
	case models.ActMute:
		b.onMuteCallback(ctx, r, q, c)
	case models.ActImport:
		b.onImportCallback(ctx, r, q, c)
	case models.ActExport:
		b.onExportCallback(ctx, r, q, c)
	case models.ActRecord:
		b.onRecordCallback(ctx, r, q, c)
	case models.ActNoticeStop:
		b.onNoticeStop(ctx, r, q, c)
	case models.ActInquiry:
		b.onInquiryCallback(ctx, r, q, c)
	case models.ActFAQ:
		b.onFAQCallback(ctx, r, q, c)
	}
}

// answer answers a callback query; Telegram shows the spinner until we do.
func (b *Bot) answer(ctx context.Context, q *tgm.CallbackQuery, text string, alert bool) {
	if _, err := b.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{
		CallbackQueryID: q.ID, Text: truncate(text, 190), ShowAlert: alert,
	}); err != nil {
		b.apiFailed("answerCallbackQuery", q.From.ID, err)
	}
}

// parseID reads a positive database id as typed after a command.
func parseID(s string) (uint, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return 0, false
	}
	return uint(n), true
}
