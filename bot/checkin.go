package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// maxCheckinButtons bounds the check-in list (Telegram allows 100 buttons).
const maxCheckinButtons = 60

// checkinOccurrence is the occurrence whose check-in is open now
// (models.CheckInWindow; the latest when two are), else the next one, whose
// check-in has not opened (open false); ok false when there is none.
func (b *Bot) checkinOccurrence(e *models.Event) (occ time.Time, open, ok bool) {
	now := b.cfg.Now()
	// The occurrences whose window holds now start in (now-after,
	// HeldStartsBy(now)].
	occs, err := e.Occurrences(b.cfg.Location, now.Add(-models.CheckInAfter+time.Nanosecond), models.HeldStartsBy(now, b.cfg.Location).Add(time.Nanosecond))
	if err == nil {
		for i := len(occs) - 1; i >= 0; i-- {
			if models.CheckInAt(occs[i], now, b.cfg.Location) == nil {
				return occs[i], true, true
			}
		}
	}
	occ, ok = e.NextOccurrence(b.cfg.Location, now)
	return occ, false, ok
}

// onCheckin shows the audience as buttons; a tap checks a member in or out,
// including members without Telegram. Check-in is open on the day only
// (models.CheckInWindow); before, the organizer is told when it opens.
func (b *Bot) onCheckin(ctx context.Context, r *request, args string) {
	e, _, ok := b.managedEvent(ctx, r, args, "checkin.usage")
	if !ok {
		return
	}
	occ, open, ok := b.checkinOccurrence(e)
	if !ok || e.Status != models.EventScheduled {
		b.send(ctx, r.chatID, b.t(r, "event.over", "Title", e.Title), nil)
		return
	}
	if !open {
		opens, _ := models.CheckInWindow(occ, b.cfg.Location)
		zone := r.member.Zone(b.cfg.Location)
		b.send(ctx, r.chatID, b.t(r, "checkin.not_yet", "Title", e.Title,
			"When", b.cat.DateTime(r.lang, occ, zone, b.cfg.Now()), "Opens", b.cat.DateTime(r.lang, opens, zone, b.cfg.Now())), nil)
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
	aud, err := models.ParseAudience(e.Audience)
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
		rowButtons = append(rowButtons, cb(mark+truncate(m.Name, 20), models.Callback{Action: models.ActCheckIn, Event: e.ID, Occ: occ, ID: m.ID}))
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

// onCheckinCallback toggles one member's check-in: an organizer who manages
// the event, a member of its audience who has not left, a real occurrence.
func (b *Bot) onCheckinCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	e, err := b.st.EventByID(ctx, c.Event)
	if err != nil {
		b.answer(ctx, q, b.t(r, "event.not_yours", "ID", c.Event), true)
		return
	}
	occ := c.Occ
	in, err := b.st.CheckedIn(ctx, e.ID, occ)
	if err == nil {
		err = b.st.SetCheckIn(ctx, e.ID, occ, c.ID, !in[c.ID], r.member, b.cfg.Location, b.cfg.Now())
	}
	switch {
	case errors.Is(err, models.ErrNotYours):
		b.answer(ctx, q, b.t(r, "event.not_yours", "ID", c.Event), true)
		return
	case errors.Is(err, models.ErrEventClosed):
		b.answer(ctx, q, b.t(r, "rsvp.refused.closed"), true)
		return
	case errors.Is(err, models.ErrCheckInNotYet), errors.Is(err, models.ErrCheckInOver):
		opens, closes := models.CheckInWindow(occ, b.cfg.Location)
		zone := r.member.Zone(b.cfg.Location)
		b.answer(ctx, q, b.t(r, "checkin.closed", "Opens", b.cat.DateTime(r.lang, opens, zone, b.cfg.Now()),
			"Closes", b.cat.DateTime(r.lang, closes, zone, b.cfg.Now())), true)
		return
	case errors.Is(err, models.ErrNotInAudience), errors.Is(err, models.ErrBadOccurrence), errors.Is(err, store.ErrNotFound):
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	case err != nil:
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("check in", "event_id", e.ID, "err", err)
		return
	}
	m, err := b.st.MemberByID(ctx, c.ID)
	if err != nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
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

// onRatingCallback is a tap on a rating message sent before ratings became
// the day-after survey (its 1–5 buttons): it answers the occurrence's
// survey, n stars as the scale's 6-n (5 非常满意 … 1 很不满意), under the
// survey's rules, and the message becomes the survey's thank-you.
func (b *Bot) onRatingCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if r.member == nil || !r.member.OnRoster() {
		b.answer(ctx, q, b.t(r, "survey.not_asked"), true)
		return
	}
	sv, err := b.st.EventSurvey(ctx, c.Event, c.Occ)
	if errors.Is(err, store.ErrNotFound) {
		b.answer(ctx, q, b.t(r, "survey.not_asked"), true)
		return
	}
	if err != nil {
		b.tapFault(ctx, r, q, "event survey", err)
		return
	}
	n, _ := strconv.Atoi(c.Op)
	b.answerSurvey(ctx, r, q, sv, 1, models.SatisfactionLevel+1-n, "")
}
