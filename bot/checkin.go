package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// maxCheckinButtons bounds the check-in list (Telegram allows 100 buttons).
const maxCheckinButtons = 60

// checkinOccurrence is the occurrence to check in: today's, else the next.
func (b *Bot) checkinOccurrence(e *models.Event) (time.Time, bool) {
	now := b.cfg.Now().In(b.cfg.Location)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, b.cfg.Location)
	if occ, err := e.Occurrences(b.cfg.Location, dayStart, dayStart.AddDate(0, 0, 1)); err == nil && len(occ) > 0 {
		return occ[0], true
	}
	return e.NextOccurrence(b.cfg.Location, now)
}

// onCheckin shows the audience as buttons; a tap checks a member in or out,
// including members without Telegram.
func (b *Bot) onCheckin(ctx context.Context, r *request, args string) {
	e, _, ok := b.managedEvent(ctx, r, args, "checkin.usage")
	if !ok {
		return
	}
	occ, ok := b.checkinOccurrence(e)
	if !ok || e.Status != models.EventScheduled {
		b.send(ctx, r.chatID, b.t(r, "event.over", "Title", e.Title), nil)
		return
	}
	text, kb, err := b.checkinList(ctx, r, e, occ)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "checkin", err)
		return
	}
	b.send(ctx, r.chatID, text, kb)
}

func (b *Bot) checkinList(ctx context.Context, r *request, e *models.Event, occ time.Time) (string, *inlineKeyboard, error) {
	aud, err := store.ParseAudience(e.Audience)
	if err != nil {
		return "", nil, err
	}
	members, err := b.st.AudienceMembers(ctx, aud, maxCheckinButtons)
	if err != nil {
		return "", nil, err
	}
	in, err := b.st.CheckedIn(ctx, e.ID, occ)
	if err != nil {
		return "", nil, err
	}
	kb := &inlineKeyboard{}
	var rowButtons []inlineButton
	for _, m := range members {
		mark := "⬜ "
		if in[m.ID] {
			mark = "✅ "
		}
		rowButtons = append(rowButtons, cb(mark+truncate(m.Name, 20), fmt.Sprintf("ck:%d:%d:%d", e.ID, occ.Unix()/60, m.ID)))
		if len(rowButtons) == 2 {
			kb.InlineKeyboard = append(kb.InlineKeyboard, rowButtons)
			rowButtons = nil
		}
	}
	if len(rowButtons) > 0 {
		kb.InlineKeyboard = append(kb.InlineKeyboard, rowButtons)
	}
	text := b.t(r, "checkin.title", "Title", e.Title, "When", b.cat.DateTime(r.lang, occ, b.cfg.Location, b.cfg.Now()),
		"In", len(in), "Total", len(members))
	if len(kb.InlineKeyboard) == 0 {
		return text, nil, nil
	}
	return text, kb, nil
}

// onCheckinCallback toggles one member: ck:<event>:<unix minute>:<member>.
func (b *Bot) onCheckinCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) {
	parts := strings.Split(arg, ":")
	if len(parts) != 3 {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	eventID, ok1 := parseID(parts[0])
	minute, err := strconv.ParseInt(parts[1], 10, 64)
	memberID, ok2 := parseID(parts[2])
	if !ok1 || !ok2 || err != nil || minute <= 0 || minute > 1<<40 {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	if !isOrganizer(r.member) {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	e, err := b.st.EventByID(ctx, eventID)
	if err != nil || !b.canManage(ctx, r.member, e) {
		b.answer(ctx, q, b.t(r, "auth.not_your_branch"), true)
		return
	}
	occ := time.Unix(minute*60, 0).UTC()
	m, err := b.st.MemberByID(ctx, memberID)
	aud, aerr := store.ParseAudience(e.Audience)
	if err != nil || aerr != nil || !store.InAudience(aud, m) {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	if found, err := e.Occurrences(b.cfg.Location, occ, occ.Add(time.Second)); err != nil || len(found) == 0 {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	in, err := b.st.CheckedIn(ctx, e.ID, occ)
	if err == nil {
		err = b.st.SetCheckIn(ctx, e.ID, occ, m.ID, !in[m.ID], b.cfg.Now())
	}
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("check in", "event_id", e.ID, "err", err)
		return
	}
	key := "checkin.in"
	if in[m.ID] {
		key = "checkin.out"
	}
	b.answer(ctx, q, b.t(r, key, "Name", m.Name), false)
	if msg := q.Message.Message; msg != nil {
		if text, kb, err := b.checkinList(ctx, r, e, occ); err == nil {
			b.edit(ctx, r.chatID, msg.ID, text, kb)
		}
	}
}

// onRatingCallback records the day-after rating: rt:<event>:<unix minute>:<1-5>.
func (b *Bot) onRatingCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) {
	parts := strings.Split(arg, ":")
	if len(parts) != 3 || r.member == nil {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	eventID, ok := parseID(parts[0])
	minute, err1 := strconv.ParseInt(parts[1], 10, 64)
	n, err2 := strconv.Atoi(parts[2])
	if !ok || err1 != nil || err2 != nil || minute <= 0 || minute > 1<<40 || n < 1 || n > 5 {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	saved, err := b.st.SetRating(ctx, eventID, time.Unix(minute*60, 0), r.member.ID, n)
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	if !saved {
		b.answer(ctx, q, b.t(r, "rating.not_attended"), true)
		return
	}
	b.answer(ctx, q, b.t(r, "rating.thanks", "Rating", n), false)
	if msg := q.Message.Message; msg != nil {
		b.edit(ctx, r.chatID, msg.ID, b.t(r, "rating.thanks", "Rating", n), nil)
	}
}
