package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/input"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// request is one update with who sent it, what they may act for, and the
// language to answer in.
type request struct {
	chatID  int64
	from    *tgm.User
	member  *models.Member // nil for a stranger
	scope   models.Scope   // what they organize (models.Scope)
	lang    locales.Lang
	private bool
}

// t renders a key in the request's language.
func (b *Bot) t(r *request, key string, kv ...any) string { return b.cat.T(r.lang, key, kv...) }

// handle is the one entry point for updates.
func (b *Bot) handle(ctx context.Context, _ *tg.Bot, upd *tgm.Update) {
	start := time.Now()
	kind := "other"
	switch {
	case upd.Message != nil:
		kind = "message"
		b.onMessage(ctx, upd.Message)
	case upd.CallbackQuery != nil:
		kind = "callback"
		b.onCallback(ctx, upd.CallbackQuery)
	case upd.MyChatMember != nil:
		kind = "my_chat_member"
		b.onMyChatMember(ctx, upd.MyChatMember)
	}
	b.metrics.Updates.WithLabelValues(kind).Inc()
	b.metrics.Handling.WithLabelValues(kind).Observe(time.Since(start).Seconds())
}

// newRequest finds the member behind a Telegram user (making configured admins
// admins) and the language to answer in (SPEC C2).
func (b *Bot) newRequest(ctx context.Context, from *tgm.User, chat tgm.Chat) (*request, error) {
	r := &request{chatID: chat.ID, from: from, private: chat.Type == tgm.ChatTypePrivate || chat.Type == ""}
	m, err := b.st.MemberByTelegramID(ctx, from.ID)
	switch {
	case err == nil:
		r.member = m
	case errors.Is(err, store.ErrNotFound):
	default:
		return nil, err
	}
	if b.admins[from.ID] && r.private && (r.member == nil || r.member.Role != models.RoleAdmin) {
		lang := ""
		if r.member == nil {
			lang = string(locales.FromTelegram(from.LanguageCode, b.cfg.DefaultLang))
		}
		name := displayName(from)
		if !models.ValidText(name, false) {
			// The store refuses such a name; an admin is named by their id
			// instead (a name can be mended later), never locked out.
			name = fmt.Sprintf("#%d", from.ID)
		}
		m, err := b.st.EnsureAdmin(ctx, from.ID, chat.ID, name, lang)
		if err != nil {
			return nil, err
		}
		r.member = m
		b.log.Info("configured admin linked", "member_id", m.ID)
	}
	if r.member != nil && r.member.Status == models.StatusUnreachable {
		// They write to us again: they unblocked the bot.
		if err := b.st.SetMemberStatus(ctx, r.member.ID, models.StatusActive); err == nil {
			r.member.Status = models.StatusActive
		}
	}
	if r.member != nil && r.member.TelegramLang != from.LanguageCode && len(from.LanguageCode) <= 35 {
		if err := b.st.SetTelegramLang(ctx, r.member.ID, from.LanguageCode); err != nil {
			b.log.Warn("remember language_code", "member_id", r.member.ID, "err", err)
		}
		r.member.TelegramLang = from.LanguageCode
	}
	if r.member.IsOrganizer() {
		if r.scope, err = b.st.Scope(ctx, r.member); err != nil {
			return nil, err
		}
	}
	r.lang = b.langOf(ctx, r.member, from)
	return r, nil
}

// langOf applies SPEC C2: the user's own choice, else Telegram's
// language_code, else the deployment default.
func (b *Bot) langOf(ctx context.Context, m *models.Member, from *tgm.User) locales.Lang {
	chosen, code := "", ""
	switch {
	case m != nil:
		chosen = m.Lang
	case from != nil:
		chosen, _ = b.st.VisitorLanguage(ctx, from.ID)
	}
	switch {
	case from != nil:
		code = from.LanguageCode
	case m != nil:
		code = m.TelegramLang
	}
	return locales.Resolve(chosen, code, b.cfg.DefaultLang)
}

func displayName(u *tgm.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.Username
	}
	if name == "" {
		// Telegram requires a first name, so this is only for odd clients:
		// an id is language-neutral.
		name = fmt.Sprintf("#%d", u.ID)
	}
	if len([]rune(name)) > 100 {
		name = string([]rune(name)[:100])
	}
	return name
}

// command is a parsed "/name args" addressed to this bot.
type command struct {
	name string
	args string
}

// parseCommand reads "/Name@bot args". It reports false for text that is not
// a command, and for a command addressed to another bot in a group.
func (b *Bot) parseCommand(text string) (command, bool) {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return command{}, false
	}
	head, args, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		args = head[i+1:] + " " + args
		head = head[:i]
	}
	name, target, addressed := strings.Cut(head, "@")
	if addressed && !strings.EqualFold(target, b.username) {
		return command{}, false
	}
	return command{name: strings.ToLower(name), args: strings.TrimSpace(args)}, true
}

func (b *Bot) onMessage(ctx context.Context, msg *tgm.Message) {
	if msg.From == nil || msg.From.IsBot {
		return
	}
	cmd, isCmd := b.parseCommand(msg.Text)
	if msg.Chat.Type != tgm.ChatTypePrivate && msg.Chat.Type != "" {
		// In groups the bot only points to the private chat: member data never
		// goes to a group (SPEC C5).
		if isCmd && cmd.name == "checks" {
			b.onChecksInGroup(ctx, msg)
			return
		}
		if isCmd {
			r := &request{chatID: msg.Chat.ID, from: msg.From, lang: b.langOf(ctx, nil, msg.From)}
			if m, err := b.st.MemberByTelegramID(ctx, msg.From.ID); err == nil {
				r.lang = b.langOf(ctx, m, msg.From)
			}
			b.send(ctx, r.chatID, b.t(r, "group.private_only", "Bot", b.username), nil)
		}
		return
	}
	r, err := b.newRequest(ctx, msg.From, msg.Chat)
	if err != nil {
		b.fail(ctx, msg.Chat.ID, locales.FromTelegram(msg.From.LanguageCode, b.cfg.DefaultLang), "message", err)
		return
	}
	menu := ""
	if !isCmd {
		menu = b.menuAction(strings.TrimSpace(msg.Text))
	}
	switch {
	case msg.Contact != nil:
		b.onContact(ctx, r, msg.Contact)
	case menu != "":
		// A keyboard tap in the middle of a dialog leaves the dialog: it is
		// never taken as a title, a notice or a reason.
		b.leaveDialog(ctx, r)
		b.onMenu(ctx, r, menu)
	case !isCmd && b.onCheckInput(ctx, r, msg):
	case !isCmd && b.onBroadcastInput(ctx, r, msg):
	case !isCmd && b.onNewEventInput(ctx, r, msg):
	case !isCmd && b.onNewSurveyInput(ctx, r, msg):
	case !isCmd && b.onSurveyCommentInput(ctx, r, msg):
	case !isCmd && b.onVisitNoteInput(ctx, r, msg):
	case !isCmd && b.onFiguresInput(ctx, r, msg):
	case !isCmd && b.onReportFileInput(ctx, r, msg):
	case !isCmd && b.onFamilyEditInput(ctx, r, msg):
	case !isCmd && b.onInquiryInput(ctx, r, msg):
	case !isCmd && b.onRecordInput(ctx, r, msg):
	case !isCmd && b.onJoinInput(ctx, r, msg):
	case msg.Document != nil:
		b.onDocument(ctx, r, msg.Document)
	case isCmd:
		b.onCommand(ctx, r, cmd)
	case msg.Text != "":
		b.onText(ctx, r, msg.Text)
	default:
		b.send(ctx, r.chatID, b.t(r, "unknown.message"), b.keyboardFor(r))
	}
}

func (b *Bot) onCommand(ctx context.Context, r *request, c command) {
	switch c.name {
	case "start":
		b.onStart(ctx, r, c.args)
	case "help":
		b.onHelp(ctx, r)
	case "lang", "language":
		b.onLang(ctx, r)
	case "join":
		b.onJoin(ctx, r)
	case "events", "checks":
		b.onMenu(ctx, r, map[string]string{"events": telegram.MenuEvents, "checks": telegram.MenuChecks}[c.name])
	case "console":
		b.onMenu(ctx, r, telegram.MenuConsole)
	case "overdue", "duties", "assign", "stats", "export", "records", "preview", "import", "member", "surveys", "newsurvey", "figures":
		if !b.requireOrganizer(ctx, r, c.name) {
			return
		}
		switch c.name {
		case "overdue":
			b.onOverdue(ctx, r)
		case "duties":
			b.onDuties(ctx, r)
		case "stats":
			b.onStats(ctx, r)
		case "export":
			b.onExport(ctx, r, c.args)
		case "records":
			b.onRecords(ctx, r, c.args)
		case "preview":
			b.onPreview(ctx, r, c.args)
		case "import":
			b.send(ctx, r.chatID, b.t(r, "import.how"), nil)
		case "member":
			b.onMember(ctx, r, c.args)
		case "surveys":
			b.onSurveys(ctx, r)
		case "newsurvey":
			b.onNewSurvey(ctx, r)
		case "figures":
			b.onFigures(ctx, r, c.args)
		default:
			b.onAssign(ctx, r, c.args)
		}
	case "visits":
		b.onVisits(ctx, r)
	case "event":
		b.onEvent(ctx, r, c.args)
	case "rsvp":
		b.onRSVPCommand(ctx, r, c.args)
	case "calendar", "ics":
		b.onCalendar(ctx, r, c.args)
	case "invite":
		if b.requireOrganizer(ctx, r, c.name) {
			b.onInvite(ctx, r, c.args)
		}
	case "broadcast":
		if b.requireOrganizer(ctx, r, c.name) {
			b.onBroadcast(ctx, r)
		}
	case "notices":
		// An organizer's: those waiting for their time; a member's: those
		// received.
		if r.member.IsOrganizer() {
			b.onNotices(ctx, r)
		} else {
			b.onReceived(ctx, r)
		}
	case "cancel":
		b.cancelDialog(ctx, r)
	case "newevent", "cancelevent", "editevent", "attendees", "nudge", "checkin":
		if !b.requireOrganizer(ctx, r, c.name) {
			return
		}
		map[string]func(context.Context, *request, string){
			"newevent": b.onNewEvent, "cancelevent": b.onCancelEvent, "editevent": b.onEditEvent,
			"attendees": b.onAttendees, "nudge": b.onNudge, "checkin": b.onCheckin,
		}[c.name](ctx, r, c.args)
	case "mute":
		b.onMute(ctx, r, true)
	case "unmute":
		b.onMute(ctx, r, false)
	default:
		b.send(ctx, r.chatID, b.t(r, "unknown.command", "Command", "/"+truncate(c.name, 32)), b.keyboardFor(r))
	}
}

// leaveDialog ends the user's dialog, if one waits, and says so: that
// nothing more was sent or saved, unless their last tap saved what they
// did (savedAlready), where leaving is silent.
func (b *Bot) leaveDialog(ctx context.Context, r *request) {
	d, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil {
		return
	}
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.log.Warn("clear dialog", "err", err)
		return
	}
	if savedAlready(d) {
		return
	}
	b.send(ctx, r.chatID, b.t(r, "dialog.left"), nil)
}

func (b *Bot) onText(ctx context.Context, r *request, text string) {
	if r.member == nil {
		b.greetStranger(ctx, r)
		return
	}
	if ans, ok := input.Answer(text); ok { // 参加, 不去, 待定 typed outside a dialog
		b.onTypedAnswer(ctx, r, ans)
		return
	}
	if !r.member.OnRoster() || input.SmallTalk(text) {
		b.send(ctx, r.chatID, b.t(r, "unknown.text"), b.keyboardFor(r))
		return
	}
	b.offerQuestion(ctx, r, text)
}

func (b *Bot) onMenu(ctx context.Context, r *request, action string) {
	switch action {
	case telegram.MenuHelp:
		b.onHelp(ctx, r)
	case telegram.MenuLanguage:
		b.onLang(ctx, r)
	case telegram.MenuJoin:
		b.onJoin(ctx, r)
	case telegram.MenuShare:
		// The keyboard button shares the contact itself; typed text gets the
		// button, and a member (an old keyboard) is told they are one.
		if r.member.OnRoster() {
			b.send(ctx, r.chatID, b.t(r, "link.already", "Name", r.member.Name), b.keyboardFor(r))
			return
		}
		b.greetStranger(ctx, r)
	case telegram.MenuEvents:
		b.onEvents(ctx, r)
	case telegram.MenuChecks:
		b.onChecks(ctx, r)
	case telegram.MenuNotices:
		b.onReceived(ctx, r)
	case telegram.MenuVisits:
		b.onVisits(ctx, r)
	case telegram.MenuNotice:
		if b.requireOrganizer(ctx, r, "broadcast") {
			b.onBroadcast(ctx, r)
		}
	case telegram.MenuNewEvent:
		if b.requireOrganizer(ctx, r, "newevent") {
			b.startNewEventDialog(ctx, r)
		}
	case telegram.MenuOurEvents:
		if b.requireOrganizer(ctx, r, "events") {
			b.eventPicker(ctx, r, "v", "")
		}
	case telegram.MenuConsole:
		if b.requireOrganizer(ctx, r, "console") {
			b.onConsole(ctx, r)
		}
	}
}

// requireMember answers a stranger, or one who left, that the action is
// for members.
func (b *Bot) requireMember(ctx context.Context, r *request) bool {
	if r.member.OnRoster() {
		return true
	}
	b.send(ctx, r.chatID, b.t(r, "auth.members_only"), b.keyboardFor(r))
	return false
}

// requireOrganizer answers anyone else that the command is for organizers.
func (b *Bot) requireOrganizer(ctx context.Context, r *request, cmd string) bool {
	if r.member.IsOrganizer() {
		return true
	}
	b.send(ctx, r.chatID, b.t(r, "auth.organizers_only", "Command", "/"+cmd), b.keyboardFor(r))
	return false
}

// send sends a message and logs (never returns) a failure: the user has
// nothing to retry, and the metric shows it. Every reply goes through it,
// so the Bot API's rules hold here for all: a text within Telegram's
// limit, and a markup only when it has a button (telegram.ReplyMarkup: a
// handler's nil *inlineKeyboard is no markup, not "null").
func (b *Bot) send(ctx context.Context, chatID int64, text string, markup any) *tgm.Message {
	p := sendParams(chatID, text, markup)
	if p == nil {
		b.metrics.APIErrors.WithLabelValues("sendMessage").Inc()
		b.log.Error("empty reply not sent", "chat_id", chatID)
		return nil
	}
	msg, err := b.api.SendMessage(ctx, p)
	if err != nil {
		b.apiFailed("sendMessage", chatID, err)
		if telegram.Classify(ctx, err).Verdict == outbox.Unreachable && chatID > 0 {
			// Blocked: the dispatcher sends them nothing more until they
			// write to the bot again.
			if err := b.st.MarkChatUnreachable(context.WithoutCancel(ctx), chatID, b.cfg.Now()); err != nil {
				b.log.Warn("mark unreachable", "chat_id", chatID, "err", err)
			}
		}
		return nil
	}
	return msg
}

// sendParams is the sendMessage request for a reply: nil when the text
// is empty (Telegram refuses it), else the text fitted to Telegram's limit
// and reply_markup set only when there is a button to show.
func sendParams(chatID int64, text string, markup any) *tg.SendMessageParams {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	p := &tg.SendMessageParams{ChatID: chatID, Text: telegram.Fit(text, telegram.MaxText)}
	if m := telegram.ReplyMarkup(markup); m != nil {
		p.ReplyMarkup = m
	}
	return p
}

// edit replaces a message's text and inline keyboard; "not modified" (the same
// button tapped twice) is success.
func (b *Bot) edit(ctx context.Context, chatID int64, messageID int, text string, markup *inlineKeyboard) {
	if strings.TrimSpace(text) == "" {
		b.log.Error("empty edit not sent", "chat_id", chatID)
		return
	}
	p := &tg.EditMessageTextParams{ChatID: chatID, MessageID: messageID, Text: telegram.Fit(text, telegram.MaxText)}
	if m := telegram.ReplyMarkup(markup); m != nil {
		p.ReplyMarkup = m
	}
	if _, err := b.api.EditMessageText(ctx, p); err != nil && telegram.Classify(ctx, err).Verdict != outbox.Unchanged {
		b.apiFailed("editMessageText", chatID, err)
	}
}

func (b *Bot) apiFailed(method string, chatID int64, err error) {
	b.metrics.APIErrors.WithLabelValues(method).Inc()
	b.log.Warn("bot api call failed", "method", method, "chat_id", chatID, "err", redact(err.Error(), b.cfg.Token))
}

// editCaption replaces a photo's caption, without its buttons.
func (b *Bot) editCaption(ctx context.Context, chatID int64, messageID int, caption string) {
	p := &tg.EditMessageCaptionParams{ChatID: chatID, MessageID: messageID, Caption: truncate(caption, 1000)}
	if _, err := b.api.EditMessageCaption(ctx, p); err != nil && telegram.Classify(ctx, err).Verdict != outbox.Unchanged {
		b.apiFailed("editMessageCaption", chatID, err)
	}
}

// fail logs an internal error and tells the user, in their language, that it
// was ours.
func (b *Bot) fail(ctx context.Context, chatID int64, lang locales.Lang, what string, err error) {
	b.log.Error("handler failed", "what", what, "chat_id", chatID, "err", err)
	b.send(ctx, chatID, b.cat.T(lang, "error.internal"), nil)
}

func truncate(s string, n int) string { return planner.Clip(s, n) }

// onMyChatMember: in a private chat, Telegram tells the bot that the user
// blocked it (kicked) or unblocked it (member): a blocked member is
// unreachable at once, so that the next messages go by SMS where that
// reaches them (SPEC C12), rather than after a send answered 403.
func (b *Bot) onMyChatMember(ctx context.Context, u *tgm.ChatMemberUpdated) {
	if u.Chat.Type != tgm.ChatTypePrivate {
		return
	}
	switch u.NewChatMember.Type {
	case tgm.ChatMemberTypeBanned:
		if err := b.st.MarkChatUnreachable(ctx, u.Chat.ID, b.cfg.Now()); err != nil {
			b.log.Error("mark unreachable", "err", err)
			return
		}
		b.log.Info("a user blocked the bot", "chat_id", u.Chat.ID)
	case tgm.ChatMemberTypeMember:
		m, err := b.st.MemberByTelegramID(ctx, u.From.ID)
		if err != nil || m.Status != models.StatusUnreachable || m.ChatID == nil || *m.ChatID != u.Chat.ID {
			return
		}
		if err := b.st.SetMemberStatus(ctx, m.ID, models.StatusActive); err != nil {
			b.log.Error("mark reachable", "member_id", m.ID, "err", err)
		}
	}
}
