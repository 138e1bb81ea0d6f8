package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
)

// Errors of answering an event.
var (
	ErrEventClosed    = errors.New("store: the event is cancelled or takes no answers")
	ErrEventStarted   = errors.New("store: the occurrence has started")
	ErrDeadlinePassed = errors.New("store: the answer deadline has passed")
	ErrNotInAudience  = errors.New("store: the member is not in the event's audience")
	ErrBadOccurrence  = errors.New("store: no such occurrence")
	ErrNoRoomForGuest = errors.New("store: no place left for another guest")
)

// InAudience reports whether m (with its branch and tags loaded) is in a.
func InAudience(a Audience, m *models.Member) bool {
	switch a.Kind {
	case "all":
		return true
	case "branch":
		return m.Branch != nil && (m.Branch.Path == a.Branch || strings.HasPrefix(m.Branch.Path, a.Branch+"/"))
	case "tag":
		return slices.Contains(m.TagNames(), a.Tag)
	}
	return false
}

// RSVPButtons are the buttons of an occurrence: Going / Maybe / Can't go
// (and +1 when guests are allowed) when it takes answers, and Add to
// calendar. Callback data: rv:<event>:<unix minute>:<y|m|n|g>, ic:<event>.
func RSVPButtons(e *models.Event, occ time.Time) string {
	var rows [][]models.ButtonSpec
	if e.RSVP {
		data := func(a string) string { return fmt.Sprintf("rv:%d:%d:%s", e.ID, occ.Unix()/60, a) }
		rows = append(rows, []models.ButtonSpec{{Key: "rsvp.button.yes", Data: data("y")}, {Key: "rsvp.button.maybe", Data: data("m")}, {Key: "rsvp.button.no", Data: data("n")}})
		if e.AllowGuests {
			rows = append(rows, []models.ButtonSpec{{Key: "rsvp.button.guest", Data: data("g")}})
		}
	}
	rows = append(rows, []models.ButtonSpec{{Key: "rsvp.button.calendar", Data: fmt.Sprintf("ic:%d", e.ID)}})
	return encodeJSON(rows)
}

// EventArgs are the template arguments describing one occurrence; StartAt
// is rendered at send time in the reader's language and zone.
func EventArgs(e *models.Event, occ time.Time) map[string]any {
	return map[string]any{"EventID": e.ID, "Title": e.Title, "Location": e.Location, "Kind": string(e.Kind),
		"StartAt": occ.UTC().Format(time.RFC3339)}
}

// CreateEvent saves an event and, in the same transaction, enqueues its
// announcement (with RSVP buttons) to everyone in its audience for the next
// occurrence. It returns how many were enqueued.
func (s *Store) CreateEvent(ctx context.Context, e *models.Event, loc *time.Location, now time.Time) (int, error) {
	aud, err := ParseAudience(e.Audience)
	if err != nil {
		return 0, err
	}
	if !e.Kind.Valid() {
		return 0, fmt.Errorf("store: create event: unknown kind %q", e.Kind)
	}
	if err := models.ParseRRule(e.RRule); err != nil {
		return 0, fmt.Errorf("store: create event: %w", err)
	}
	e.StartAt = e.StartAt.UTC()
	if e.Status == "" {
		e.Status = models.EventScheduled
	}
	n := 0
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if aud.Kind == "branch" {
			var c int64
			if err := tx.Model(&models.Branch{}).Where("path = ?", aud.Branch).Count(&c).Error; err != nil {
				return err
			}
			if c == 0 {
				return fmt.Errorf("%w: no branch %q", ErrNotFound, aud.Branch)
			}
		}
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		occ, ok := e.NextOccurrence(loc, now)
		if !ok {
			return nil
		}
		var members []struct {
			ID     uint
			ChatID int64
		}
		if err := recipients(tx, aud, false).Select("members.id, members.chat_id").Order("members.id").Scan(&members).Error; err != nil {
			return err
		}
		args := encodeJSON(EventArgs(e, occ))
		markup := RSVPButtons(e, occ)
		expires := occ.UTC()
		rows := make([]models.Outbox, 0, len(members))
		for _, m := range members {
			id := m.ID
			rows = append(rows, models.Outbox{DedupeKey: fmt.Sprintf("event:%d:announce:%d", e.ID, m.ID), MemberID: &id,
				ChatID: m.ChatID, Kind: models.KindNotice, TemplateKey: "event.announce", Args: args, Markup: markup,
				NotBefore: now, ExpiresAt: &expires})
		}
		n, err = enqueue(tx, rows)
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

// ScheduledEvents lists events not cancelled, by start.
func (s *Store) ScheduledEvents(ctx context.Context) ([]models.Event, error) {
	var es []models.Event
	if err := s.db.WithContext(ctx).Where("status = ?", models.EventScheduled).Order("start_at, id").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("store: scheduled events: %w", err)
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
	Promoted []models.RSVP // members moved off the waitlist by this change
}

// SetRSVP records a member's answer for one occurrence, checking on the
// server that the event takes answers, the occurrence exists and has not
// started, the deadline has not passed and the member is in the audience.
// A yes beyond capacity goes to the waitlist; a freed place goes to the first
// waitlisted member whose party fits. guests < 0 keeps the current number.
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
		if e.Status != models.EventScheduled || !e.RSVP {
			return ErrEventClosed
		}
		aud, err := ParseAudience(e.Audience)
		if err != nil || !InAudience(aud, m) {
			return ErrNotInAudience
		}
		found, err := e.Occurrences(loc, occ, occ.Add(time.Second))
		if err != nil || len(found) == 0 || !found[0].Equal(occ) {
			return ErrBadOccurrence
		}
		if !occ.After(now) {
			return ErrEventStarted
		}
		if e.RSVPDeadline != nil && !now.Before(*e.RSVPDeadline) {
			return ErrDeadlinePassed
		}
		var prev *models.RSVP
		var p models.RSVP
		err = tx.Where("event_id = ? AND occurrence = ? AND member_id = ?", eventID, occ, m.ID).Take(&p).Error
		switch {
		case err == nil:
			prev = &p
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		if guests < 0 {
			guests = 0
			if prev != nil {
				guests = prev.Guests
			}
		}
		if !e.AllowGuests || ans != models.AnswerYes {
			guests = 0
		}
		if guests > 3 {
			guests = 3
		}
		if prev != nil && prev.Answer == ans && prev.Guests == guests {
			res.RSVP = *prev
			res.Position, err = waitPosition(tx, prev)
			return err
		}
		r := models.RSVP{EventID: eventID, Occurrence: occ, MemberID: m.ID, Answer: ans, Guests: guests, UpdatedAt: now.UTC()}
		if prev != nil {
			r.CheckedIn, r.Rating = prev.CheckedIn, prev.Rating
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
			res.Promoted, err = promote(tx, &e, occ)
		}
		return err
	})
	if err != nil {
		if isEventErr(err) {
			return nil, err
		}
		return nil, fmt.Errorf("store: set rsvp: %w", err)
	}
	return res, nil
}

func isEventErr(err error) bool {
	for _, e := range []error{ErrEventClosed, ErrEventStarted, ErrDeadlinePassed, ErrNotInAudience, ErrBadOccurrence, ErrNotFound, ErrNoRoomForGuest} {
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

// ReminderTargets are the linked, reachable members of an event's audience
// who have not given one of the skip answers for the occurrence (no, for
// reminders; yes and no, for the deadline nudge), with their chats.
func (s *Store) ReminderTargets(ctx context.Context, e *models.Event, occ time.Time, skip ...models.Answer) ([]ReminderTarget, error) {
	aud, err := ParseAudience(e.Audience)
	if err != nil {
		return nil, err
	}
	var out []ReminderTarget
	if len(skip) == 0 {
		skip = []models.Answer{models.AnswerNo}
	}
	no := s.db.Model(&models.RSVP{}).Select("member_id").
		Where("event_id = ? AND occurrence = ? AND answer IN ?", e.ID, occ.UTC(), skip)
	err = recipients(s.db.WithContext(ctx), aud, false).
		Where("members.id NOT IN (?)", no).
		Select("members.id AS member_id, members.chat_id AS chat_id").Order("members.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: reminder targets: %w", err)
	}
	return out, nil
}

// ReminderTarget is one member to remind.
type ReminderTarget struct {
	MemberID uint
	ChatID   int64
}

// ChangeNotice enqueues, in tx, a notice about an event to everyone who
// answered yes or maybe for occurrences from now on. Notices are urgent: a
// cancelled meeting tomorrow morning must not wait for the end of quiet hours.
func changeNotice(tx *gorm.DB, e *models.Event, key string, extra map[string]any, tag string, now time.Time) (int, error) {
	var rsvps []models.RSVP
	if err := tx.Where("event_id = ? AND occurrence > ? AND answer IN ?", e.ID, now.UTC(),
		[]models.Answer{models.AnswerYes, models.AnswerMaybe}).Find(&rsvps).Error; err != nil {
		return 0, err
	}
	if len(rsvps) == 0 {
		return 0, nil
	}
	var ids []uint
	for _, r := range rsvps {
		ids = append(ids, r.MemberID)
	}
	var members []models.Member
	if err := tx.Where("id IN ? AND chat_id IS NOT NULL", ids).Find(&members).Error; err != nil {
		return 0, err
	}
	chats := map[uint]int64{}
	for _, m := range members {
		chats[m.ID] = *m.ChatID
	}
	var rows []models.Outbox
	for _, r := range rsvps {
		chat, ok := chats[r.MemberID]
		if !ok {
			continue
		}
		args := EventArgs(e, r.Occurrence)
		for k, v := range extra {
			args[k] = v
		}
		id := r.MemberID
		rows = append(rows, models.Outbox{DedupeKey: fmt.Sprintf("event:%d:%d:%s:%d", e.ID, r.Occurrence.Unix()/60, tag, r.MemberID),
			MemberID: &id, ChatID: chat, Kind: models.KindNotice, TemplateKey: key, Args: encodeJSON(args),
			NotBefore: now, Urgent: true})
	}
	return enqueue(tx, rows)
}

// CancelEvent cancels an event (every coming occurrence) and tells those who
// answered yes or maybe. It returns how many were told.
func (s *Store) CancelEvent(ctx context.Context, id uint, now time.Time) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e models.Event
		if err := tx.Take(&e, id).Error; err != nil {
			return notFound(err)
		}
		if e.Status == models.EventCancelled {
			return ErrEventClosed
		}
		if err := tx.Model(&e).Update("status", models.EventCancelled).Error; err != nil {
			return err
		}
		// Announcements and reminders still waiting (quiet hours, retries)
		// must not go out after the cancellation.
		if err := tx.Model(&models.Outbox{}).
			Where("dedupe_key LIKE ? AND status = ?", fmt.Sprintf("event:%d:%%", e.ID), models.OutboxPending).
			Updates(map[string]any{"status": models.OutboxSkipped, "last_error": "event cancelled"}).Error; err != nil {
			return err
		}
		var err error
		n, err = changeNotice(tx, &e, "event.cancelled", nil, fmt.Sprintf("cancel%d", now.Unix()), now)
		return err
	})
	if err != nil {
		if isEventErr(err) {
			return 0, err
		}
		return 0, fmt.Errorf("store: cancel event: %w", err)
	}
	return n, nil
}

// EventChange is an organizer's edit: any of a new start (one-off events),
// place or title.
type EventChange struct {
	StartAt  *time.Time
	Location *string
	Title    *string
}

// ErrRecurringTime refuses moving a recurring series (its answers belong to
// occurrences); cancel it and create it again instead.
var ErrRecurringTime = errors.New("store: the time of a recurring event cannot be changed")

// UpdateEvent applies a change and tells those who answered yes or maybe,
// with the old and new values. Answers move with a one-off event's new time.
func (s *Store) UpdateEvent(ctx context.Context, id uint, ch EventChange, now time.Time) (*models.Event, int, error) {
	var e models.Event
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&e, id).Error; err != nil {
			return notFound(err)
		}
		if e.Status != models.EventScheduled {
			return ErrEventClosed
		}
		before := e
		updates := map[string]any{}
		if ch.StartAt != nil {
			if e.RRule != "" {
				return ErrRecurringTime
			}
			if !ch.StartAt.After(now) {
				return ErrEventStarted
			}
			updates["start_at"] = ch.StartAt.UTC()
			if err := tx.Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ?", e.ID, e.StartAt.UTC()).
				Update("occurrence", ch.StartAt.UTC()).Error; err != nil {
				return err
			}
			e.StartAt = ch.StartAt.UTC()
		}
		if ch.Location != nil {
			updates["location"] = *ch.Location
			e.Location = *ch.Location
		}
		if ch.Title != nil {
			updates["title"] = *ch.Title
			e.Title = *ch.Title
		}
		if len(updates) == 0 {
			return nil
		}
		if err := tx.Model(&models.Event{}).Where("id = ?", e.ID).Updates(updates).Error; err != nil {
			return err
		}
		if err := refreshPending(tx, &before, &e); err != nil {
			return err
		}
		extra := map[string]any{"OldTitle": before.Title, "OldLocation": before.Location,
			"OldStartAt": before.StartAt.UTC().Format(time.RFC3339)}
		var err error
		n, err = changeNotice(tx, &e, "event.changed", extra, fmt.Sprintf("change%d", now.UnixNano()), now)
		return err
	})
	if err != nil {
		if isEventErr(err) || errors.Is(err, ErrRecurringTime) {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("store: update event: %w", err)
	}
	return &e, n, nil
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

// Nudge enqueues a reminder to the audience members who have not answered
// the occurrence; once per member and day. It returns how many.
func (s *Store) Nudge(ctx context.Context, e *models.Event, occ time.Time, now time.Time) (int, error) {
	aud, err := ParseAudience(e.Audience)
	if err != nil {
		return 0, err
	}
	var targets []ReminderTarget
	answered := s.db.Model(&models.RSVP{}).Select("member_id").Where("event_id = ? AND occurrence = ?", e.ID, occ.UTC())
	if err := recipients(s.db.WithContext(ctx), aud, false).Where("members.id NOT IN (?)", answered).
		Select("members.id AS member_id, members.chat_id AS chat_id").Scan(&targets).Error; err != nil {
		return 0, fmt.Errorf("store: nudge: %w", err)
	}
	args := encodeJSON(EventArgs(e, occ))
	markup := RSVPButtons(e, occ)
	expires := occ.UTC()
	day := now.UTC().Format("20060102")
	rows := make([]models.Outbox, 0, len(targets))
	for _, t := range targets {
		id := t.MemberID
		rows = append(rows, models.Outbox{DedupeKey: fmt.Sprintf("event:%d:%d:nudge%s:%d", e.ID, occ.Unix()/60, day, t.MemberID),
			MemberID: &id, ChatID: t.ChatID, Kind: models.KindReminder, TemplateKey: "event.nudge", Args: args, Markup: markup,
			NotBefore: now, ExpiresAt: &expires})
	}
	return s.Enqueue(ctx, rows)
}

// AudienceMembers lists an audience's members who have not left, linked to
// Telegram or not (organizers check in and answer for those without), by
// name, at most limit.
func (s *Store) AudienceMembers(ctx context.Context, a Audience, limit int) ([]models.Member, error) {
	q := s.db.WithContext(ctx).Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft)
	switch a.Kind {
	case "branch":
		q = q.Where("members.branch_id IN (?)", s.db.Model(&models.Branch{}).Select("id").
			Where("path = ? OR path LIKE ? ESCAPE '\\'", a.Branch, escapeLike(a.Branch)+"/%"))
	case "tag":
		q = q.Where("members.id IN (?)", s.db.Model(&models.MemberTag{}).Select("member_id").Where("tag = ?", a.Tag))
	}
	var ms []models.Member
	if err := q.Order("members.name, members.id").Limit(limit).Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("store: audience members: %w", err)
	}
	return ms, nil
}

// SetCheckIn records whether a member came to an occurrence. Checking in
// someone without an answer records a yes for them (an organizer answering
// on behalf of a member without Telegram).
func (s *Store) SetCheckIn(ctx context.Context, eventID uint, occ time.Time, memberID uint, in bool, now time.Time) error {
	occ = occ.UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ? AND member_id = ?", eventID, occ, memberID).
			Updates(map[string]any{"checked_in": in})
		if res.Error != nil || res.RowsAffected > 0 || !in {
			return res.Error
		}
		return tx.Create(&models.RSVP{EventID: eventID, Occurrence: occ, MemberID: memberID, Answer: models.AnswerYes,
			CheckedIn: true, UpdatedAt: now.UTC()}).Error
	})
	if err != nil {
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

// SetRating records a 1–5 rating from someone who came (checked in, or
// answered yes when nobody was checked in). It reports false, changing
// nothing, for anyone else.
func (s *Store) SetRating(ctx context.Context, eventID uint, occ time.Time, memberID uint, rating int) (bool, error) {
	if rating < 1 || rating > 5 {
		return false, nil
	}
	res := s.db.WithContext(ctx).Model(&models.RSVP{}).
		Where("event_id = ? AND occurrence = ? AND member_id = ? AND (checked_in = ? OR (answer = ? AND waitlisted = ?))",
			eventID, occ.UTC(), memberID, true, models.AnswerYes, false).
		Update("rating", rating)
	if res.Error != nil {
		return false, fmt.Errorf("store: set rating: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Attended lists who came to an occurrence: those checked in, or, when
// nobody was checked in, those who answered yes.
func (s *Store) Attended(ctx context.Context, eventID uint, occ time.Time) ([]ReminderTarget, error) {
	var out []ReminderTarget
	base := func() *gorm.DB {
		return s.db.WithContext(ctx).Table("rsvps").Select("rsvps.member_id AS member_id, members.chat_id AS chat_id").
			Joins("JOIN members ON members.id = rsvps.member_id").
			Where("rsvps.event_id = ? AND rsvps.occurrence = ? AND members.chat_id IS NOT NULL AND members.status IN ?", eventID, occ.UTC(),
				[]models.Status{models.StatusActive, models.StatusMuted})
	}
	if err := base().Where("rsvps.checked_in = ?", true).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: attended: %w", err)
	}
	if len(out) > 0 {
		return out, nil
	}
	if err := base().Where("rsvps.answer = ? AND rsvps.waitlisted = ?", models.AnswerYes, false).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: attended: %w", err)
	}
	return out, nil
}

// refreshPending rewrites the event's messages still waiting to be sent
// (announcements and reminders held by quiet hours or retries) with its new
// details, so none goes out with the old time, place or title.
func refreshPending(tx *gorm.DB, before, after *models.Event) error {
	var rows []models.Outbox
	if err := tx.Where("dedupe_key LIKE ? AND status = ? AND template_key <> ?", fmt.Sprintf("event:%d:%%", after.ID),
		models.OutboxPending, "event.changed").Find(&rows).Error; err != nil {
		return err
	}
	for _, o := range rows {
		var args map[string]any
		if err := json.Unmarshal([]byte(o.Args), &args); err != nil {
			continue
		}
		occ, err := time.Parse(time.RFC3339, fmt.Sprint(args["StartAt"]))
		if err != nil {
			continue
		}
		if after.RRule == "" && occ.Equal(before.StartAt.UTC()) {
			occ = after.StartAt // a one-off event moved
		}
		for k, v := range EventArgs(after, occ) {
			args[k] = v
		}
		updates := map[string]any{"args": encodeJSON(args)}
		if o.Markup != "" {
			updates["markup"] = RSVPButtons(after, occ)
		}
		if o.ExpiresAt != nil && o.ExpiresAt.Equal(before.StartAt.UTC()) {
			updates["expires_at"] = occ.UTC()
		}
		if err := tx.Model(&models.Outbox{}).Where("id = ?", o.ID).Updates(updates).Error; err != nil {
			return err
		}
	}
	return nil
}
