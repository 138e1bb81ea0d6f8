package bot

import (
	"context"

	"github.com/assocbot/assocbot/bot/telegram"
)

// onConsole is 📊 Console on an organizer's keyboard and /console: the
// organizers' console (SPEC C16) behind an inline web_app button, which
// opens it with the user's signed init data. (A reply keyboard's web_app
// button would open it without: Telegram sends none for keyboard-button
// Mini Apps. The chat's menu button, set on /start, opens it in one tap.)
func (b *Bot) onConsole(ctx context.Context, r *request) {
	if b.cfg.ConsoleURL == "" {
		b.send(ctx, r.chatID, b.t(r, "console.off"), b.keyboardFor(r))
		return
	}
	open := inlineButton{Text: b.t(r, "console.open_button"), WebApp: &telegram.WebAppInfo{URL: b.cfg.ConsoleURL}}
	b.send(ctx, r.chatID, b.t(r, "console.open"), inline(row(open)))
}
