package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/calendar"
	"github.com/assocbot/assocbot/models/input"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/store"
)

// managedEvent reads "<id> …" for an organizer command and checks the right
// to manage it; it answers the organizer itself when that fails.
func (b *Bot) managedEvent(ctx context.Context, r *request, args, usage string) (*models.Event, string, bool) {
	if op, ok := pickerOps[usage]; ok && strings.TrimSpace(args) == "" {
		// No number typed: the events they manage, as buttons.
		b.eventPicker(ctx, r, op, usage)
		return nil, "", false
	}
	head, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	id, ok := parseID(strings.TrimPrefix(head, "#"))
	if !ok {
		b.send(ctx, r.chatID, b.t(r, usage), nil)
		return nil, "", false
	}
	e, err := b.st.EventByID(ctx, id)
	if err == nil {
		var manages bool
		if manages, err = b.st.CanManage(ctx, r.member, e); err == nil && !manages {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "event.not_yours", "ID", id), nil)
		return nil, "", false
	}
	return e, strings.TrimSpace(rest), true
}

// onNewEvent creates an event from the one-line form:
// /newevent meeting | 2026-12-07 09:30 | 月度例会 | 村委会二楼 | branch:Town/Village | cap=30 guests deadline=2026-12-05 18:00 rrule=FREQ=MONTHLY;BYDAY=1MO
func (b *Bot) onNewEvent(ctx context.Context, r *request, args string) {
	if strings.TrimSpace(args) == "" {
		b.startNewEventDialog(ctx, r)
		return
	}
	e, key, kv, err := b.parseEventLine(ctx, r, args)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return
	}
	if key != "" {
		b.send(ctx, r.chatID, b.t(r, key, kv...)+"\n\n"+b.t(r, "newevent.usage"), nil)
		return
	}
	b.createEvent(ctx, r, e)
}

// eventRefusals are the words for each reason models.Event.Validate refuses
// an event.
var eventRefusals = map[error]string{
	models.ErrEventKind:          "newevent.bad_kind",
	models.ErrEventTitle:         "newevent.bad_title",
	models.ErrEventPlace:         "newevent.bad_place",
	models.ErrEventCapacity:      "newevent.bad_capacity",
	models.ErrEventDuration:      "newevent.bad_duration",
	models.ErrEventPast:          "newevent.past",
	models.ErrEventRRule:         "newevent.bad_rrule",
	models.ErrEventTooFrequent:   "newevent.too_frequent",
	models.ErrEventNeverOccurs:   "newevent.never_occurs",
	models.ErrDeadlineRecurring:  "newevent.deadline_recurring",
	models.ErrDeadlineAfterStart: "newevent.deadline_after_start",
	models.ErrDeadlinePast:       "newevent.deadline_past",
	models.ErrBadAudience:        "newevent.bad_audience",
	models.ErrBadText:            "text.bad",
}

// eventRefusal is the message key (and arguments) that says why an event
// was refused, or "" when err is not a refusal.
func eventRefusal(e *models.Event, err error) (string, []any) {
	for reason, key := range eventRefusals {
		if errors.Is(err, reason) {
			return key, []any{"Kind", truncate(string(e.Kind), 30), "Value", truncate(e.Audience, 40)}
		}
	}
	return "", nil
}

// createEvent saves an organizer's event, announces it and tells the
// organizer; it reports whether it was created.
func (b *Bot) createEvent(ctx context.Context, r *request, e *models.Event) bool {
	e.CreatedBy = &r.member.ID
	n, err := b.st.CreateEvent(ctx, e, b.cfg.Location, b.cfg.Now())
	if key, kv := eventRefusal(e, err); key != "" {
		b.send(ctx, r.chatID, b.t(r, key, kv...), nil)
		return false
	}
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return false
	}
	b.enqueued()
	b.log.Info("event created", "event_id", e.ID, "by_member_id", r.member.ID, "announced", n)
	next, _ := e.NextOccurrence(b.cfg.Location, b.cfg.Now())
	notes := b.twiceNotes(r, e.StartAt) // a time the clocks show twice was taken as the first
	if e.RSVPDeadline != nil {
		notes += b.twiceNotes(r, *e.RSVPDeadline)
	}
	b.send(ctx, r.chatID, b.t(r, "newevent.created", "ID", e.ID, "Title", e.Title,
		"When", b.cat.DateTime(r.lang, next, b.cfg.Location, b.cfg.Now()), "Count", n, "Repeats", e.RRule != "")+notes, nil)
	return true
}

// managedOccurrence is an occurrence of an event the organizer manages:
// the one in hand (models.OccurrenceInHand: /attendees, as the console
// shows it), else the coming one (/nudge); it answers the organizer itself
// when there is none.
func (b *Bot) managedOccurrence(ctx context.Context, r *request, args, usage string, inHand bool) (*models.Event, time.Time, bool) {
	e, _, ok := b.managedEvent(ctx, r, args, usage)
	if !ok {
		return nil, time.Time{}, false
	}
	occ, ok := e.NextOccurrence(b.cfg.Location, b.cfg.Now())
	if inHand {
		occ, ok = e.OccurrenceInHand(b.cfg.Location, b.cfg.Now())
	}
	if !ok || e.Status != models.EventScheduled {
		b.send(ctx, r.chatID, b.t(r, "event.over", "Title", e.Title), nil)
		return nil, time.Time{}, false
	}
	return e, occ, true
}

// parseEventLine reads the one-line form; on a bad field it returns the
// message key (and arguments) that says what is wrong, and an error only
// for a fault of the store. The event's own rules are
// models.Event.Validate's, the same as the CLI's and the dialog's; its
// audience is lineAudience's.
func (b *Bot) parseEventLine(ctx context.Context, r *request, line string) (*models.Event, string, []any, error) {
	parts := strings.Split(input.Normalize(line), "|") // the full-width ｜ too
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) < 3 {
		return nil, "newevent.too_short", nil, nil
	}
	kind, ok := input.Kind(parts[0])
	if !ok {
		kind = models.EventKind(parts[0]) // refused by Validate, in the reader's words
	}
	e := &models.Event{Kind: kind, RSVP: true, Audience: models.Everyone().String()}
	start, err := input.When(parts[1], b.cfg.Now(), b.cfg.Location)
	if err != nil {
		key, kv := b.timeRefusal(r, parts[1], err)
		return nil, key, kv, nil
	}
	e.StartAt = start
	e.Title = parts[2]
	if len(parts) > 3 {
		e.Location = parts[3]
	}
	typed := ""
	if len(parts) > 4 {
		typed = parts[4]
	}
	aud, key, kv, err := b.lineAudience(ctx, r, typed)
	if err != nil || key != "" {
		return nil, key, kv, err
	}
	e.Audience = aud.String()
	onHoliday := false
	if len(parts) > 5 {
		for _, opt := range splitOptions(parts[5]) {
			name, val, _ := strings.Cut(opt, "=")
			switch strings.ToLower(name) {
			case "cap", "capacity":
				n, err := strconv.Atoi(val)
				if err != nil {
					return nil, "newevent.bad_option", []any{"Value", truncate(opt, 40)}, nil
				}
				e.Capacity = n
			case "guests":
				e.AllowGuests = true
			case "holiday":
				onHoliday = true // confirmed: on a statutory holiday
			case "norsvp":
				e.RSVP = false
			case "deadline":
				d, err := input.When(val, b.cfg.Now(), b.cfg.Location)
				if errors.As(err, new(*input.GapError)) {
					key, kv := b.timeRefusal(r, val, err)
					return nil, key, kv, nil
				}
				if err != nil {
					return nil, "newevent.bad_option", []any{"Value", truncate(opt, 40)}, nil
				}
				e.RSVPDeadline = &d
			case "rrule":
				e.RRule = val
			default:
				return nil, "newevent.bad_option", []any{"Value", truncate(opt, 40)}, nil
			}
		}
	}
	if err := e.Validate(b.cfg.Location, b.cfg.Now()); err != nil {
		if key, kv := eventRefusal(e, err); key != "" {
			return nil, key, kv, nil
		}
		return nil, "newevent.bad_option", []any{"Value", truncate(err.Error(), 60)}, nil
	}
	// A start on a statutory holiday asks for the word "holiday" (the
	// dialog asks with buttons).
	day := models.DayOf(e.StartAt, b.cfg.Location)
	if h, ok := calendar.DayOff(day); ok && !onHoliday {
		return nil, "newevent.holiday_line", []any{"Date", b.cat.Date(r.lang, day, b.cfg.Now()), "Holiday", b.t(r, "holiday."+h.Key)}, nil
	}
	return e, "", nil, nil
}

// splitOptions splits "cap=30 guests deadline=2026-12-05 18:00" into
// options, keeping a date's time with it.
func splitOptions(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if len(out) > 0 && !strings.Contains(f, "=") && strings.Count(f, ":") == 1 && strings.HasPrefix(out[len(out)-1], "deadline=") {
			out[len(out)-1] += " " + f
			continue
		}
		out = append(out, f)
	}
	return out
}

// canReach applies the one rule of who may reach an audience
// (models.Scope.CanReach, through the store for a members audience).
func (b *Bot) canReach(ctx context.Context, r *request, a models.Audience) bool {
	ok, err := b.st.CanReach(ctx, r.member, a)
	if err != nil {
		b.log.Error("can reach", "err", err)
	}
	return err == nil && ok
}

// onCancelEvent cancels an event and tells those who said yes or maybe.
func (b *Bot) onCancelEvent(ctx context.Context, r *request, args string) {
	e, _, ok := b.managedEvent(ctx, r, args, "cancelevent.usage")
	if !ok {
		return
	}
	if e.Status != models.EventScheduled {
		b.send(ctx, r.chatID, b.t(r, "cancelevent.already", "Title", e.Title), nil)
		return
	}
	// A cancellation tells members at once: it is confirmed first.
	b.send(ctx, r.chatID, b.t(r, "cancelevent.confirm", "Title", e.Title), inline(row(
		cb(b.t(r, "cancelevent.button.yes"), models.Callback{Action: models.ActCancelEvent, Event: e.ID, Op: "y"}),
		cb(b.t(r, "cancelevent.button.no"), models.Callback{Action: models.ActCancelEvent, Event: e.ID, Op: "n"}),
	)))
}

// callbackEvent is the event a card's or a confirmation's button acts on,
// when the one who tapped may manage it; else it answers the tap and says
// why.
func (b *Bot) callbackEvent(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) (*models.Event, bool) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return nil, false
	}
	e, err := b.st.EventByID(ctx, c.Event)
	if err != nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return nil, false
	}
	if manages, err := b.st.CanManage(ctx, r.member, e); err != nil || !manages {
		b.answer(ctx, q, b.t(r, "record.not_yours"), true)
		return nil, false
	}
	return e, true
}

// onCancelEventCallback is the confirmation's answer.
func (b *Bot) onCancelEventCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	e, ok := b.callbackEvent(ctx, r, q, c)
	if !ok {
		return
	}
	msg := q.Message.Message
	reply := func(text string) {
		if msg != nil {
			b.edit(ctx, r.chatID, msg.ID, text, nil)
		} else {
			b.send(ctx, r.chatID, text, nil)
		}
	}
	if c.Op == "n" {
		reply(b.t(r, "cancelevent.kept", "Title", e.Title))
		b.answer(ctx, q, "", false)
		return
	}
	n, err := b.st.CancelEvent(ctx, e.ID, b.cfg.Now())
	if errors.Is(err, models.ErrEventClosed) {
		b.answer(ctx, q, b.t(r, "cancelevent.already", "Title", e.Title), true)
		return
	}
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("cancel event", "event_id", e.ID, "err", err)
		return
	}
	b.enqueued()
	reply(b.t(r, "cancelevent.done", "Title", e.Title, "Count", n.Told) + b.noticesNote(r, e, n))
	b.answer(ctx, q, "", false)
}

// noticesNote says what else a change or cancellation set going: the
// copies of the event's messages edited in place, and the waiting messages
// that could not be given the new details (failed, and logged).
func (b *Bot) noticesNote(r *request, e *models.Event, n store.EventNotices) string {
	var note string
	if n.Copies > 0 {
		note += "\n" + b.t(r, "event.copies_updated", "Count", n.Copies)
	}
	if len(n.Failed) > 0 {
		b.log.Error("event change: waiting messages whose stored arguments do not decode failed instead of going out with the old details",
			"event_id", e.ID, "outbox_ids", n.Failed)
		note += "\n" + b.t(r, "event.rows_failed", "Count", len(n.Failed))
	}
	return note
}

// onEditEvent: /editevent <id> time YYYY-MM-DD HH:MM | place … | title …
func (b *Bot) onEditEvent(ctx context.Context, r *request, args string) {
	e, rest, ok := b.managedEvent(ctx, r, args, "editevent.usage")
	if !ok {
		return
	}
	field, value, _ := strings.Cut(rest, " ")
	value = strings.TrimSpace(value)
	var ch store.EventChange
	switch strings.ToLower(input.Normalize(field)) {
	case "time", "时间", "時間":
		// "holiday" at the end confirms a statutory holiday, as in
		// /newevent's one line.
		when, confirmed := value, false
		if w := strings.Fields(value); len(w) > 0 && strings.EqualFold(w[len(w)-1], "holiday") {
			when, confirmed = strings.Join(w[:len(w)-1], " "), true
		}
		t, err := input.When(when, b.cfg.Now(), b.cfg.Location)
		if err != nil {
			key, kv := b.timeRefusal(r, when, err)
			b.send(ctx, r.chatID, b.t(r, key, kv...), nil)
			return
		}
		day := models.DayOf(t, b.cfg.Location)
		if h, ok := calendar.DayOff(day); ok && !confirmed {
			b.send(ctx, r.chatID, b.t(r, "editevent.holiday", "Date", b.cat.Date(r.lang, day, b.cfg.Now()), "Holiday", b.t(r, "holiday."+h.Key),
				"ID", e.ID, "When", when), nil)
			return
		}
		ch.StartAt = &t
	case "place", "地点", "地點":
		if value == "" {
			b.send(ctx, r.chatID, b.t(r, "editevent.usage"), nil)
			return
		}
		ch.Location = &value
	case "title", "标题", "標題", "名称", "名稱":
		ch.Title = &value
	default:
		b.send(ctx, r.chatID, b.t(r, "editevent.usage"), nil)
		return
	}
	updated, n, err := b.st.UpdateEvent(ctx, e.ID, ch, b.cfg.Location, b.cfg.Now())
	key, kv := eventRefusal(e, err)
	switch {
	case errors.Is(err, store.ErrRecurringTime):
		b.send(ctx, r.chatID, b.t(r, "editevent.recurring"), nil)
	case errors.Is(err, models.ErrEventClosed):
		b.send(ctx, r.chatID, b.t(r, "cancelevent.already", "Title", e.Title), nil)
	case key != "":
		b.send(ctx, r.chatID, b.t(r, key, kv...), nil)
	case err != nil:
		b.fail(ctx, r.chatID, r.lang, "editevent", err)
	default:
		b.enqueued()
		var notes string
		if ch.StartAt != nil {
			notes = b.twiceNotes(r, *ch.StartAt)
		}
		b.send(ctx, r.chatID, b.t(r, "editevent.done", "Title", updated.Title, "Count", n.Told)+b.noticesNote(r, e, n)+notes, nil)
	}
}

// onAttendees shows counts per answer, names and the waitlist.
func (b *Bot) onAttendees(ctx context.Context, r *request, args string) {
	e, occ, ok := b.managedOccurrence(ctx, r, args, "attendees.usage", true)
	if !ok {
		return
	}
	list, err := b.st.Attendees(ctx, e.ID, occ)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "attendees", err)
		return
	}
	text := reports.RollText(b.cat, r.lang, r.member.Zone(b.cfg.Location), b.cfg.Now(), e, occ, list)
	block, rows, _, err := b.unansweredBlock(ctx, r, e, occ)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "attendees", err)
		return
	}
	b.sendWithNames(ctx, r, text, block, rows)
}

// The limits of a list of members who have not answered: the names read
// (and the characters they take in the text: Telegram allows 4096 in all),
// and buttons (Telegram allows 100; two a row).
const (
	maxUnansweredNames   = 300
	maxUnansweredRunes   = 1500
	maxUnansweredButtons = 40
)

// unansweredBlock lists, for an organizer, the members of the event's
// audience who have not answered the occurrence (total of them): their
// names by name (📵 marks one the bot cannot remind: no Telegram, blocked,
// or reminders paused), as many as maxUnansweredRunes hold, and a button
// each for the first maxUnansweredButtons that opens the member's card. It
// is "" when all have answered.
func (b *Bot) unansweredBlock(ctx context.Context, r *request, e *models.Event, occ time.Time) (block string, rows [][]inlineButton, total int, err error) {
	ms, total, err := b.st.Unanswered(ctx, e, occ, maxUnansweredNames)
	if err != nil || total == 0 {
		return "", nil, total, err
	}
	var names []string
	var pair []inlineButton
	sep := b.t(r, "list.separator")
	length := 0
	unreached := false
	for _, m := range ms {
		name := m.Name
		if !m.BotReaches() {
			name += " 📵"
			unreached = true
		}
		if length += len([]rune(name + sep)); length <= maxUnansweredRunes {
			names = append(names, name)
		}
		if len(rows)*2+len(pair) < maxUnansweredButtons {
			pair = append(pair, cb(truncate(name, 24), models.Callback{Action: models.ActMemberCard, ID: m.ID, Op: "v"}))
			if len(pair) == 2 {
				rows, pair = append(rows, pair), nil
			}
		}
	}
	if len(pair) > 0 {
		rows = append(rows, pair)
	}
	list := strings.Join(names, sep)
	if total > len(names) {
		list += b.t(r, "answers.more", "Count", total-len(names))
	}
	lines := []string{b.t(r, "answers.unanswered", "Count", total, "Names", list)}
	if unreached {
		lines = append(lines, b.t(r, "answers.unreached"))
	}
	lines = append(lines, b.t(r, "answers.tap_card", "Count", min(total, maxUnansweredButtons), "More", max(total-maxUnansweredButtons, 0)))
	return strings.Join(lines, "\n"), rows, total, nil
}

// sendWithNames sends a report with the list of those who have not
// answered after it, within Telegram's length: the report is cut short
// before the list is.
func (b *Bot) sendWithNames(ctx context.Context, r *request, text, block string, rows [][]inlineButton) {
	if block != "" {
		text = truncate(text, maxMessage-len([]rune(block))-2) + "\n\n" + block
	}
	var markup any
	if len(rows) > 0 {
		markup = inline(rows...)
	}
	b.send(ctx, r.chatID, truncate(text, maxMessage), markup)
}

// onNudge reminds those of the audience who have not answered.
func (b *Bot) onNudge(ctx context.Context, r *request, args string) {
	e, occ, ok := b.managedOccurrence(ctx, r, args, "nudge.usage", false)
	if !ok {
		return
	}
	nudge := planner.Nudge(e, occ, b.cfg.Now(), b.cfg.Location)
	undecided, err := b.st.Recipients(ctx, nudge)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "nudge", err)
		return
	}
	// Who has not answered, by name, those the bot cannot remind marked.
	block, rows, total, err := b.unansweredBlock(ctx, r, e, occ)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "nudge", err)
		return
	}
	switch {
	case total == 0:
		b.send(ctx, r.chatID, b.t(r, "nudge.nobody", "Title", e.Title), nil)
		return
	case len(undecided) == 0:
		b.sendWithNames(ctx, r, b.t(r, "nudge.none_reachable", "Title", e.Title), block, rows)
		return
	}
	n, err := b.st.Enqueue(ctx, nudge)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "nudge", err)
		return
	}
	if n == 0 {
		b.sendWithNames(ctx, r, b.t(r, "nudge.already", "Title", e.Title, "Count", len(undecided)), block, rows)
		return
	}
	b.enqueued()
	b.sendWithNames(ctx, r, b.t(r, "nudge.done", "Title", e.Title, "Count", n), block, rows)
}

// pickerOps are the commands that, typed without an event number, offer
// the organizer's events as buttons, and the action each button takes.
var pickerOps = map[string]string{"attendees.usage": "a", "nudge.usage": "n", "checkin.usage": "c", "cancelevent.usage": "x"}

// maxPicker bounds the events offered at once.
const maxPicker = 12

// eventPicker lists the coming events the organizer manages (the next 60
// days), a button each that takes the action op.
func (b *Bot) eventPicker(ctx context.Context, r *request, op, usage string) {
	now := b.cfg.Now()
	occs, err := b.st.ManagedOccurrences(ctx, r.member, now, now.AddDate(0, 0, 60), b.cfg.Location, maxPicker)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "event picker", err)
		return
	}
	zone := r.member.Zone(b.cfg.Location)
	var rows [][]inlineButton
	for _, o := range occs {
		label := o.At.In(zone).Format("01-02 15:04") + " " + truncate(o.Event.Title, 28)
		rows = append(rows, row(cb(label, models.Callback{Action: models.ActEventAdmin, Event: o.Event.ID, Op: op})))
	}
	if len(rows) == 0 {
		text := b.t(r, "event.pick_none")
		if usage != "" {
			text += "\n\n" + b.t(r, usage)
		}
		b.send(ctx, r.chatID, text, nil)
		return
	}
	b.send(ctx, r.chatID, b.t(r, "event.pick"), inline(rows...))
}

// onEventAdminCallback is an action button of an event card or picker: the
// same as its command with the event's number.
func (b *Bot) onEventAdminCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	e, ok := b.callbackEvent(ctx, r, q, c)
	if !ok {
		return
	}
	b.answer(ctx, q, "", false)
	id := strconv.FormatUint(uint64(c.Event), 10)
	switch c.Op {
	case "a":
		b.onAttendees(ctx, r, id)
	case "n":
		b.onNudge(ctx, r, id)
	case "c":
		b.onCheckin(ctx, r, id)
	case "x":
		b.onCancelEvent(ctx, r, id)
	case "v":
		occ, ok := e.OccurrenceInHand(b.cfg.Location, b.cfg.Now())
		if !ok {
			b.send(ctx, r.chatID, b.t(r, "event.over", "Title", e.Title), nil)
			return
		}
		text, kb := b.eventCard(ctx, r, e, occ)
		var markup any
		if kb != nil {
			markup = kb
		}
		b.send(ctx, r.chatID, text, markup)
	}
}
