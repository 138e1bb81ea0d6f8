package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/reports"
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
	found, err := b.st.FindMembers(ctx, r.scope, q, 0)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "member", err)
		return
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
	return r.scope.Manages(m)
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
	text, markup, ok := b.memberCardView(ctx, r, m)
	if !ok {
		b.send(ctx, r.chatID, b.t(r, "callback.stale"), nil)
		return
	}
	if markup == nil {
		b.send(ctx, r.chatID, text, nil) // a nil *inlineKeyboard in an interface would be sent as null
		return
	}
	b.send(ctx, r.chatID, text, markup)
}

// memberCardView is a member's card: who they are, how messages reach
// them (SPEC C12), their open checks, and the organizer's buttons.
func (b *Bot) memberCardView(ctx context.Context, r *request, m *models.Member) (string, *inlineKeyboard, bool) {
	card, err := b.st.CardOf(ctx, m.ID, r.scope.Manages)
	if err != nil {
		return "", nil, false
	}
	full, fam := card.Member, card.Family
	text := reports.CardText(b.cat, r.lang, b.cfg.Location, r.member.Zone(b.cfg.Location), b.cfg.Now(), card)
	var rows [][]inlineButton
	if full.Status != models.StatusLeft {
		var ch []inlineButton
		for _, c := range models.Channels() {
			label := b.t(r, "member.channel."+string(c))
			if full.ChannelSet() == c {
				label = "✓ " + label
			}
			ch = append(ch, cb(label, models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: "c" + string(c[0])}))
		}
		rows = append(rows, ch)
		consent := map[bool]string{true: "member.button.sms_health_off", false: "member.button.sms_health_on"}[full.SMSHealth]
		sms := []inlineButton{cb(b.t(r, consent), models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: map[bool]string{true: "h0", false: "h1"}[full.SMSHealth]})}
		if full.SMSStopped() {
			sms = append(sms, cb(b.t(r, "member.button.sms_resume"), models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: "r"}))
		}
		rows = append(rows, sms)
		rows = append(rows, row(
			cb(b.t(r, map[bool]string{true: "member.button.difficulty_off", false: "member.button.difficulty_on"}[fam.Difficulty]),
				models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: map[bool]string{true: "d0", false: "d1"}[fam.Difficulty]}),
			cb(b.t(r, "member.button.birth_today"), models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: "bt"}),
			cb(b.t(r, "member.button.family_edit"), models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: "fe"})))
	}
	if full.Status != models.StatusLeft && full.ID != r.member.ID {
		rows = append(rows, row(cb(b.t(r, "member.button.leave"), models.Callback{Action: models.ActMemberCard, ID: full.ID, Op: "l"})))
	}
	var markup *inlineKeyboard
	if len(rows) > 0 {
		markup = inline(rows...)
	}
	return text, markup, true
}

// onFamilyCallback changes a family's facts from the member card: d1/d0
// marks a family in difficulty or not, bt records a birth today (its
// newborn visits are planned).
func (b *Bot) onFamilyCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, m *models.Member, op string) {
	fam, err := b.st.FamilyOf(ctx, m.ID)
	if err != nil {
		b.tapFault(ctx, r, q, "family", err)
		return
	}
	switch op {
	case "d1", "d0":
		fam.Difficulty = op == "d1"
	case "bt":
		today := models.DayOf(b.cfg.Now(), b.cfg.Location)
		if fam.BirthOn != nil && !fam.BirthOn.Before(today.AddDate(0, 0, -models.NewbornDays)) {
			// A birth of this month is the family's current one: 👶 does
			// not replace it (a wrong date is corrected by member edit).
			b.answer(ctx, q, b.t(r, "member.family.birth_recorded", "Day", b.cat.Date(r.lang, *fam.BirthOn, b.cfg.Now())), true)
			return
		}
		fam.BirthOn = &today
	}
	visits, err := b.st.SetFamily(ctx, fam, &r.member.ID, b.cfg.Location, b.cfg.Now())
	if err != nil {
		b.tapFault(ctx, r, q, "family", err)
		return
	}
	b.answer(ctx, q, b.t(r, "member.family.saved", "Visits", len(visits)), false)
	if msg := q.Message.Message; msg != nil {
		if text, markup, ok := b.memberCardView(ctx, r, m); ok {
			b.edit(ctx, r.chatID, msg.ID, text, markup)
		}
	}
}

// dialogFamilyEdit waits for a household's number, its centre
// household's phone and an expected birth's month, typed in one message.
const dialogFamilyEdit = "family_edit"

type familyEditDialog struct {
	Member uint `json:"m"`
}

// onFamilyEditInput takes "0012 13800000001 2027-03": any of a household
// number, a centre household's phone, an expected birth's month, in any
// order ("–" clears all three). Bad words are asked again; nothing changes.
func (b *Bot) onFamilyEditInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	fd, ok := typedDialog[familyEditDialog](ctx, b, r, dialogFamilyEdit)
	if !ok {
		return false
	}
	if !r.member.IsOrganizer() {
		b.dropDialog(ctx, r)
		return false
	}
	m, err := b.st.MemberByID(ctx, fd.Member)
	if err != nil || !mayManageMember(r, m) {
		b.dropDialog(ctx, r)
		b.send(ctx, r.chatID, b.t(r, "auth.not_your_branch"), b.keyboardFor(r))
		return true
	}
	fam, err := b.st.FamilyOf(ctx, m.ID)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "family", err)
		return true
	}
	bad := func() bool {
		b.send(ctx, r.chatID, b.t(r, "member.family.bad"), nil)
		return true
	}
	text := strings.TrimSpace(msg.Text)
	if text == "–" || text == "-" {
		fam.Household, fam.CentreID, fam.Expected = "", nil, ""
	} else {
		fields := strings.Fields(text)
		if len(fields) == 0 || len(fields) > 3 {
			return bad()
		}
		for _, f := range fields {
			switch {
			case models.ValidMonth(f):
				fam.Expected = f
			case models.LooksLikePhone(f):
				c, err := b.memberByPhone(ctx, r, f)
				if err != nil || c.ID == m.ID {
					b.send(ctx, r.chatID, b.t(r, "member.family.no_centre", "Value", truncate(f, 20)), nil)
					return true
				}
				fam.CentreID = &c.ID
			default:
				fam.Household = f
			}
		}
	}
	visits, err := b.st.SetFamily(ctx, fam, &r.member.ID, b.cfg.Location, b.cfg.Now())
	if err != nil {
		if errors.Is(err, models.ErrHousehold) || errors.Is(err, models.ErrExpected) || errors.Is(err, models.ErrCentre) {
			return bad()
		}
		b.fail(ctx, r.chatID, r.lang, "family", err)
		return true
	}
	b.dropDialog(ctx, r)
	b.send(ctx, r.chatID, b.t(r, "member.family.saved", "Visits", len(visits)), b.keyboardFor(r))
	b.memberCard(ctx, r, m)
	return true
}

// onChannelCallback sets a member's channel (ca, ct, cs), consent to
// health reminders by SMS (h1, h0) or resumes SMS they stopped (r), and
// shows the card again in place.
func (b *Bot) onChannelCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, m *models.Member, op string) {
	var c store.MemberChange
	switch op {
	case "ca", "ct", "cs":
		ch := map[string]models.Channel{"ca": models.ChannelAuto, "ct": models.ChannelTelegram, "cs": models.ChannelSMS}[op]
		c.Channel = &ch
	case "h1", "h0":
		yes := op == "h1"
		c.SMSHealth = &yes
	case "r":
		if !m.SMSStopped() {
			b.answer(ctx, q, b.t(r, "callback.stale"), false)
			return
		}
		c.SMSResume = true
	}
	if m.Status == models.StatusLeft {
		b.answer(ctx, q, b.t(r, "member.left", "Name", m.Name), true)
		return
	}
	if _, err := b.st.EditMember(ctx, m.ID, c); err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	b.log.Info("member channel changed", "member_id", m.ID, "by_member_id", r.member.ID, "op", op)
	b.answer(ctx, q, b.t(r, "member.saved"), false)
	if text, markup, ok := b.memberCardView(ctx, r, m); ok && q.Message.Message != nil {
		b.edit(ctx, r.chatID, q.Message.Message.ID, text, markup)
	}
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
	case "ca", "ct", "cs", "h1", "h0", "r":
		b.onChannelCallback(ctx, r, q, m, c.Op)
	case "fe":
		if m.Status == models.StatusLeft {
			b.answer(ctx, q, b.t(r, "member.left", "Name", m.Name), true)
			return
		}
		raw, _ := json.Marshal(familyEditDialog{Member: m.ID})
		if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogFamilyEdit, Step: "text", Data: string(raw)}); err != nil {
			b.tapFault(ctx, r, q, "family", err)
			return
		}
		b.answer(ctx, q, "", false)
		b.send(ctx, r.chatID, b.t(r, "member.family.ask", "Name", m.Name), nil)
	case "d1", "d0", "bt":
		if m.Status == models.StatusLeft {
			b.answer(ctx, q, b.t(r, "member.left", "Name", m.Name), true)
			return
		}
		b.onFamilyCallback(ctx, r, q, m, c.Op)
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
