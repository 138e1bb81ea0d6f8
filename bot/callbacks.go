package bot

import (
	"context"
	"strconv"
	"strings"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
)

// onCallback routes a button press. callback_data comes from the client and
// can be forged: every handler re-checks on the server who may do what.
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
	kind, arg, _ := strings.Cut(q.Data, ":")
	switch kind {
	case "lang":
		b.onLangChosen(ctx, r, q, arg)
	case "join":
		b.answer(ctx, q, "", false)
		b.onJoin(ctx, r)
	case "jb":
		b.onJoinBrowse(ctx, r, q, arg)
	case "jc":
		b.onJoinChoose(ctx, r, q, arg)
	case "jr":
		b.onJoinDecide(ctx, r, q, arg)
	case "bc":
		b.onBroadcastCallback(ctx, r, q, arg)
	case "rv":
		b.onRSVPCallback(ctx, r, q, arg)
	case "ic":
		b.onCalendarCallback(ctx, r, q, arg)
	case "ne":
		b.onNewEventCallback(ctx, r, q, arg)
	case "ck":
		b.onCheckinCallback(ctx, r, q, arg)
	case "rt":
		b.onRatingCallback(ctx, r, q, arg)
	default:
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
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

// parseID reads a positive database id from callback data.
func parseID(s string) (uint, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return 0, false
	}
	return uint(n), true
}
