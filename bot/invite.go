package bot

import (
	"context"
	"errors"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// onInvite makes a deep link for a member on the roster (organizers only,
// within their branches).
func (b *Bot) onInvite(ctx context.Context, r *request, args string) {
	if args == "" {
		b.send(ctx, r.chatID, b.t(r, "invite.usage"), nil)
		return
	}
	e164, err := models.NormalizePhone(args)
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "invite.bad_phone", "Phone", truncate(args, 40)), nil)
		return
	}
	m, err := b.memberByPhone(ctx, r, e164)
	if errors.Is(err, store.ErrNotFound) {
		b.send(ctx, r.chatID, b.t(r, "invite.not_found", "Phone", e164), nil)
		return
	}
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "invite", err)
		return
	}
	if m.Linked() {
		b.send(ctx, r.chatID, b.t(r, "invite.already_linked", "Name", m.Name), nil)
		return
	}
	code, expires, err := b.st.CreateInvite(ctx, m.ID, b.cfg.InviteTTL, b.cfg.Now())
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "invite", err)
		return
	}
	b.log.Info("invite created", "member_id", m.ID, "by_member_id", r.member.ID)
	b.send(ctx, r.chatID, b.t(r, "invite.created",
		"Name", m.Name,
		"Link", b.InviteLink(code),
		"Expires", b.cat.DateTime(r.lang, expires, b.cfg.Location, b.cfg.Now())), nil)
}
