package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/roster"
)

// ErrNoRoomForGuest refuses a +1 that does not fit: the member keeps their
// own place.
var ErrNoRoomForGuest = errors.New("store: no place left for another guest")

// ErrTooManyGuests refuses one more guest beyond models.MaxGuests.
var ErrTooManyGuests = errors.New("store: no more guests allowed")

// ErrNoGuestToRemove refuses one fewer guest to a member who brings none.
var ErrNoGuestToRemove = errors.New("store: no guest to remove")

// ErrRecurringTime refuses moving a recurring series (its answers belong to
// occurrences); cancel it and create it again instead.
var ErrRecurringTime = errors.New("store: the time of a recurring event cannot be changed")

// CreateEvent checks the event (models.Event.Validate), saves it and, in the
// same transaction, announces its next occurrence to its audience with the
// answer buttons. It returns how many were told.
func (s *Store) CreateEvent(ctx context.Context, e *models.Event, loc *time.Location, now time.Time) (int, error) {
	if err := e.Validate(loc, now); err != nil {
		return 0, err
	}
	aud, _ := models.ParseAudience(e.Audience)
	// Times are stored in UTC: SQLite compares them as text.
	e.StartAt = e.StartAt.UTC()
	if e.RSVPDeadline != nil {
		d := e.RSVPDeadline.UTC()
		e.RSVPDeadline = &d
	}
	if e.Status == "" {
		e.Status = models.EventScheduled
	}
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := branchExists(tx, aud); err != nil {
			return err
		}
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		occ, ok := e.NextOccurrence(loc, now)
		if !ok {
			return nil
		}
		var err error
		n, err = enqueue(tx, s.sms, planner.Announcement(e, occ, now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: create event: %w", err)
	}
	return n, nil
}

// EventByID reads an event.
func (s *Store) EventByID(ctx context.Context, id uint) (*models.Event, error) {
	var e models.Event
	if err := s.db.WithContext(ctx).Take(&e, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}

// EventsBetween lists the scheduled events that may have an occurrence
// starting in [from, to), by start: those that start before to and whose
// last start is not before from, and those that recur without end. Two
// reads on the (status, last_start_at) index, so that past events are never
// read (one condition with OR would make SQLite scan every scheduled event).
func (s *Store) EventsBetween(ctx context.Context, from, to time.Time) ([]models.Event, error) {
	var bounded, endless []models.Event
	db := s.db.WithContext(ctx)
	if err := db.Where("status = ? AND last_start_at >= ? AND start_at < ?", models.EventScheduled, from.UTC(), to.UTC()).
		Find(&bounded).Error; err != nil {
		return nil, fmt.Errorf("store: events between: %w", err)
	}
	if err := db.Where("status = ? AND last_start_at IS NULL AND start_at < ?", models.EventScheduled, to.UTC()).
		Find(&endless).Error; err != nil {
		return nil, fmt.Errorf("store: events between: %w", err)
	}
	es := append(bounded, endless...)
	slices.SortFunc(es, func(a, b models.Event) int {
		if c := a.StartAt.Compare(b.StartAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return es, nil
}

// EventsWithDeadline lists the scheduled events whose answer deadline is in
// (from, to].
func (s *Store) EventsWithDeadline(ctx context.Context, from, to time.Time) ([]models.Event, error) {
	var es []models.Event
	err := s.db.WithContext(ctx).Where("status = ? AND rsvp_deadline > ? AND rsvp_deadline <= ?", models.EventScheduled, from.UTC(), to.UTC()).
		Order("rsvp_deadline, id").Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("store: events with deadline: %w", err)
	}
	return es, nil
}

// AllEvents lists every event, by start (the CLI's list).
func (s *Store) AllEvents(ctx context.Context) ([]models.Event, error) {
	var es []models.Event
	if err := s.db.WithContext(ctx).Order("start_at, id").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return es, nil
}

// RSVPOf is the member's answer for an occurrence, or nil.
func (s *Store) RSVPOf(ctx context.Context, eventID uint, occ time.Time, memberID uint) (*models.RSVP, error) {
	var r models.RSVP
	err := s.db.WithContext(ctx).Where("event_id = ? AND occurrence = ? AND member_id = ?", eventID, occ.UTC(), memberID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: rsvp: %w", err)
	}
	return &r, nil
}

// RSVPResult is what an answer did.
type RSVPResult struct {
	RSVP     models.RSVP
	Changed  bool          // false when the same answer was given again
	Position int           // place on the waitlist, 0 when not waitlisted
	Promoted []models.RSVP // members moved off the waitlist by this change, and told
}

// MoreGuests and FewerGuests, as the guests of SetRSVP, add one guest to a
// yes (refused beyond models.MaxGuests), or take one away from a yes that
// brings any.
const (
	MoreGuests  = -2
	FewerGuests = -3
)

// SetRSVP records a member's answer for one occurrence under the rule of
// models.Event.MayAnswer, checked in the transaction. A yes beyond capacity
// goes to the waitlist; a freed place goes to the first waitlisted member
// whose party fits, who is told in the same transaction. guests < 0 keeps the
// current number (MoreGuests: one more; FewerGuests: one fewer).
func (s *Store) SetRSVP(ctx context.Context, eventID uint, occ time.Time, m *models.Member, ans models.Answer, guests int, loc *time.Location, now time.Time) (*RSVPResult, error) {
	occ = occ.UTC()
	res := &RSVPResult{}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e models.Event
		// Answers to one event take turns (on PostgreSQL; SQLite's immediate
		// transactions do already): two taps for the last place must not
		// both get it.
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&e, eventID).Error; err != nil {
			return notFound(err)
		}
		if err := e.MayAnswer(m, occ, loc, now); err != nil {
			return err
		}
		var prev *models.RSVP
		var p models.RSVP
		err := tx.Where("event_id = ? AND occurrence = ? AND member_id = ?", eventID, occ, m.ID).Take(&p).Error
		switch {
		case err == nil:
			prev = &p
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		switch {
		case guests == MoreGuests:
			guests = 1
			if prev != nil && prev.Answer == models.AnswerYes {
				guests = prev.Guests + 1
			}
			if e.AllowGuests && guests > models.MaxGuests {
				return ErrTooManyGuests
			}
		case guests == FewerGuests:
			if prev == nil || prev.Answer != models.AnswerYes || prev.Guests == 0 {
				return ErrNoGuestToRemove
			}
			guests = prev.Guests - 1
		case guests < 0:
			guests = 0
			if prev != nil {
				guests = prev.Guests
			}
		}
		if !e.AllowGuests || ans != models.AnswerYes {
			guests = 0
		}
		guests = min(guests, models.MaxGuests)
		if prev != nil && prev.Answer == ans && prev.Guests == guests {
			res.RSVP = *prev
			res.Position, err = waitPosition(tx, prev)
			return err
		}
		r := models.RSVP{EventID: eventID, Occurrence: occ, MemberID: m.ID, Answer: ans, Guests: guests, UpdatedAt: now.UTC()}
		if prev != nil {
			r.CheckedIn = prev.CheckedIn
			if prev.Waitlisted && ans == models.AnswerYes {
				r.UpdatedAt = prev.UpdatedAt // changing the party keeps one's place in the queue
			}
		}
		if ans == models.AnswerYes && e.Capacity > 0 {
			taken, err := seatsTaken(tx, eventID, occ, m.ID)
			if err != nil {
				return err
			}
			r.Waitlisted = taken+1+guests > e.Capacity
			if r.Waitlisted && prev != nil && prev.Answer == models.AnswerYes && !prev.Waitlisted {
				// One who has a place keeps it: a guest who does not fit is
				// refused, never the member's own seat.
				return ErrNoRoomForGuest
			}
		}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error; err != nil {
			return err
		}
		res.RSVP, res.Changed = r, true
		if res.Position, err = waitPosition(tx, &r); err != nil {
			return err
		}
		if e.Capacity > 0 && prev != nil && prev.Answer == models.AnswerYes && !prev.Waitlisted {
			if res.Promoted, err = promote(tx, &e, occ); err != nil {
				return err
			}
			for _, p := range res.Promoted {
				if _, err := enqueue(tx, s.sms, planner.Promotion(&e, occ, p.MemberID, p.UpdatedAt, now)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		if isRuleErr(err) {
			return nil, err
		}
		return nil, fmt.Errorf("store: set rsvp: %w", err)
	}
	return res, nil
}

// isRuleErr reports whether err is a refusal by a rule (the caller tells the
// user why) rather than a failure.
func isRuleErr(err error) bool {
	for _, e := range []error{models.ErrNotMember, models.ErrNotYours, models.ErrEventClosed, models.ErrEventStarted, models.ErrDeadlinePassed,
		models.ErrNotInAudience, models.ErrBadOccurrence, models.ErrCheckInNotYet, models.ErrCheckInOver,
		ErrNotFound, ErrNoRoomForGuest, ErrTooManyGuests, ErrNoGuestToRemove, ErrRecurringTime} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// seatsTaken counts the places held (members and their guests), leaving out
// one member.
func seatsTaken(tx *gorm.DB, eventID uint, occ time.Time, except uint) (int, error) {
	var n *int
	err := tx.Model(&models.RSVP{}).Select("SUM(1 + guests)").
		Where("event_id = ? AND occurrence = ? AND answer = ? AND waitlisted = ? AND member_id <> ?", eventID, occ, models.AnswerYes, false, except).
		Scan(&n).Error
	if n == nil {
		return 0, err
	}
	return *n, err
}

func waitPosition(tx *gorm.DB, r *models.RSVP) (int, error) {
	if !r.Waitlisted {
		return 0, nil
	}
	var n int64
	err := tx.Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ? AND waitlisted = ? AND (updated_at < ? OR (updated_at = ? AND member_id < ?))",
		r.EventID, r.Occurrence, true, r.UpdatedAt, r.UpdatedAt, r.MemberID).Count(&n).Error
	return int(n) + 1, err
}

// promote fills freed places from the waitlist, in order, with every party
// that fits.
func promote(tx *gorm.DB, e *models.Event, occ time.Time) ([]models.RSVP, error) {
	taken, err := seatsTaken(tx, e.ID, occ, 0)
	if err != nil {
		return nil, err
	}
	free := e.Capacity - taken
	var waiting []models.RSVP
	if err := tx.Where("event_id = ? AND occurrence = ? AND waitlisted = ?", e.ID, occ, true).Order("updated_at, member_id").Find(&waiting).Error; err != nil {
		return nil, err
	}
	var promoted []models.RSVP
	for _, w := range waiting {
		if free <= 0 {
			break
		}
		if 1+w.Guests > free {
			continue
		}
		if err := tx.Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ? AND member_id = ?", w.EventID, w.Occurrence, w.MemberID).
			Update("waitlisted", false).Error; err != nil {
			return nil, err
		}
		free -= 1 + w.Guests
		w.Waitlisted = false
		promoted = append(promoted, w)
	}
	return promoted, nil
}

// RSVPCounts counts an occurrence's answers (waitlisted yeses apart).
func (s *Store) RSVPCounts(ctx context.Context, eventID uint, occ time.Time) (map[string]int, error) {
	var rows []models.RSVP
	if err := s.db.WithContext(ctx).Where("event_id = ? AND occurrence = ?", eventID, occ.UTC()).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: rsvp counts: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		key := string(r.Answer)
		if r.Waitlisted {
			key = "waitlist"
		}
		out[key]++
		out["guests"] += r.Guests
	}
	return out, nil
}

// WaitlistPosition is the answer's place on its occurrence's waitlist.
func (s *Store) WaitlistPosition(ctx context.Context, r *models.RSVP) (int, error) {
	return waitPosition(s.db.WithContext(ctx), r)
}

// withdrawPending skips the event's messages still waiting to be sent
// (announcements and reminders held by quiet hours or retries), but not the
// notices of its changes: a member told of a change is told of it, then of
// the cancellation.
func withdrawPending(tx *gorm.DB, eventID uint) error {
	kinds := make([]string, 0, len(outbox.WithdrawnWithEvent()))
	for _, k := range outbox.WithdrawnWithEvent() {
		kinds = append(kinds, string(k))
	}
	return withdraw(tx, "event_id = ? AND kind IN ?", eventID, kinds)
}

// answeredOccurrences lists the coming occurrences of the event that someone
// answered yes or maybe: those a change or a cancellation is told for.
func answeredOccurrences(tx *gorm.DB, eventID uint, now time.Time) ([]time.Time, error) {
	var occs []time.Time
	err := tx.Model(&models.RSVP{}).Distinct("occurrence").
		Where("event_id = ? AND occurrence > ? AND answer IN ?", eventID, now.UTC(), []models.Answer{models.AnswerYes, models.AnswerMaybe}).
		Order("occurrence").Pluck("occurrence", &occs).Error
	return occs, err
}

// EventNotices is what a change or a cancellation of an event set going.
type EventNotices struct {
	Told   int // notices to those who answered yes or maybe
	Copies int // the event's messages in members' chats, to be edited in place
	// Failed are waiting messages of the event whose stored arguments or
	// buttons do not decode: they could not be given the new details, so
	// they failed (bad_request, with the reason in last_error) rather than
	// go out with the old ones. The caller logs them.
	Failed []uint64
}

// CancelEvent cancels an event (every coming occurrence), withdraws its
// waiting messages, tells those who answered yes or maybe, and edits every
// copy of its messages members were sent (announcements, reminders …) to
// say it is cancelled, in one transaction (editCopies).
func (s *Store) CancelEvent(ctx context.Context, id uint, now time.Time) (EventNotices, error) {
	var n EventNotices
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e models.Event
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&e, id).Error; err != nil {
			return notFound(err)
		}
		if e.Status == models.EventCancelled {
			return models.ErrEventClosed
		}
		if err := tx.Model(&e).Update("status", models.EventCancelled).Error; err != nil {
			return err
		}
		if err := withdrawPending(tx, e.ID); err != nil {
			return err
		}
		occs, err := answeredOccurrences(tx, e.ID, now)
		if err != nil {
			return err
		}
		for _, occ := range occs {
			added, err := enqueue(tx, s.sms, planner.Cancellation(&e, occ, now))
			if err != nil {
				return err
			}
			n.Told += added
		}
		n.Copies, err = editCopies(tx, &e, now, func(c sentCopy, occ time.Time, _ *models.RSVP, _ int, notify bool) planner.Message {
			return planner.CopyCancel(&e, occ, c.Copy, notify, now)
		})
		return err
	})
	if err != nil {
		if isRuleErr(err) {
			return EventNotices{}, err
		}
		return EventNotices{}, fmt.Errorf("store: cancel event: %w", err)
	}
	return n, nil
}

// sentCopy is a message about an event that a member was sent and that
// still shows an occurrence with its buttons (planner.CopyKinds).
type sentCopy struct {
	planner.Copy
	Occurrence time.Time
}

// copiesOf lists the event's messages in members' chats (planner.CopyKinds
// sent to the member's chat of now, each Telegram message once): of a
// one-off event all of them (its one occurrence may have moved), of a
// recurring one those of its coming occurrences.
func copiesOf(tx *gorm.DB, e *models.Event, now time.Time) ([]sentCopy, error) {
	kinds := make([]string, 0, len(planner.CopyKinds()))
	for _, k := range planner.CopyKinds() {
		kinds = append(kinds, string(k))
	}
	q := tx.Table("outboxes").Select("outboxes.member_id, outboxes.telegram_message_id, outboxes.occurrence").
		// A member who linked another Telegram account since has other
		// message ids: only copies in their chat of now.
		Joins("JOIN members ON members.id = outboxes.member_id AND members.chat_id = outboxes.chat_id").
		Where("outboxes.event_id = ? AND outboxes.status = ? AND outboxes.telegram_message_id > 0 AND outboxes.kind IN ?",
			e.ID, outbox.Sent, kinds)
	if e.RRule != "" {
		q = q.Where("outboxes.occurrence > ?", now.UTC())
	}
	var rows []struct {
		MemberID          uint
		TelegramMessageID int64
		Occurrence        *time.Time
	}
	if err := q.Order("outboxes.member_id, outboxes.telegram_message_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []sentCopy
	for _, r := range rows {
		c := sentCopy{Copy: planner.Copy{MemberID: r.MemberID, MessageID: r.TelegramMessageID}}
		if r.Occurrence != nil {
			c.Occurrence = r.Occurrence.UTC()
		}
		if n := len(out); n > 0 && out[n-1].Copy == c.Copy {
			continue // an edit of a message is the same message
		}
		out = append(out, c)
	}
	return out, nil
}

// editCopies enqueues an edit in place (made by edit) of every copy of the
// event's messages members were sent, as the event is now, and withdraws
// edits still waiting from an earlier change. Of the copies of one
// occurrence a member who has not answered it was sent, the newest is sent
// anew when it can no longer be edited (notify): they get no notice of
// their own. Those who answered get one (yes, maybe) or are not disturbed
// (no): their copies are only edited. edit is given the member's answer to
// the occurrence (nil: none) and its place on the waiting list. It returns
// how many edits.
func editCopies(tx *gorm.DB, e *models.Event, now time.Time, edit func(c sentCopy, occ time.Time, r *models.RSVP, position int, notify bool) planner.Message) (int, error) {
	if err := withdraw(tx, "event_id = ? AND kind = ?", e.ID, string(outbox.KindEventEdit)); err != nil {
		return 0, err
	}
	copies, err := copiesOf(tx, e, now)
	if err != nil || len(copies) == 0 {
		return 0, err
	}
	type key struct {
		member uint
		occ    int64
	}
	occOf := func(c sentCopy) time.Time {
		if e.RRule == "" {
			return e.StartAt.UTC() // where a one-off event is now
		}
		return c.Occurrence
	}
	newest := map[key]int64{}
	seen := map[int64]bool{}
	var occs []time.Time
	for _, c := range copies {
		occ := occOf(c)
		if !seen[occ.Unix()] {
			seen[occ.Unix()] = true
			occs = append(occs, occ)
		}
		k := key{c.MemberID, occ.Unix()}
		newest[k] = max(newest[k], c.MessageID)
	}
	var rsvps []models.RSVP
	if err := tx.Where("event_id = ? AND occurrence IN ?", e.ID, occs).Find(&rsvps).Error; err != nil {
		return 0, err
	}
	answers := map[key]*models.RSVP{}
	positions := map[key]int{}
	for i := range rsvps {
		r := &rsvps[i]
		k := key{r.MemberID, r.Occurrence.Unix()}
		answers[k] = r
		if r.Waitlisted {
			pos, err := waitPosition(tx, r)
			if err != nil {
				return 0, err
			}
			positions[k] = pos
		}
	}
	msgs := make([]planner.Message, 0, len(copies))
	for _, c := range copies {
		occ := occOf(c)
		k := key{c.MemberID, occ.Unix()}
		msgs = append(msgs, edit(c, occ, answers[k], positions[k], answers[k] == nil && newest[k] == c.MessageID))
	}
	return enqueue(tx, false, msgs...) // edits in place: Telegram only
}

// EventChange is an organizer's edit: any of a new start (one-off events),
// place or title.
type EventChange struct {
	StartAt  *time.Time
	Location *string
	Title    *string
}

// UpdateEvent applies a change at a new revision, rewrites the event's
// messages still waiting with the new details (failing those it cannot
// read), tells those who answered yes or maybe, with the old and new
// values, and edits every copy of its messages members were sent
// (announcements, reminders …) to show the change (editCopies). Answers
// move with a one-off event's new time.
func (s *Store) UpdateEvent(ctx context.Context, id uint, ch EventChange, loc *time.Location, now time.Time) (*models.Event, EventNotices, error) {
	var e models.Event
	var n EventNotices
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&e, id).Error; err != nil {
			return notFound(err)
		}
		if e.Status != models.EventScheduled {
			return models.ErrEventClosed
		}
		before := e
		if ch.StartAt != nil {
			if e.RRule != "" {
				return ErrRecurringTime
			}
			e.StartAt = ch.StartAt.UTC()
		}
		if ch.Location != nil {
			e.Location = *ch.Location
		}
		if ch.Title != nil {
			e.Title = *ch.Title
		}
		if e.StartAt.Equal(before.StartAt) && e.Location == before.Location && e.Title == before.Title {
			return nil
		}
		e.RSVPDeadline = nil // checked when it was made; a moved event keeps it
		if err := e.Validate(loc, now); err != nil {
			return err
		}
		e.RSVPDeadline = before.RSVPDeadline
		e.Revision = before.Revision + 1
		if err := tx.Model(&models.Event{}).Where("id = ?", e.ID).Updates(map[string]any{
			"start_at": e.StartAt, "last_start_at": e.LastStartAt, "location": e.Location, "title": e.Title, "revision": e.Revision,
		}).Error; err != nil {
			return err
		}
		moved := !e.StartAt.Equal(before.StartAt)
		if moved {
			if err := tx.Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ?", e.ID, before.StartAt.UTC()).
				Update("occurrence", e.StartAt).Error; err != nil {
				return err
			}
		}
		if moved {
			// Reminders and nudges were timed for the old start: withdrawn,
			// and the planner times them again for the new one.
			if err := withdraw(tx, "event_id = ? AND kind IN ?", e.ID,
				[]string{string(outbox.KindEventReminder), string(outbox.KindEventDeadline), string(outbox.KindEventNudge)}); err != nil {
				return err
			}
		}
		// Edits of an earlier change still waiting give way to this one's.
		var err error
		if n.Copies, err = editCopies(tx, &e, now, func(c sentCopy, occ time.Time, r *models.RSVP, position int, notify bool) planner.Message {
			oldOcc := occ
			if e.RRule == "" {
				oldOcc = before.StartAt
			}
			return planner.CopyEdit(&before, &e, occ, oldOcc, c.Copy, r, position, notify, now)
		}); err != nil {
			return err
		}
		if n.Failed, err = rewritePending(tx, &before, &e); err != nil {
			return err
		}
		occs, err := answeredOccurrences(tx, e.ID, now)
		if err != nil {
			return err
		}
		for _, occ := range occs {
			oldOcc := occ
			if moved {
				oldOcc = before.StartAt
			}
			added, err := enqueue(tx, s.sms, planner.Change(&before, &e, occ, oldOcc, now))
			if err != nil {
				return err
			}
			n.Told += added
		}
		return nil
	})
	if err != nil {
		if isRuleErr(err) || errors.Is(err, models.ErrEventPast) {
			return nil, EventNotices{}, err
		}
		return nil, EventNotices{}, fmt.Errorf("store: update event: %w", err)
	}
	return &e, n, nil
}

// rewritePending gives the event's messages still waiting (announcements
// and reminders held by quiet hours or retries) its new details, so that
// none goes out with the old time, place or title: their occurrence is a
// column, and the planner writes their arguments and buttons again. A row
// whose arguments or buttons do not decode cannot be rewritten: it fails
// (bad_request, saying why) rather than going out with the old details,
// and its id is returned for the caller to log.
func rewritePending(tx *gorm.DB, before, after *models.Event) ([]uint64, error) {
	var rows []outbox.Row
	// Not the notices of changes, nor the edits of copies: each is made for
	// its change.
	if err := tx.Where("event_id = ? AND status = ? AND kind NOT IN ?", after.ID, outbox.Pending,
		[]string{string(outbox.KindEventChanged), string(outbox.KindEventEdit)}).Find(&rows).Error; err != nil {
		return nil, err
	}
	var failed []uint64
	fail := func(o outbox.Row, what string, err error) error {
		failed = append(failed, o.ID)
		return tx.Model(&outbox.Row{}).Where("id = ?", o.ID).Updates(map[string]any{
			"status": outbox.Failed, "reason": outbox.ReasonBadRequest,
			"last_error": truncateText(fmt.Sprintf("its event changed and its stored %s do not decode: %v", what, err), 500),
		}).Error
	}
	for _, o := range rows {
		if o.Occurrence == nil {
			continue
		}
		occ := *o.Occurrence
		if after.RRule == "" && occ.Equal(before.StartAt.UTC()) {
			occ = after.StartAt.UTC() // a one-off event moved
		}
		args, err := planner.DecodeArgs(o.Args)
		if err != nil {
			if err := fail(o, "arguments", err); err != nil {
				return nil, err
			}
			continue
		}
		fresh := planner.EventArgs(after, occ)
		for k, v := range fresh.Strings {
			args.Str(k, v)
		}
		for k, v := range fresh.Times {
			args.Time(k, v)
		}
		updates := map[string]any{"args": args.Encode(), "occurrence": occ}
		if o.Markup != "" {
			m, err := planner.DecodeMarkup(o.Markup)
			if err != nil {
				if err := fail(o, "buttons", err); err != nil {
					return nil, err
				}
				continue
			}
			if len(m.Inline) > 0 {
				m.Inline = planner.RSVPButtons(after, occ)
				updates["markup"] = m.Encode()
			}
		}
		if o.ExpiresAt != nil && o.ExpiresAt.Equal(before.StartAt.UTC()) {
			updates["expires_at"] = occ
		}
		if err := tx.Model(&outbox.Row{}).Where("id = ?", o.ID).Updates(updates).Error; err != nil {
			return nil, err
		}
	}
	return failed, nil
}

// Attendee is a member's answer with their name, for organizers.
type Attendee struct {
	Name string
	models.RSVP
}

// Attendees lists an occurrence's answers with names, by answer then time.
func (s *Store) Attendees(ctx context.Context, eventID uint, occ time.Time) ([]Attendee, error) {
	var out []Attendee
	err := s.db.WithContext(ctx).Table("rsvps").Select("members.name AS name, rsvps.*").
		Joins("JOIN members ON members.id = rsvps.member_id").
		Where("rsvps.event_id = ? AND rsvps.occurrence = ?", eventID, occ.UTC()).
		Order("rsvps.answer, rsvps.waitlisted, rsvps.updated_at").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: attendees: %w", err)
	}
	return out, nil
}

// Unanswered lists the members of the event's audience who have not left
// and have not answered the occurrence (linked to Telegram or not), by
// name, at most limit, and how many there are in all.
func (s *Store) Unanswered(ctx context.Context, e *models.Event, occ time.Time, limit int) ([]models.Member, int, error) {
	a, err := models.ParseAudience(e.Audience)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unanswered: %w", err)
	}
	db := s.db.WithContext(ctx)
	q, err := inAudience(db, db.Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft), a)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unanswered: %w", err)
	}
	q = q.Where("members.id NOT IN (?)", db.Model(&models.RSVP{}).Select("member_id").Where("event_id = ? AND occurrence = ?", e.ID, occ.UTC()))
	var n int64
	if err := q.Session(&gorm.Session{}).Count(&n).Error; err != nil {
		return nil, 0, fmt.Errorf("store: unanswered: %w", err)
	}
	var ms []models.Member
	if err := q.Preload("Branch").Order("members.name, members.id").Limit(limit).Find(&ms).Error; err != nil {
		return nil, 0, fmt.Errorf("store: unanswered: %w", err)
	}
	return ms, int(n), nil
}

// CanManage reports whether the organizer manages the event: reaches its
// audience (models.Scope.CanReach, with what a members audience needs).
func (s *Store) CanManage(ctx context.Context, org *models.Member, e *models.Event) (bool, error) {
	a, err := models.ParseAudience(e.Audience)
	if err != nil {
		return false, nil
	}
	return s.CanReach(ctx, org, a)
}

// SetCheckIn records whether a member came to an occurrence, under the rule
// of models.Event.MayCheckIn for the organizer org. Checking in someone
// without an answer records a yes for them (an organizer answering on
// behalf of a member without Telegram).
func (s *Store) SetCheckIn(ctx context.Context, eventID uint, occ time.Time, memberID uint, in bool, org *models.Member, loc *time.Location, now time.Time) error {
	occ = occ.UTC()
	m, err := s.MemberByID(ctx, memberID)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e models.Event
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&e, eventID).Error; err != nil {
			return notFound(err)
		}
		manages, err := s.CanManage(ctx, org, &e)
		if err != nil {
			return err
		}
		if err := e.MayCheckIn(manages, m, occ, loc, now); err != nil {
			return err
		}
		res := tx.Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ? AND member_id = ?", eventID, occ, memberID).
			Updates(map[string]any{"checked_in": in})
		if res.Error != nil || res.RowsAffected > 0 || !in {
			return res.Error
		}
		return tx.Create(&models.RSVP{EventID: eventID, Occurrence: occ, MemberID: memberID, Answer: models.AnswerYes,
			CheckedIn: true, UpdatedAt: now.UTC()}).Error
	})
	if err != nil {
		if isRuleErr(err) {
			return err
		}
		return fmt.Errorf("store: check in: %w", err)
	}
	return nil
}

// CheckedIn lists the members checked in for an occurrence.
func (s *Store) CheckedIn(ctx context.Context, eventID uint, occ time.Time) (map[uint]bool, error) {
	var ids []uint
	if err := s.db.WithContext(ctx).Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ? AND checked_in = ?", eventID, occ.UTC(), true).
		Pluck("member_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: checked in: %w", err)
	}
	out := map[uint]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// EventAnswers lists every answer to an event, each occurrence, with the
// member's name and phone, for an export.
func (s *Store) EventAnswers(ctx context.Context, eventID uint) ([]roster.AnswerRow, error) {
	var out []roster.AnswerRow
	err := s.db.WithContext(ctx).Table("rsvps").Select("members.name AS name, COALESCE(members.phone, '') AS phone, rsvps.*").
		Joins("JOIN members ON members.id = rsvps.member_id").Where("rsvps.event_id = ?", eventID).
		Order("rsvps.occurrence, rsvps.answer, members.name").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: event answers: %w", err)
	}
	return out, nil
}

// RecentPlaces are the places of the organizer's latest events, most
// recent first, each once, at most limit.
func (s *Store) RecentPlaces(ctx context.Context, organizerID uint, limit int) ([]string, error) {
	var places []string
	if err := s.db.WithContext(ctx).Model(&models.Event{}).Where("created_by = ? AND location <> ''", organizerID).
		Order("id DESC").Limit(50).Pluck("location", &places).Error; err != nil {
		return nil, fmt.Errorf("store: recent places: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range places {
		if !seen[p] && len(out) < limit {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}
