package bot

import (
	"context"
	"errors"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// A member's card for their organizers: /member <phone or name> shows who
// they are, whether they are on Telegram, and their checks, with a button
// to mark them as left (history kept, nothing more sent), after a
// confirmation.

// maxMemberMatches bounds the names offered when a name matches several.
const maxMemberMatches = 10

// onMember is /member <phone or name>.
func (b *Bot) onMember(ctx context.Context, r *request, args string) {
	q := strings.TrimSpace(args)
	if q == "" {
		b.send(ctx, r.chatID, b.t(r, "member.usage"), nil)
		return
	}
	if _, err := models.NormalizePhone(q); err == nil {
		m, err := b.memberByPhone(ctx, r, q)
		switch {
		case err == nil:
			b.memberCard(ctx, r, m)
		case errors.Is(err, store.ErrNotFound):
			b.send(ctx, r.chatID, b.t(r, "member.not_found", "Value", truncate(q, 30)), nil)
		default:
			b.fail(ctx, r.chatID, r.lang, "member", err)
		}
		return
	}
	ms, err := b.st.MembersIn(ctx, r.scope)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "member", err)
		return
	}
	var found []models.Member
	for _, m := range ms {
		if strings.Contains(strings.ToLower(m.Name), strings.ToLower(q)) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 0:
		b.send(ctx, r.chatID, b.t(r, "member.not_found", "Value", truncate(q, 30)), nil)
	case 1:
		b.memberCard(ctx, r, &found[0])
	default:
		var rows [][]inlineButton
		for i, m := range found {
			if i == maxMemberMatches {
				break
			}
			rows = append(rows, row(cb(truncate(m.Name, 20)+" · "+truncate(m.BranchPath(), 24), models.Callback{Action: models.ActMemberCard, ID: m.ID, Op: "v"})))
		}
		b.send(ctx, r.chatID, b.t(r, "member.pick", "Count", len(found)), inline(rows...))
	}
}

// mayManageMember reports whether the organizer acts for the member: their
// branch is within scope (an admin's record only an admin's).
func mayManageMember(r *request, m *models.Member) bool {
	return r.scope.Admin || m.Role != models.RoleAdmin && r.scope.CoversMember(m)
}

// memberByPhone is the member with phone whom the requester may act for:
// store.ErrNotFound both when no member has the phone and when one of a
// branch the requester does not organize has it, so that organizers
// cannot probe other branches' rosters by phone number.
func (b *Bot) memberByPhone(ctx context.Context, r *request, phone string) (*models.Member, error) {
	m, err := b.st.MemberByPhone(ctx, phone)
	if err != nil {
		return nil, err
	}
	full, err := b.st.MemberByID(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if !mayManageMember(r, full) {
		return nil, store.ErrNotFound
	}
	return full, nil
}

// memberCard shows a member to an organizer who acts for them.
func (b *Bot) memberCard(ctx context.Context, r *request, m *models.Member) {
	full, err := b.st.MemberByID(ctx, m.ID)
	if err != nil || !mayManageMember(r, full) {
		b.send(ctx, r.chatID, b.t(r, "callback.stale"), nil)
		return
	}
	phone := "–"
	if full.Phone != nil {
		phone = models.DisplayPhone(*full.Phone)
	}
	lines := []string{b.t(r, "member.card", "Name", full.Name, "Phone", phone, "Branch", full.BranchPath(),
		"Role", b.t(r, "export.role."+string(full.Role)), "Linked", b.t(r, map[bool]string{true: "export.yes", false: "export.no"}[full.Linked()]),
		"Status", b.t(r, "member.status."+string(full.Status)))}
	plans, err := b.st.PlansOf(ctx, full.ID)
	if err == nil {
		for i := range plans {
			p := &plans[i]
			if p.State == models.PlanClosed {
				continue
			}
			lines = append(lines, b.t(r, "checks.line", append(b.planArgs(r, p), "State", "")...))
		}
	}
	var kb *inlineKeyboard
	if full.Status != models.StatusLeft && full.ID != r.member.ID {
		kb = inline(row(cb(b.t(r, "member.button.leave"), models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: "l"})))
	}
	var markup any
	if kb != nil {
		markup = kb
	}
	b.send(ctx, r.chatID, strings.Join(lines, "\n"), markup)
}

// onMemberCallback: v (show the card), l (ask to mark as left), y (mark).
func (b *Bot) onMemberCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	m, err := b.st.MemberByID(ctx, c.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !mayManageMember(r, m)) {
		b.answer(ctx, q, b.t(r, "auth.not_your_branch"), true)
		return
	}
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	switch c.Op {
	case "v":
		b.answer(ctx, q, "", false)
		b.memberCard(ctx, r, m)
	case "l":
		b.answer(ctx, q, "", false)
		b.send(ctx, r.chatID, b.t(r, "member.leave_confirm", "Name", m.Name), inline(row(
			cb(b.t(r, "member.button.leave_yes"), models.Callback{Action: models.ActMemberCard, ID: m.ID, Op: "y"}))))
	case "y":
		if m.ID == r.member.ID {
			b.answer(ctx, q, b.t(r, "callback.invalid"), true)
			return
		}
		if m.Status == models.StatusLeft {
			b.answer(ctx, q, b.t(r, "member.left", "Name", m.Name), false)
			return
		}
		if err := b.st.SetMemberStatus(ctx, m.ID, models.StatusLeft); err != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
			return
		}
		b.log.Info("member marked as left", "member_id", m.ID, "by_member_id", r.member.ID)
		if msg := q.Message.Message; msg != nil {
			b.edit(ctx, r.chatID, msg.ID, b.t(r, "member.left", "Name", m.Name), nil)
		}
		b.answer(ctx, q, b.t(r, "member.left", "Name", m.Name), false)
	default:
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
	}
}
