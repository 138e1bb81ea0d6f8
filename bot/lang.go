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
	rows := [][]inlineButton{buttons}
	if r.member.OnRoster() {
		rows = append(rows, row(b.muteButton(r)))
	}
	b.send(ctx, r.chatID, b.t(r, "lang.choose"), inline(rows...))
}

// muteButton pauses reminders, or turns them back on when paused: one tap
// beside the languages (SPEC C6).
func (b *Bot) muteButton(r *request) inlineButton {
	if r.member.Status == models.StatusMuted {
		return cb(b.t(r, "mute.button.off"), models.Callback{Action: models.ActMute, Op: "off"})
	}
	return cb(b.t(r, "mute.button.on"), models.Callback{Action: models.ActMute, Op: "on"})
}

// onMuteCallback is the pause/resume button.
func (b *Bot) onMuteCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.OnRoster() {
		b.answer(ctx, q, b.t(r, "auth.members_only"), true)
		return
	}
	mute := c.Op == "on"
	status, key := models.StatusActive, "mute.off"
	if mute {
		status, key = models.StatusMuted, "mute.on_button"
	}
	if err := b.st.SetMemberStatus(ctx, r.member.ID, status); err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("mute", "err", err)
		return
	}
	r.member.Status = status
	if msg := q.Message.Message; msg != nil {
		b.edit(ctx, r.chatID, msg.ID, b.t(r, key), inline(row(b.muteButton(r))))
	}
	b.answer(ctx, q, b.t(r, key), false)
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
	b.setChatMenu(ctx, r.chatID, l, r.member.IsOrganizer())
}
