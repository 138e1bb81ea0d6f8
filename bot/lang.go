package bot

import (
	"context"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// onLang offers the three languages, each named in itself.
func (b *Bot) onLang(ctx context.Context, r *request) {
	var buttons []inlineButton
	for _, l := range locales.All() {
		buttons = append(buttons, cb(b.cat.T(l, "lang.name"), models.Callback{Action: models.ActLang, Op: string(l)}))
	}
	b.send(ctx, r.chatID, b.t(r, "lang.choose"), inline(buttons))
}

// onLangChosen stores the choice; every later message uses it.
func (b *Bot) onLangChosen(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) {
	l, ok := locales.Parse(arg)
	if !ok || arg != string(l) {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	if err := b.st.SetLanguage(ctx, r.from.ID, string(l)); err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("set language", "err", err)
		return
	}
	r.lang = l
	if r.member != nil {
		r.member.Lang = string(l)
	}
	b.answer(ctx, q, b.t(r, "lang.set"), false)
	if msg := q.Message.Message; msg != nil {
		b.edit(ctx, r.chatID, msg.ID, b.t(r, "lang.set"), nil)
	}
	// A reply keyboard cannot be edited: send it again in the new language.
	b.send(ctx, r.chatID, b.t(r, "lang.keyboard_updated"), b.keyboardFor(r))
	b.setChatMenu(ctx, r.chatID, l, isOrganizer(r.member))
}
