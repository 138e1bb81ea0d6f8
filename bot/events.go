package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/input"
	"github.com/assocbot/assocbot/models/planner"
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

// upcomingFor lists the member's occurrences within horizon, soonest first.
// Only the events with an occurrence in the window are read.
func (b *Bot) upcomingFor(ctx context.Context, m *models.Member, horizon time.Duration) ([]occurrence, error) {
	now := b.cfg.Now()
	events, err := b.st.EventsBetween(ctx, now, now.Add(horizon))
	if err != nil {
		return nil, err
	}
	var out []occurrence
	for i := range events {
		e := &events[i]
		if !e.VisibleTo(m) {
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
	occs, err := b.upcomingFor(ctx, r.member, eventsHorizon)
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
	if err == nil && !e.VisibleTo(r.member) {
		err = store.ErrNotFound // never confirm that an event outside one's audience exists
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
	args := planner.EventArgs(e, occ)
	text := b.t(r, "event.card", args.KV(b.cat, r.lang, r.member.Zone(b.cfg.Location), b.cfg.Now())...)
	rsvp, err := b.st.RSVPOf(ctx, e.ID, occ, r.member.ID)
	if err != nil {
		b.log.Warn("read rsvp", "event_id", e.ID, "err", err)
	}
	if line := b.answerLine(ctx, r, rsvp); line != "" {
		text += "\n\n" + line
	}
	// The member's own buttons: ➖ while they bring a guest, ➕ while they
	// may bring one more.
	kb := telegram.RenderInline(b.cat, r.lang, planner.RSVPButtonsFor(e, occ, rsvp))
	if r.member.IsOrganizer() {
		if manages, err := b.st.CanManage(ctx, r.member, e); err == nil && manages {
			// The organizer's actions on the card itself: no event number
			// to type.
			if kb == nil {
				kb = inline()
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, b.eventActions(r, e.ID)...)
		}
	}
	return text, kb
}

// eventActions are an organizer's buttons for an event they manage.
func (b *Bot) eventActions(r *request, id uint) [][]inlineButton {
	act := func(key, op string) inlineButton {
		return cb(b.t(r, key), models.Callback{Action: models.ActEventAdmin, Event: id, Op: op})
	}
	return [][]inlineButton{
		row(act("event.action.answers", "a"), act("event.action.nudge", "n")),
		row(act("event.action.checkin", "c"), act("event.action.cancel", "x")),
	}
}

// answerLine is the member's answer as their card shows it
// (planner.AnswerLine, as the copies edited after a change show it).
func (b *Bot) answerLine(ctx context.Context, r *request, rsvp *models.RSVP) string {
	if rsvp == nil {
		return ""
	}
	pos := 0
	if rsvp.Waitlisted {
		if res, err := b.st.WaitlistPosition(ctx, rsvp); err == nil {
			pos = res
		}
	}
	line := planner.AnswerLine(rsvp, pos)
	return b.t(r, line.Key, line.Args.KV(b.cat, r.lang, r.member.Zone(b.cfg.Location), b.cfg.Now())...)
}

// onRSVPCallback handles an answer button.
func (b *Bot) onRSVPCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if r.member == nil {
		b.answer(ctx, q, b.t(r, "auth.members_only"), true)
		return
	}
	ans, guests := answerCode(c.Op)
	e, res, ok := b.applyRSVP(ctx, r, r.member, c.Event, c.Occ, ans, guests, func(text string) { b.answer(ctx, q, text, true) })
	if !ok {
		return
	}
	if c.Op == "y" && !res.Changed && res.RSVP.Guests > 0 && !res.RSVP.Waitlisted {
		// ✅ again keeps the guests: said, not silent, with how to bring
		// fewer.
		b.answer(ctx, q, b.t(r, "rsvp.kept_guests", "Guests", res.RSVP.Guests), true)
	} else {
		b.answer(ctx, q, b.rsvpToast(r, res), false)
	}
	if msg := q.Message.Message; msg != nil {
		text, kb := b.eventCard(ctx, r, e, c.Occ)
		b.edit(ctx, r.chatID, msg.ID, text, kb)
	}
}

// onRSVPCommand is /rsvp <id> yes|no|maybe, for the next occurrence.
func (b *Bot) onRSVPCommand(ctx context.Context, r *request, args string) {
	if !b.requireMember(ctx, r) {
		return
	}
	fields := strings.Fields(args)
	if len(fields) == 3 && r.member.IsOrganizer() {
		b.rsvpOnBehalf(ctx, r, fields)
		return
	}
	if len(fields) != 2 {
		b.send(ctx, r.chatID, b.t(r, "rsvp.usage"), nil)
		return
	}
	ans, ok := input.Answer(fields[1])
	if !ok {
		b.send(ctx, r.chatID, b.t(r, "rsvp.usage"), nil)
		return
	}
	e, occ, ok := b.eventFromArgs(ctx, r, fields[0], "rsvp.usage")
	if !ok {
		return
	}
	_, res, ok := b.applyRSVP(ctx, r, r.member, e.ID, occ, ans, -1, func(text string) { b.send(ctx, r.chatID, text, nil) })
	if !ok {
		return
	}
	text, kb := b.eventCard(ctx, r, e, occ)
	b.send(ctx, r.chatID, b.rsvpToast(r, res)+"\n\n"+text, kb)
}

// answerCode reads an answer button's operation (models.ParseCallback has
// checked it is one of y, m, n, g, r).
func answerCode(op string) (models.Answer, int) {
	switch op {
	case "m":
		return models.AnswerMaybe, 0
	case "n":
		return models.AnswerNo, 0
	case "g":
		return models.AnswerYes, store.MoreGuests
	case "r":
		return models.AnswerYes, store.FewerGuests
	}
	return models.AnswerYes, -1
}

// rsvpRefusals are the words for each reason an answer is refused.
var rsvpRefusals = map[error]string{
	models.ErrNotMember:      "rsvp.refused.not_found",
	models.ErrNotInAudience:  "rsvp.refused.not_found",
	models.ErrBadOccurrence:  "rsvp.refused.not_found",
	store.ErrNotFound:        "rsvp.refused.not_found",
	models.ErrEventStarted:   "rsvp.refused.started",
	models.ErrEventClosed:    "rsvp.refused.closed",
	store.ErrNoRoomForGuest:  "rsvp.refused.no_room",
	store.ErrTooManyGuests:   "rsvp.refused.max_guests",
	store.ErrNoGuestToRemove: "rsvp.refused.no_guest",
	models.ErrDeadlinePassed: "rsvp.refused.deadline",
}

// applyRSVP records m's answer (the requester's own, or a member an
// organizer answers for) and reports a refusal through refuse in the
// requester's language. Promoted members are told by the store.
func (b *Bot) applyRSVP(ctx context.Context, r *request, m *models.Member, eventID uint, occ time.Time, ans models.Answer, guests int, refuse func(string)) (*models.Event, *store.RSVPResult, bool) {
	res, err := b.st.SetRSVP(ctx, eventID, occ, m, ans, guests, b.cfg.Location, b.cfg.Now())
	if err != nil {
		for reason, key := range rsvpRefusals {
			if !errors.Is(err, reason) {
				continue
			}
			if reason == models.ErrDeadlinePassed {
				if e, gerr := b.st.EventByID(ctx, eventID); gerr == nil && e.RSVPDeadline != nil {
					refuse(b.t(r, key, "DeadlineAt", b.cat.DateTime(r.lang, *e.RSVPDeadline, r.member.Zone(b.cfg.Location), b.cfg.Now())))
					return nil, nil, false
				}
			}
			refuse(b.t(r, key, "Max", models.MaxGuests))
			return nil, nil, false
		}
		b.log.Error("set rsvp", "event_id", eventID, "err", err)
		refuse(b.t(r, "error.internal"))
		return nil, nil, false
	}
	e, err := b.st.EventByID(ctx, eventID)
	if err != nil {
		b.log.Error("read event", "event_id", eventID, "err", err)
		refuse(b.t(r, "error.internal"))
		return nil, nil, false
	}
	if res.Changed {
		b.log.Info("rsvp", "event_id", eventID, "member_id", m.ID, "answer", string(res.RSVP.Answer), "waitlisted", res.RSVP.Waitlisted)
	}
	if len(res.Promoted) > 0 {
		b.enqueued()
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

// rsvpOnBehalf is an organizer's /rsvp <id> yes|no|maybe <phone>: the answer
// of a member without Telegram, under the same rule as their own.
func (b *Bot) rsvpOnBehalf(ctx context.Context, r *request, fields []string) {
	ans, ok := input.Answer(fields[1])
	if !ok {
		b.send(ctx, r.chatID, b.t(r, "rsvp.usage_organizer"), nil)
		return
	}
	e, _, ok := b.managedEvent(ctx, r, fields[0], "rsvp.usage_organizer")
	if !ok {
		return
	}
	m, err := b.st.MemberByPhone(ctx, fields[2])
	if err == nil && !e.VisibleTo(m) {
		err = store.ErrNotFound // no hint that the number is on another branch's roster
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
	_, res, ok := b.applyRSVP(ctx, r, m, e.ID, occ, ans, -1, func(text string) { b.send(ctx, r.chatID, text, nil) })
	if !ok {
		return
	}
	b.send(ctx, r.chatID, b.theirAnswer(r, m.Name, res), nil)
}

// theirAnswer is a member's answer as the organizer who gave it for them
// reads it: "赵大爷 的回复：✅ 参加", not "您的回复".
func (b *Bot) theirAnswer(r *request, name string, res *store.RSVPResult) string {
	switch {
	case res.RSVP.Waitlisted:
		return b.t(r, "rsvp.their.waitlist", "Name", name, "Position", res.Position)
	case res.RSVP.Guests > 0:
		return b.t(r, "rsvp.their.yes_guests", "Name", name, "Guests", res.RSVP.Guests)
	}
	return b.t(r, "rsvp.their."+string(res.RSVP.Answer), "Name", name)
}

// maxTypedChoices bounds the events offered for a typed answer.
const maxTypedChoices = 8

// onTypedAnswer takes an answer typed outside a dialog (参加, 不去, 待定 …,
// input.Answer): with one coming event open to the member's answer, it is
// the answer to it, said and shown on its card; with several, they are
// offered as buttons, each giving that answer to its event; with none, it
// says so.
func (b *Bot) onTypedAnswer(ctx context.Context, r *request, ans models.Answer) {
	occs, err := b.upcomingFor(ctx, r.member, eventsHorizon)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "typed answer", err)
		return
	}
	now := b.cfg.Now()
	var open []occurrence
	for _, o := range occs {
		if o.event.MayAnswer(r.member, o.at, b.cfg.Location, now) == nil {
			open = append(open, o)
		}
	}
	op := map[models.Answer]string{models.AnswerYes: "y", models.AnswerMaybe: "m", models.AnswerNo: "n"}[ans]
	switch len(open) {
	case 0:
		b.send(ctx, r.chatID, b.t(r, "rsvp.typed_none"), b.keyboardFor(r))
	case 1:
		o := open[0]
		_, res, ok := b.applyRSVP(ctx, r, r.member, o.event.ID, o.at, ans, -1, func(text string) { b.send(ctx, r.chatID, text, nil) })
		if !ok {
			return
		}
		text, kb := b.eventCard(ctx, r, o.event, o.at)
		var markup any
		if kb != nil {
			markup = kb
		}
		b.send(ctx, r.chatID, b.rsvpToast(r, res)+"\n\n"+text, markup)
	default:
		zone := r.member.Zone(b.cfg.Location)
		var rows [][]inlineButton
		for i, o := range open {
			if i == maxTypedChoices {
				break
			}
			label := o.at.In(zone).Format("01-02 15:04") + " " + truncate(o.event.Title, 28)
			rows = append(rows, row(cb(label, models.Callback{Action: models.ActRSVP, Event: o.event.ID, Occ: o.at, Op: op})))
		}
		b.send(ctx, r.chatID, b.t(r, "rsvp.typed_pick", "Answer", b.t(r, "rsvp.button."+map[string]string{"y": "yes", "m": "maybe", "n": "no"}[op]),
			"Count", len(open)), inline(rows...))
	}
}
