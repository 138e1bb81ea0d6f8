package scheduler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// EventReminders enqueues event reminders at each kind's offsets before every
// occurrence, with the RSVP buttons, to the audience except those who said
// no (SPEC C7). Each run handles the reminders that fell due since the last
// run, so its work grows with what is due, not with the roster; the first run
// after a start looks back over the longest offset and catches up whatever
// fell due while the service was down, if the occurrence has not started
// (the rows expire at the start, so a late one is marked stale, never sent).
// The dedupe key (event, occurrence, offset, member) makes any number of runs,
// on any number of replicas, enqueue each reminder once.
type EventReminders struct {
	Store    *store.Store
	Location *time.Location
	// Offsets overrides the kinds' defaults (models.EventKind.ReminderOffsets).
	Offsets map[models.EventKind][]time.Duration

	mu    sync.Mutex
	since time.Time // the last run's now
}

// Name is the job's name in logs.
func (*EventReminders) Name() string { return "event_reminders" }

func (j *EventReminders) offsets(k models.EventKind) []time.Duration {
	if o, ok := j.Offsets[k]; ok {
		return o
	}
	return k.ReminderOffsets()
}

// Run enqueues the reminders due in (last run, now].
func (j *EventReminders) Run(ctx context.Context, now time.Time) (Counts, error) {
	j.mu.Lock()
	since := j.since
	j.mu.Unlock()
	events, err := j.Store.ScheduledEvents(ctx)
	if err != nil {
		return nil, err
	}
	counts := Counts{"due": 0, "enqueued": 0}
	for i := range events {
		e := &events[i]
		n, err := j.deadlineNudge(ctx, e, since, now)
		if err != nil {
			return counts, err
		}
		counts["deadline"] += n
		offs := j.offsets(e.Kind)
		var longest time.Duration
		for _, o := range offs {
			longest = max(longest, o)
		}
		// Occurrences that have not started and whose earliest reminder
		// may be due by now.
		occs, err := e.Occurrences(j.Location, now.Add(time.Nanosecond), now.Add(longest+time.Nanosecond))
		if err != nil {
			continue
		}
		for _, occ := range occs {
			// Of the offsets due in the window, only the latest: after
			// downtime a member gets one reminder, not the 3-day and the
			// 1-day one at once.
			var due time.Duration = -1
			for _, off := range offs {
				fire := occ.Add(-off)
				if fire.After(now) || (!since.IsZero() && !fire.After(since)) {
					continue
				}
				if due < 0 || off < due {
					due = off
				}
			}
			if due < 0 {
				continue
			}
			counts["due"]++
			n, err := j.enqueue(ctx, e, occ, due, occ.Add(-due))
			if err != nil {
				return counts, err
			}
			counts["enqueued"] += n
		}
	}
	j.mu.Lock()
	j.since = now
	j.mu.Unlock()
	return counts, nil
}

func (j *EventReminders) enqueue(ctx context.Context, e *models.Event, occ time.Time, off time.Duration, fire time.Time) (int, error) {
	targets, err := j.Store.ReminderTargets(ctx, e, occ)
	if err != nil || len(targets) == 0 {
		return 0, err
	}
	encoded := models.EncodeArgs(store.EventArgs(e, occ))
	markup := store.RSVPButtons(e, occ)
	expires := occ.UTC()
	rows := make([]models.Outbox, 0, len(targets))
	for _, t := range targets {
		id := t.MemberID
		rows = append(rows, models.Outbox{
			DedupeKey: fmt.Sprintf("event:%d:%d:r%d:%d", e.ID, occ.Unix()/60, int(off.Minutes()), t.MemberID),
			MemberID:  &id, ChatID: t.ChatID, Kind: models.KindReminder, TemplateKey: "event.reminder",
			Args: encoded, Markup: markup, NotBefore: fire, ExpiresAt: &expires,
		})
	}
	return j.Store.Enqueue(ctx, rows)
}

// deadlineLead is how long before an answer deadline the undecided are asked.
const deadlineLead = 24 * time.Hour

// deadlineNudge asks those who answered maybe, or nothing, to decide a day
// before the answer deadline of a one-off event.
func (j *EventReminders) deadlineNudge(ctx context.Context, e *models.Event, since, now time.Time) (int, error) {
	if e.RSVPDeadline == nil || !e.RSVP || !e.RSVPDeadline.After(now) {
		return 0, nil
	}
	fire := e.RSVPDeadline.Add(-deadlineLead)
	if fire.After(now) || (!since.IsZero() && !fire.After(since)) {
		return 0, nil
	}
	occ := e.StartAt
	targets, err := j.Store.ReminderTargets(ctx, e, occ, models.AnswerYes, models.AnswerNo)
	if err != nil || len(targets) == 0 {
		return 0, err
	}
	args := store.EventArgs(e, occ)
	args["DeadlineAt"] = e.RSVPDeadline.UTC().Format(time.RFC3339)
	encoded := models.EncodeArgs(args)
	markup := store.RSVPButtons(e, occ)
	expires := e.RSVPDeadline.UTC()
	rows := make([]models.Outbox, 0, len(targets))
	for _, t := range targets {
		id := t.MemberID
		rows = append(rows, models.Outbox{DedupeKey: fmt.Sprintf("event:%d:%d:deadline:%d", e.ID, occ.Unix()/60, t.MemberID),
			MemberID: &id, ChatID: t.ChatID, Kind: models.KindReminder, TemplateKey: "event.deadline_nudge",
			Args: encoded, Markup: markup, NotBefore: fire, ExpiresAt: &expires})
	}
	return j.Store.Enqueue(ctx, rows)
}
