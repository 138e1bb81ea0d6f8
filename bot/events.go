package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// eventsHorizon is how far ahead /events looks.
const eventsHorizon = 60 * 24 * time.Hour

// maxEventCards bounds how many events one /events shows.
const maxEventCards = 5

// occurrence is one upcoming occurrence of an event.
type occurrence struct {
	event *models.Event
	at    time.Time
}

// upcomingFor lists the member's next occurrences, soonest first.
func (b *Bot) upcomingFor(ctx context.Context, m *models.Member) ([]occurrence, error) {
	return b.upcomingForWithin(ctx, m, eventsHorizon)
}

// upcomingForWithin lists the member's occurrences within horizon.
func (b *Bot) upcomingForWithin(ctx context.Context, m *models.Member, horizon time.Duration) ([]occurrence, error) {
	events, err := b.st.ScheduledEvents(ctx)
	if err != nil {
		return nil, err
	}
	now := b.cfg.Now()
	var out []occurrence
	for i := range events {
		e := &events[i]
		aud, err := store.ParseAudience(e.Audience)
		if err != nil || !store.InAudience(aud, m) {
			continue
		}
		occs, err := e.Occurrences(b.cfg.Location, now, now.Add(horizon))
		if err != nil {
			b.log.Warn("event recurrence", "event_id", e.ID, "err", err)
			continue
		}
		for _, at := range occs {
			out = append(out, occurrence{event: e, at: at})
		}
	}
	slices.SortStableFunc(out, func(a, b occurrence) int { return a.at.Compare(b.at) })
	return out, nil
}

// onEvents shows what is coming for the member, each with their answer and
// the buttons to give or change it.
func (b *Bot) onEvents(ctx context.Context, r *request) {
	if !b.requireMember(ctx, r) {
		return
	}
	occs, err := b.upcomingFor(ctx, r.member)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "events", err)
		return
	}
	if len(occs) == 0 {
		b.send(ctx, r.chatID, b.t(r, "events.none"), b.keyboardFor(r))
		return
	}
	if len(occs) > maxEventCards {
		occs = occs[:maxEventCards]
	}
	for _, o := range occs {
		text, kb := b.eventCard(ctx, r, o.event, o.at)
		b.send(ctx, r.chatID, text, kb)
	}
}

// onEvent shows one event's next occurrence: /event <id>.
func (b *Bot) onEvent(ctx context.Context, r *request, args string) {
	if !b.requireMember(ctx, r) {
		return
	}
	e, occ, ok := b.eventFromArgs(ctx, r, args, "event.usage")
	if !ok {
		return
	}
	text, kb := b.eventCard(ctx, r, e, occ)
	b.send(ctx, r.chatID, text, kb)
}

// eventFromArgs reads "<id>" and finds the event's next occurrence within the
// member's audience; it answers the user itself when that fails.
func (b *Bot) eventFromArgs(ctx context.Context, r *request, args, usage string) (*models.Event, time.Time, bool) {
	id, ok := parseID(strings.TrimPrefix(strings.TrimSpace(args), "#"))
	if !ok {
		b.send(ctx, r.chatID, b.t(r, usage), nil)
		return nil, time.Time{}, false
	}
	e, err := b.st.EventByID(ctx, id)
	if err == nil {
		aud, perr := store.ParseAudience(e.Audience)
		if perr != nil || !store.InAudience(aud, r.member) {
			err = store.ErrNotFound // never confirm that an event outside one's audience exists
		}
	}
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "event.not_found", "ID", id), nil)
		return nil, time.Time{}, false
	}
	occ, ok := e.NextOccurrence(b.cfg.Location, b.cfg.Now())
	if !ok || e.Status != models.EventScheduled {
		b.send(ctx, r.chatID, b.t(r, "event.over", "Title", e.Title), nil)
		return nil, time.Time{}, false
	}
	return e, occ, true
}

// eventCard renders one occurrence with the member's answer and buttons.
func (b *Bot) eventCard(ctx context.Context, r *request, e *models.Event, occ time.Time) (string, *inlineKeyboard) {
	args := store.EventArgs(e, occ)
	text := b.cat.T(r.lang, "event.card", b.cat.Args(r.lang, args, r.member.Zone(b.cfg.Location), b.cfg.Now())...)
	rsvp, err := b.st.RSVPOf(ctx, e.ID, occ, r.member.ID)
	if err != nil {
		b.log.Warn("read rsvp", "event_id", e.ID, "err", err)
	}
	if line := b.answerLine(ctx, r, rsvp); line != "" {
		text += "\n\n" + line
	}
	return text, b.rsvpKeyboard(r, e, occ)
}

func (b *Bot) answerLine(ctx context.Context, r *request, rsvp *models.RSVP) string {
	if rsvp == nil {
		return ""
	}
	if rsvp.Waitlisted {
		pos := 0
		if res, err := b.st.WaitlistPosition(ctx, rsvp); err == nil {
			pos = res
		}
		return b.t(r, "rsvp.answer.waitlist", "Position", pos)
	}
	if rsvp.Guests > 0 {
		return b.t(r, "rsvp.answer.yes_guests", "Guests", rsvp.Guests)
	}
	return b.t(r, "rsvp.answer."+string(rsvp.Answer))
}

// rsvpKeyboard renders store.RSVPButtons in the reader's language.
func (b *Bot) rsvpKeyboard(r *request, e *models.Event, occ time.Time) *inlineKeyboard {
	raw := store.RSVPButtons(e, occ)
	if raw == "" {
		return nil
	}
	var spec [][]models.ButtonSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return nil
	}
	kb := &inlineKeyboard{}
	for _, rowSpec := range spec {
		var out []inlineButton
		for _, s := range rowSpec {
			out = append(out, cb(b.t(r, s.Key), s.Data))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	return kb
}

// onRSVPCallback handles rv:<event>:<unix minute>:<y|m|n|g>.
func (b *Bot) onRSVPCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) {
	parts := strings.Split(arg, ":")
	if len(parts) != 3 {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	id, ok := parseID(parts[0])
	minute, err := strconv.ParseInt(parts[1], 10, 64)
	ans, guests, okAns := parseAnswerCode(parts[2])
	if !ok || err != nil || !okAns || minute <= 0 || minute > 1<<40 {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	if r.member == nil {
		b.answer(ctx, q, b.t(r, "auth.members_only"), true)
		return
	}
	occ := time.Unix(minute*60, 0).UTC()
	e, res, ok := b.applyRSVP(ctx, r, id, occ, ans, guests, func(text string) { b.answer(ctx, q, text, true) })
	if !ok {
		return
	}
	b.answer(ctx, q, b.rsvpToast(r, res), false)
	if msg := q.Message.Message; msg != nil {
		text, kb := b.eventCard(ctx, r, e, occ)
		b.edit(ctx, r.chatID, msg.ID, text, kb)
	}
}

// onRSVPCommand is /rsvp <id> yes|no|maybe, for the next occurrence.
func (b *Bot) onRSVPCommand(ctx context.Context, r *request, args string) {
	if !b.requireMember(ctx, r) {
		return
	}
	fields := strings.Fields(args)
	if len(fields) == 3 && isOrganizer(r.member) {
		b.rsvpOnBehalf(ctx, r, fields)
		return
	}
	if len(fields) != 2 {
		b.send(ctx, r.chatID, b.t(r, "rsvp.usage"), nil)
		return
	}
	ans, ok := parseAnswerWord(fields[1])
	if !ok {
		b.send(ctx, r.chatID, b.t(r, "rsvp.usage"), nil)
		return
	}
	e, occ, ok := b.eventFromArgs(ctx, r, fields[0], "rsvp.usage")
	if !ok {
		return
	}
	_, res, ok := b.applyRSVP(ctx, r, e.ID, occ, ans, -1, func(text string) { b.send(ctx, r.chatID, text, nil) })
	if !ok {
		return
	}
	text, kb := b.eventCard(ctx, r, e, occ)
	b.send(ctx, r.chatID, b.rsvpToast(r, res)+"\n\n"+text, kb)
}

// parseAnswerWord reads yes|no|maybe (or y|n|m) as typed after /rsvp.
func parseAnswerWord(s string) (models.Answer, bool) {
	a, ok := map[string]models.Answer{"yes": models.AnswerYes, "no": models.AnswerNo, "maybe": models.AnswerMaybe,
		"y": models.AnswerYes, "n": models.AnswerNo, "m": models.AnswerMaybe}[strings.ToLower(s)]
	return a, ok
}

func parseAnswerCode(s string) (models.Answer, int, bool) {
	switch s {
	case "y":
		return models.AnswerYes, -1, true
	case "m":
		return models.AnswerMaybe, 0, true
	case "n":
		return models.AnswerNo, 0, true
	case "g":
		return models.AnswerYes, -2, true // one more guest
	}
	return "", 0, false
}

// applyRSVP records the answer, tells promoted members, and reports a
// refusal through refuse in the member's language.
func (b *Bot) applyRSVP(ctx context.Context, r *request, eventID uint, occ time.Time, ans models.Answer, guests int, refuse func(string)) (*models.Event, *store.RSVPResult, bool) {
	e, err := b.st.EventByID(ctx, eventID)
	if err != nil {
		refuse(b.t(r, "rsvp.refused.not_found"))
		return nil, nil, false
	}
	if guests == -2 {
		cur, _ := b.st.RSVPOf(ctx, eventID, occ, r.member.ID)
		guests = 1
		if cur != nil && cur.Answer == models.AnswerYes {
			guests = cur.Guests + 1
		}
	}
	res, err := b.st.SetRSVP(ctx, eventID, occ, r.member, ans, guests, b.cfg.Location, b.cfg.Now())
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotInAudience), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrBadOccurrence):
		refuse(b.t(r, "rsvp.refused.not_found"))
		return nil, nil, false
	case errors.Is(err, store.ErrDeadlinePassed):
		refuse(b.t(r, "rsvp.refused.deadline", "DeadlineAt", b.cat.DateTime(r.lang, *e.RSVPDeadline, r.member.Zone(b.cfg.Location), b.cfg.Now())))
		return nil, nil, false
	case errors.Is(err, store.ErrEventStarted):
		refuse(b.t(r, "rsvp.refused.started"))
		return nil, nil, false
	case errors.Is(err, store.ErrEventClosed):
		refuse(b.t(r, "rsvp.refused.closed"))
		return nil, nil, false
	case errors.Is(err, store.ErrNoRoomForGuest):
		refuse(b.t(r, "rsvp.refused.no_room"))
		return nil, nil, false
	default:
		b.log.Error("set rsvp", "event_id", eventID, "err", err)
		refuse(b.t(r, "error.internal"))
		return nil, nil, false
	}
	if res.Changed {
		b.log.Info("rsvp", "event_id", eventID, "member_id", r.member.ID, "answer", string(res.RSVP.Answer), "waitlisted", res.RSVP.Waitlisted)
	}
	if len(res.Promoted) > 0 {
		b.tellPromoted(ctx, e, occ, res.Promoted)
	}
	return e, res, true
}

func (b *Bot) rsvpToast(r *request, res *store.RSVPResult) string {
	switch {
	case res.RSVP.Waitlisted:
		return b.t(r, "rsvp.answer.waitlist", "Position", res.Position)
	case res.RSVP.Guests > 0:
		return b.t(r, "rsvp.answer.yes_guests", "Guests", res.RSVP.Guests)
	}
	return b.t(r, "rsvp.answer."+string(res.RSVP.Answer))
}

// tellPromoted tells members moved off the waitlist, through the outbox.
func (b *Bot) tellPromoted(ctx context.Context, e *models.Event, occ time.Time, promoted []models.RSVP) {
	args := store.EventArgs(e, occ)
	raw, _ := json.Marshal(args)
	var rows []models.Outbox
	for _, p := range promoted {
		m, err := b.st.MemberByID(ctx, p.MemberID)
		if err != nil || m.ChatID == nil {
			continue
		}
		id := m.ID
		expires := occ
		rows = append(rows, models.Outbox{DedupeKey: fmt.Sprintf("event:%d:%d:promoted:%d:%d", e.ID, occ.Unix()/60, m.ID, b.cfg.Now().UnixNano()),
			MemberID: &id, ChatID: *m.ChatID, Kind: models.KindNotice, TemplateKey: "rsvp.promoted", Args: string(raw),
			Markup: store.RSVPButtons(e, occ), NotBefore: b.cfg.Now(), ExpiresAt: &expires, Urgent: true})
	}
	if _, err := b.st.Enqueue(ctx, rows); err != nil {
		b.log.Error("enqueue promotion", "event_id", e.ID, "err", err)
		return
	}
	b.enqueued()
}

// rsvpOnBehalf is an organizer's /rsvp <id> yes|no|maybe <phone>: the answer
// of a member without Telegram.
func (b *Bot) rsvpOnBehalf(ctx context.Context, r *request, fields []string) {
	ans, ok := parseAnswerWord(fields[1])
	if !ok {
		b.send(ctx, r.chatID, b.t(r, "rsvp.usage_organizer"), nil)
		return
	}
	e, _, ok := b.managedEvent(ctx, r, fields[0], "rsvp.usage_organizer")
	if !ok {
		return
	}
	m, err := b.st.MemberByPhone(ctx, fields[2])
	if err == nil {
		aud, aerr := store.ParseAudience(e.Audience)
		if aerr != nil || !store.InAudience(aud, m) {
			err = store.ErrNotFound // no hint that the number is on another branch's roster
		}
	}
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "invite.not_found", "Phone", truncate(fields[2], 40)), nil)
		return
	}
	occ, ok := e.NextOccurrence(b.cfg.Location, b.cfg.Now())
	if !ok {
		b.send(ctx, r.chatID, b.t(r, "event.over", "Title", e.Title), nil)
		return
	}
	target := &request{chatID: r.chatID, from: r.from, member: m, lang: r.lang, private: true}
	_, res, ok := b.applyRSVP(ctx, target, e.ID, occ, ans, -1, func(text string) { b.send(ctx, r.chatID, text, nil) })
	if !ok {
		return
	}
	b.send(ctx, r.chatID, b.t(r, "rsvp.on_behalf", "Name", m.Name, "Answer", b.rsvpToast(r, res)), nil)
}
