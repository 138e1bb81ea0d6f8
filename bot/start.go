package bot

import (
	"context"
	"errors"
	"regexp"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// deepLinkPayload is what Telegram allows after ?start=.
var deepLinkPayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// onStart greets, and with an invite code links the account (SPEC C1).
func (b *Bot) onStart(ctx context.Context, r *request, payload string) {
	if payload == "" {
		if r.member != nil {
			b.welcome(ctx, r, "start.welcome_back")
			return
		}
		b.greetStranger(ctx, r)
		return
	}
	if !deepLinkPayload.MatchString(payload) {
		b.send(ctx, r.chatID, b.t(r, "invite.unknown"), b.keyboardFor(r))
		return
	}
	m, err := b.st.RedeemInvite(ctx, payload, r.from.ID, r.chatID, b.cfg.Now())
	b.afterLink(ctx, r, m, err)
}

// afterLink answers the outcome of linking an account, by invite or by phone.
func (b *Bot) afterLink(ctx context.Context, r *request, m *models.Member, err error) {
	switch {
	case err == nil:
		// Their Telegram language from this first update on: a member who
		// joins by a link and never writes again reads in it.
		if code := r.from.LanguageCode; code != "" && len(code) <= 35 && m.TelegramLang != code {
			if err := b.st.SetTelegramLang(ctx, m.ID, code); err != nil {
				b.log.Warn("remember language_code", "member_id", m.ID, "err", err)
			}
			m.TelegramLang = code
		}
		r.member = m
		r.lang = b.langOf(ctx, m, r.from)
		b.log.Info("member linked", "member_id", m.ID)
		b.welcome(ctx, r, "start.linked")
	case errors.Is(err, store.ErrInviteUsed) && r.member.OnRoster():
		// Their own link, opened again.
		b.send(ctx, r.chatID, b.t(r, "link.already", "Name", r.member.Name), b.keyboardFor(r))
	case errors.Is(err, store.ErrInviteUsed):
		b.send(ctx, r.chatID, b.t(r, "invite.used"), b.keyboardFor(r))
	case errors.Is(err, store.ErrInviteExpired):
		b.send(ctx, r.chatID, b.t(r, "invite.expired"), b.keyboardFor(r))
	case errors.Is(err, store.ErrNotFound):
		b.send(ctx, r.chatID, b.t(r, "invite.unknown"), b.keyboardFor(r))
	case errors.Is(err, store.ErrAccountLinked):
		name := ""
		if r.member != nil {
			name = r.member.Name
		}
		b.send(ctx, r.chatID, b.t(r, "link.account_linked", "Name", name), b.keyboardFor(r))
	case errors.Is(err, store.ErrMemberLinked):
		b.send(ctx, r.chatID, b.t(r, "link.member_linked"), b.keyboardFor(r))
	default:
		b.fail(ctx, r.chatID, r.lang, "link", err)
	}
}

// welcome greets a member with their keyboard and sets their command menu.
func (b *Bot) welcome(ctx context.Context, r *request, key string) {
	branch := ""
	if r.member.Branch != nil {
		branch = r.member.Branch.Path
	}
	b.send(ctx, r.chatID, b.t(r, key, "Name", r.member.Name, "Branch", branch), b.keyboardFor(r))
	b.setChatMenu(ctx, r.chatID, r.lang, r.member.IsOrganizer())
}

// greetStranger explains, politely, how someone not on the roster gets in.
func (b *Bot) greetStranger(ctx context.Context, r *request) {
	b.send(ctx, r.chatID, b.t(r, "start.stranger", "Name", displayName(r.from)), b.keyboardFor(r))
	b.setChatMenu(ctx, r.chatID, r.lang, false)
}

// onContact links by a shared phone number, only the sender's own.
func (b *Bot) onContact(ctx context.Context, r *request, c *tgm.Contact) {
	if c.UserID != r.from.ID {
		b.send(ctx, r.chatID, b.t(r, "contact.not_own"), b.keyboardFor(r))
		return
	}
	if r.member != nil {
		b.send(ctx, r.chatID, b.t(r, "link.already", "Name", r.member.Name), b.keyboardFor(r))
		return
	}
	e164, err := models.NormalizePhone(c.PhoneNumber)
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "contact.bad_phone"), b.keyboardFor(r))
		return
	}
	joining := false
	if d, err := b.st.Dialog(ctx, r.from.ID); err == nil && d.Kind == dialogJoin {
		joining = true
	}
	m, err := b.st.LinkByPhone(ctx, e164, r.from.ID, r.chatID)
	if errors.Is(err, store.ErrNotFound) {
		if err := b.st.RememberVisitorPhone(ctx, r.from.ID, e164); err != nil {
			b.fail(ctx, r.chatID, r.lang, "contact", err)
			return
		}
		if joining {
			// Asked for while they were asked their name: the request
			// will carry the number; the name is still to come.
			b.send(ctx, r.chatID, b.t(r, "join.phone_noted"), b.keyboardFor(r))
			return
		}
		b.send(ctx, r.chatID, b.t(r, "contact.not_found"),
			inline(row(cb(b.t(r, "menu.request_join"), models.Callback{Action: models.ActJoin}))))
		return
	}
	if err == nil && joining {
		b.clearDialog(ctx, r) // on the roster: linked, no request needed
	}
	b.afterLink(ctx, r, m, err)
}
