package bot

import (
	"context"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
)

// The commands in the menu; organizers see theirs too.
var (
	memberCommands    = []string{"start", "help", "lang", "events", "event", "rsvp", "calendar", "checks", "visits", "mute", "unmute"}
	organizerCommands = []string{"broadcast", "notices", "cancel", "newevent", "editevent", "cancelevent", "attendees", "nudge", "checkin", "invite", "overdue", "duties", "assign", "stats", "newsurvey", "surveys", "figures", "records", "export", "import", "preview", "member"}
)

func (b *Bot) commandList(l locales.Lang, organizer bool) []tgm.BotCommand {
	names := memberCommands
	if organizer {
		names = append(append([]string{}, memberCommands...), organizerCommands...)
		if b.cfg.ConsoleURL != "" {
			names = append(names, "console")
		}
	}
	cmds := make([]tgm.BotCommand, 0, len(names))
	for _, n := range names {
		cmds = append(cmds, tgm.BotCommand{Command: n, Description: b.cat.T(l, "cmd."+n)})
	}
	return cmds
}

// SetMenus sets the default command menus and the organizers' own. Telegram's
// language_code has two letters, so "zh" cannot split the scripts: the default
// menu is in the deployment language, English clients get English, and a
// member's own choice is set on their chat (setChatMenu). These calls are
// optional: a refusal is logged and the bot works on.
func (b *Bot) SetMenus(ctx context.Context) {
	b.setCommands(ctx, b.commandList(b.cfg.DefaultLang, false), nil, "")
	if b.cfg.DefaultLang != locales.En {
		b.setCommands(ctx, b.commandList(locales.En, false), nil, "en")
	}
	if b.cfg.DefaultLang != locales.ZhHans {
		b.setCommands(ctx, b.commandList(locales.ZhHans, false), nil, "zh")
	}
	orgs, err := b.st.Organizers(ctx)
	if err != nil {
		b.log.Warn("organizer menus", "err", err)
		return
	}
	for _, o := range orgs {
		if o.ChatID == nil {
			continue
		}
		// In the chat's own turn, after what it already has queued (a
		// /lang), one organizer after another.
		done := make(chan struct{})
		b.chats.push(*o.ChatID, func() {
			defer close(done)
			b.organizerMenu(ctx, o.ID)
		})
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}

// organizerMenu sets an organizer's chat menu as the member is now: a
// language changed or a role taken away since the start read the list wins.
func (b *Bot) organizerMenu(ctx context.Context, id uint) {
	if ctx.Err() != nil {
		return
	}
	m, err := b.st.MemberByID(ctx, id)
	if err != nil || m.ChatID == nil || !m.IsOrganizer() {
		return
	}
	b.setCommands(ctx, b.commandList(b.langOf(ctx, m, nil), true), &tgm.BotCommandScopeChat{ChatID: *m.ChatID}, "")
}

// setChatMenu sets one private chat's menu in the member's language.
func (b *Bot) setChatMenu(ctx context.Context, chatID int64, l locales.Lang, organizer bool) {
	b.setCommands(ctx, b.commandList(l, organizer), &tgm.BotCommandScopeChat{ChatID: chatID}, "")
	if organizer && b.cfg.ConsoleURL != "" {
		// The chat's menu button opens the console in one tap, with the
		// user's init data (SPEC C16); an optional call: refused, the
		// keyboard's 📊 still offers it.
		_, err := b.api.SetChatMenuButton(ctx, &tg.SetChatMenuButtonParams{ChatID: chatID,
			MenuButton: tgm.MenuButtonWebApp{Type: tgm.MenuButtonTypeWebApp, Text: b.cat.T(l, "menu.console"), WebApp: tgm.WebAppInfo{URL: b.cfg.ConsoleURL}}})
		if err != nil {
			b.metrics.APIErrors.WithLabelValues("setChatMenuButton").Inc()
			b.log.Warn("setChatMenuButton refused; the keyboard's console key remains", "err", redact(err.Error(), b.cfg.Token))
		}
	}
}

func (b *Bot) setCommands(ctx context.Context, cmds []tgm.BotCommand, scope tgm.BotCommandScope, lang string) {
	p := &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: lang}
	if scope != nil {
		p.Scope = scope
	}
	if _, err := b.api.SetMyCommands(ctx, p); err != nil {
		b.metrics.APIErrors.WithLabelValues("setMyCommands").Inc()
		b.log.Warn("setMyCommands refused; menus stay as they were", "err", redact(err.Error(), b.cfg.Token))
	}
}
