package planner

import (
	"strconv"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// DeadlineLead is how long before an answer deadline the undecided are asked.
const DeadlineLead = 24 * time.Hour

// ratingAfter and ratingUntil bound when, after an occurrence ends, those who
// came are asked for a rating (the day after); a question is stale a week on.
const (
	ratingAfter  = 12 * time.Hour
	ratingUntil  = 36 * time.Hour
	ratingExpiry = 7 * 24 * time.Hour
)

// EventArgs are the arguments that describe one occurrence in every event
// template (event.card, event.announce, event.reminder …).
func EventArgs(e *models.Event, occ time.Time) Args {
	var a Args
	a.Int("EventID", int(e.ID)).Str("Title", e.Title).Str("Location", e.Location).
		Time("StartAt", occ).Key("Icon", "event.icon."+string(e.Kind))
	return a
}

// RSVPButtons are the buttons of an occurrence for one who has not
// answered: Going / Maybe / Can't go (and one more guest when guests are
// allowed) when it takes answers, and Add to calendar.
func RSVPButtons(e *models.Event, occ time.Time) [][]models.ButtonSpec {
	return RSVPButtonsFor(e, occ, nil)
}

// RSVPButtonsFor are an occurrence's buttons for a member whose answer is
// r (nil: none yet): Going / Maybe / Can't go when it takes answers; where
// guests are allowed, ➕ one more guest while they may bring one (no answer
// yet, or a yes with fewer than models.MaxGuests) and ➖ one fewer while they
// bring any; and Add to calendar.
func RSVPButtonsFor(e *models.Event, occ time.Time, r *models.RSVP) [][]models.ButtonSpec {
	var rows [][]models.ButtonSpec
	if e.RSVP {
		answer := func(key, op string) models.ButtonSpec {
			return models.ButtonSpec{Key: key, Data: models.Callback{Action: models.ActRSVP, Event: e.ID, Occ: occ, Op: op}.Encode()}
		}
		rows = append(rows, []models.ButtonSpec{answer("rsvp.button.yes", "y"), answer("rsvp.button.maybe", "m"), answer("rsvp.button.no", "n")})
		if e.AllowGuests {
			var guests []models.ButtonSpec
			if r != nil && r.Answer == models.AnswerYes && r.Guests > 0 {
				guests = append(guests, answer("rsvp.button.guest_less", "r"))
			}
			if r == nil || r.Answer == models.AnswerYes && r.Guests < models.MaxGuests {
				guests = append(guests, answer("rsvp.button.guest", "g"))
			}
			if len(guests) > 0 {
				rows = append(rows, guests)
			}
		}
	}
	rows = append(rows, []models.ButtonSpec{{Key: "rsvp.button.calendar",
		Data: models.Callback{Action: models.ActCalendar, Event: e.ID}.Encode()}})
	return rows
}

// AnswerLine is a member's answer as the event's card shows it ("Your
// answer: ✅ going, with 2 guests"; on the waiting list, at position), or
// nil without one: the bot's cards and the copies edited after a change
// say it alike.
func AnswerLine(r *models.RSVP, position int) *Line {
	if r == nil {
		return nil
	}
	var a Args
	switch {
	case r.Waitlisted:
		a.Int("Position", position)
		return &Line{Key: "rsvp.answer.waitlist", Args: a}
	case r.Guests > 0:
		a.Int("Guests", r.Guests)
		return &Line{Key: "rsvp.answer.yes_guests", Args: a}
	}
	return &Line{Key: "rsvp.answer." + string(r.Answer)}
}

// eventMessage is a message about one occurrence, with its card's arguments
// and buttons, no longer useful once the occurrence starts.
func eventMessage(kind outbox.Kind, template string, e *models.Event, occ time.Time, to models.Audience, f Filter, notBefore time.Time) Message {
	expires := occ.UTC()
	return Message{Kind: kind, Subject: Subject{EventID: e.ID, Occurrence: occ}, To: to, Filter: f,
		Template: template, Args: EventArgs(e, occ), Markup: Markup{Inline: RSVPButtons(e, occ)},
		NotBefore: notBefore, ExpiresAt: &expires}
}

func audienceOf(e *models.Event) models.Audience {
	a, err := models.ParseAudience(e.Audience)
	if err != nil {
		// An event's audience is validated when it is made; a broken one
		// reaches nobody rather than everyone.
		return models.MembersAudience()
	}
	return a
}

// Announcement tells the event's audience about its coming occurrence, with
// the answer buttons.
func Announcement(e *models.Event, occ, now time.Time) Message {
	return eventMessage(outbox.KindEventAnnounce, "event.announce", e, occ, audienceOf(e), Everyone, now)
}

// Reminder reminds the audience, except those who said no, offset before
// the occurrence.
func Reminder(e *models.Event, occ time.Time, offset time.Duration) Message {
	m := eventMessage(outbox.KindEventReminder, "event.reminder", e, occ, audienceOf(e), NotNo, occ.Add(-offset))
	m.Slot = strconv.Itoa(int(offset.Minutes()))
	return m
}

// DeadlineNudge asks those who said maybe or nothing to decide, a day before
// the answer deadline of a one-off event.
func DeadlineNudge(e *models.Event) Message {
	m := eventMessage(outbox.KindEventDeadline, "event.deadline_nudge", e, e.StartAt, audienceOf(e), Undecided, e.RSVPDeadline.Add(-DeadlineLead))
	m.Slot = "deadline"
	m.Args.Time("DeadlineAt", *e.RSVPDeadline)
	deadline := e.RSVPDeadline.UTC()
	m.ExpiresAt = &deadline
	return m
}

// Nudge is an organizer's reminder to those of the audience who have not
// answered; at most once a day (in loc).
func Nudge(e *models.Event, occ, now time.Time, loc *time.Location) Message {
	m := eventMessage(outbox.KindEventNudge, "event.nudge", e, occ, audienceOf(e), NotAnswered, now)
	m.Slot = now.In(loc).Format("20060102")
	return m
}

// Promotion tells a member who was waiting that a place freed up. queuedAt
// (when they joined the waiting list) tells one promotion from a later one.
func Promotion(e *models.Event, occ time.Time, memberID uint, queuedAt, now time.Time) Message {
	m := eventMessage(outbox.KindPromoted, "rsvp.promoted", e, occ, models.MembersAudience(memberID), Everyone, now)
	m.Slot = strconv.FormatInt(queuedAt.UnixNano(), 36)
	return m
}

// Cancellation tells those who answered yes or maybe to the occurrence that
// the event is cancelled.
func Cancellation(e *models.Event, occ, now time.Time) Message {
	m := eventMessage(outbox.KindEventCancelled, "event.cancelled", e, occ, models.Everyone(), YesOrMaybe, now)
	m.Markup = Markup{}
	return m
}

// Change tells those who answered yes or maybe to the occurrence what
// changed (after, at its new revision) from before; occ is the occurrence
// as it is now.
func Change(before, after *models.Event, occ, oldOcc, now time.Time) Message {
	m := eventMessage(outbox.KindEventChanged, "event.changed", after, occ, models.Everyone(), YesOrMaybe, now)
	m.Slot = strconv.Itoa(after.Revision)
	m.Args.Str("OldTitle", before.Title).Str("OldLocation", before.Location).Time("OldStartAt", oldOcc)
	return m
}

// CopyKinds are the kinds of message that show an occurrence of an event
// with its answer buttons: the copies in members' chats that are edited in
// place when the event changes or is cancelled (CopyEdit, CopyCancel).
func CopyKinds() []outbox.Kind {
	return []outbox.Kind{outbox.KindEventAnnounce, outbox.KindEventReminder, outbox.KindEventDeadline, outbox.KindEventNudge, outbox.KindPromoted, outbox.KindEventChanged, outbox.KindEventEdit}
}

// Copy is one message about an event the bot sent to a member: its
// Telegram message id in the member's chat.
type Copy struct {
	MemberID  uint
	MessageID int64
}

// copyEdit is an edit in place of a copy; notify sends it anew when the
// copy can no longer be edited.
func copyEdit(m Message, c Copy, slot string, notify bool) Message {
	m.Kind, m.To, m.Filter = outbox.KindEventEdit, models.MembersAudience(c.MemberID), Everyone
	m.Slot = slot + "." + strconv.FormatInt(c.MessageID, 10)
	m.EditMessageID, m.SendIfUneditable = c.MessageID, notify
	return m
}

// CopyEdit edits in place a copy c after a change of the event from
// before to after (at its new revision): the new details beside the old
// ones, the member's answer r (with its waitlist position; nil: none) and
// fresh buttons for occ, the occurrence as it is now (oldOcc as it was).
// notify: when the copy can no longer be edited, it is sent anew, so that
// one who has not answered (and gets no change notice) still learns of it.
func CopyEdit(before, after *models.Event, occ, oldOcc time.Time, c Copy, r *models.RSVP, position int, notify bool, now time.Time) Message {
	m := eventMessage(outbox.KindEventEdit, "event.edited", after, occ, models.MembersAudience(c.MemberID), Everyone, now)
	m.Args.Str("OldTitle", before.Title).Str("OldLocation", before.Location).Time("OldStartAt", oldOcc)
	if line := AnswerLine(r, position); line != nil {
		m.Args.List("Answer", []Line{*line})
	}
	m.Markup = Markup{Inline: RSVPButtonsFor(after, occ, r)}
	return copyEdit(m, c, "r"+strconv.Itoa(after.Revision), notify)
}

// CopyCancel edits in place a copy c of a cancelled event's occurrence to
// say so, without buttons; notify sends it anew when the copy can no
// longer be edited.
func CopyCancel(e *models.Event, occ time.Time, c Copy, notify bool, now time.Time) Message {
	m := eventMessage(outbox.KindEventEdit, "event.cancelled", e, occ, models.MembersAudience(c.MemberID), Everyone, now)
	m.Markup = Markup{}
	return copyEdit(m, c, "x", notify)
}

// Offsets are how long before an occurrence its reminders go out, by kind;
// a kind not named keeps models.EventKind.ReminderOffsets.
type Offsets map[models.EventKind][]time.Duration

// For is the offsets of kind k.
func (o Offsets) For(k models.EventKind) []time.Duration {
	if offs, ok := o[k]; ok {
		return offs
	}
	return k.ReminderOffsets()
}

// Longest is the longest offset of any kind: how far ahead the reminders of
// a tick look.
func (o Offsets) Longest() time.Duration {
	var longest time.Duration
	for _, k := range models.EventKinds() {
		for _, off := range o.For(k) {
			longest = max(longest, off)
		}
	}
	return longest
}

// EventReminders are the reminders of events that fell due in (since, now]:
// for each occurrence that has not started, the latest of its kind's
// offsets that fell due, so that after downtime a member gets one reminder,
// not the three-day and the one-day one at once. With since zero (the first
// run after a start) it looks back over the longest offset: whatever fell
// due while the service was down is caught up, if the occurrence has not
// started (the rows expire at the start). events must hold every scheduled
// event with an occurrence in (now, now+Longest].
func EventReminders(events []models.Event, offsets Offsets, loc *time.Location, since, now time.Time) []Message {
	var out []Message
	for i := range events {
		e := &events[i]
		offs := offsets.For(e.Kind)
		var longest time.Duration
		for _, o := range offs {
			longest = max(longest, o)
		}
		occs, err := e.Occurrences(loc, now.Add(time.Nanosecond), now.Add(longest+time.Nanosecond))
		if err != nil {
			continue
		}
		for _, occ := range occs {
			due := time.Duration(-1)
			for _, off := range offs {
				fire := occ.Add(-off)
				if fire.After(now) || (!since.IsZero() && !fire.After(since)) {
					continue
				}
				if due < 0 || off < due {
					due = off
				}
			}
			if due >= 0 {
				out = append(out, Reminder(e, occ, due))
			}
		}
	}
	return out
}

// DeadlineNudges are the deadline nudges that fell due in (since, now], of
// the events whose answer deadline is still ahead. events must hold every
// scheduled event with a deadline in (now, now+DeadlineLead].
func DeadlineNudges(events []models.Event, since, now time.Time) []Message {
	var out []Message
	for i := range events {
		e := &events[i]
		if e.RSVPDeadline == nil || !e.RSVP || !e.RSVPDeadline.After(now) {
			continue
		}
		fire := e.RSVPDeadline.Add(-DeadlineLead)
		if fire.After(now) || (!since.IsZero() && !fire.After(since)) {
			continue
		}
		out = append(out, DeadlineNudge(e))
	}
	return out
}

// RatingWindow is the span of occurrence starts whose day-after survey a
// run at now may open: those that ended 12 to 36 hours ago.
func RatingWindow(now time.Time) (from, to time.Time) {
	return now.Add(-ratingUntil - models.MaxDuration), now.Add(-ratingAfter)
}

// Held is one occurrence of an event.
type Held struct {
	Event      *models.Event
	Occurrence time.Time
}

// DayAfter are the occurrences whose day-after survey falls due at now:
// those that ended 12 to 36 hours before (the store opens each once).
func DayAfter(events []models.Event, loc *time.Location, now time.Time) []Held {
	from, to := RatingWindow(now)
	var out []Held
	for i := range events {
		e := &events[i]
		occs, err := e.Occurrences(loc, from, to)
		if err != nil {
			continue
		}
		for _, occ := range occs {
			end := occ.Add(e.Duration())
			if end.After(now.Add(-ratingAfter)) || end.Before(now.Add(-ratingUntil)) {
				continue
			}
			out = append(out, Held{Event: e, Occurrence: occ})
		}
	}
	return out
}

// EventSurvey is the day-after survey of an occurrence (SPEC C4, C13): one
// satisfaction question to those who came, anonymous, open for a week
// after the occurrence, without a reminder. Its question's words are the
// reader's (EventQuestion), not the stored text.
func EventSurvey(e *models.Event, occ time.Time) *models.Survey {
	occ = occ.UTC()
	closes := occ.Add(ratingExpiry)
	id := e.ID
	title := Clip(e.Title, models.MaxSurveyTitle-1)
	return &models.Survey{Title: title, Audience: e.Audience, Anonymous: true, ClosesAt: &closes, RemindHours: 0,
		EventID: &id, Occurrence: &occ,
		Questions: []models.SurveyQuestion{{Position: 1, Kind: models.QuestionSatisfaction, Text: title}}}
}

// EventSurveyAsk is the day-after question as a forecast shows it, to those
// who came, before the store has made the survey.
func EventSurveyAsk(e *models.Event, occ, now time.Time) Message {
	sv := EventSurvey(e, occ)
	sv.OpensAt = now
	m := SurveyAsk(sv, sv.Question(1), models.Everyone(), Markup{Inline: SurveyButtons(sv, sv.Question(1), "")}, now)
	m.Subject.EventID, m.Subject.Occurrence, m.Filter = e.ID, occ, Came
	return m
}
