package scheduler

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// EventReminders enqueues, every minute, the event reminders that fell due
// since its last run (planner.EventReminders: each kind's offsets, one
// catch-up after downtime, never to a no) and the deadline nudges
// (planner.DeadlineNudges). It reads only the events with an occurrence in
// the coming reminder window or a deadline in the coming day, so its work
// grows with what is due, not with the roster or the past. Dedupe keys make
// any number of runs, on any number of replicas, enqueue each reminder once.
type EventReminders struct {
	Store    *store.Store
	Location *time.Location
	Offsets  planner.Offsets // nil: the kinds' defaults

	mu    sync.Mutex
	since time.Time // the last run's now
}

// Name is the job's name in logs.
func (*EventReminders) Name() string { return "event_reminders" }

// Run enqueues the reminders due in (last run, now].
func (j *EventReminders) Run(ctx context.Context, now time.Time) (Counts, error) {
	j.mu.Lock()
	since := j.since
	j.mu.Unlock()
	events, err := j.Store.EventsBetween(ctx, now, now.Add(j.Offsets.Longest()+time.Nanosecond))
	if err != nil {
		return nil, err
	}
	counts := Counts{"events": len(events), "due": 0, "enqueued": 0, "deadline": 0}
	due := planner.EventReminders(events, j.Offsets, j.Location, since, now)
	counts["due"] = len(due)
	// One transaction for the tick's reminders.
	if counts["enqueued"], err = j.Store.Enqueue(ctx, due...); err != nil {
		return counts, err
	}
	withDeadline, err := j.Store.EventsWithDeadline(ctx, now, now.Add(planner.DeadlineLead))
	if err != nil {
		return counts, err
	}
	if counts["deadline"], err = j.Store.Enqueue(ctx, planner.DeadlineNudges(withDeadline, since, now)...); err != nil {
		return counts, err
	}
	j.mu.Lock()
	j.since = now
	j.mu.Unlock()
	return counts, nil
}

// Forecast runs the job at each minute in the window when a reminder or a
// nudge falls due (as the every-minute runs would find them).
func (j *EventReminders) Forecast(ctx context.Context, f *Forecast) error {
	longest := j.Offsets.Longest()
	events, err := j.Store.EventsBetween(ctx, f.Now, f.Until.Add(longest+time.Nanosecond))
	if err != nil {
		return err
	}
	withDeadline, err := j.Store.EventsWithDeadline(ctx, f.Now, f.Until.Add(planner.DeadlineLead))
	if err != nil {
		return err
	}
	moments := map[time.Time]bool{}
	for i := range events {
		e := &events[i]
		occs, err := e.Occurrences(j.Location, f.Now.Add(time.Nanosecond), f.Until.Add(longest+time.Nanosecond))
		if err != nil {
			continue
		}
		for _, occ := range occs {
			for _, off := range j.Offsets.For(e.Kind) {
				if fire := occ.Add(-off); fire.After(f.Now) && !fire.After(f.Until) {
					moments[minuteOf(fire)] = true
				}
			}
		}
	}
	for _, e := range withDeadline {
		if e.RSVPDeadline == nil {
			continue
		}
		if fire := e.RSVPDeadline.Add(-planner.DeadlineLead); fire.After(f.Now) && !fire.After(f.Until) {
			moments[minuteOf(fire)] = true
		}
	}
	times := make([]time.Time, 0, len(moments))
	for t := range moments {
		times = append(times, t)
	}
	slices.SortFunc(times, time.Time.Compare)
	since := f.Now
	for _, t := range times {
		f.Add(t, planner.EventReminders(events, j.Offsets, j.Location, since, t)...)
		f.Add(t, planner.DeadlineNudges(withDeadline, since, t)...)
		since = t
	}
	return nil
}
