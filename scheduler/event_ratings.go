package scheduler

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// EventRatings asks those who came to an occurrence, the day after it
// ended, for a 1–5 rating (SPEC C4; planner.Ratings). Run hourly; the dedupe
// key asks each member once.
type EventRatings struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (EventRatings) Name() string { return "event_ratings" }

// Run enqueues the rating questions.
func (j EventRatings) Run(ctx context.Context, now time.Time) (Counts, error) {
	from, to := planner.RatingWindow(now)
	events, err := j.Store.EventsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	questions := planner.Ratings(events, j.Location, now)
	counts := Counts{"occurrences": len(questions)}
	if counts["enqueued"], err = j.Store.Enqueue(ctx, questions...); err != nil {
		return counts, err
	}
	return counts, nil
}

// Forecast asks at each hourly run in the window.
func (j EventRatings) Forecast(ctx context.Context, f *Forecast) error {
	from, _ := planner.RatingWindow(f.Now)
	past, err := j.Store.EventsBetween(ctx, from, f.Until)
	if err != nil {
		return err
	}
	for _, t := range f.Runs() {
		f.Add(t, planner.Ratings(past, j.Location, t)...)
	}
	return nil
}
