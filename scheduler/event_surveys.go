package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// EventSurveys opens, the day after an occurrence ended, its one-question
// satisfaction survey to those who came (SPEC C4, C13; planner.DayAfter,
// planner.EventSurvey). Run hourly; the store opens each occurrence's once.
type EventSurveys struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (EventSurveys) Name() string { return "event_surveys" }

// Run opens the surveys that fell due.
func (j EventSurveys) Run(ctx context.Context, now time.Time) (Counts, error) {
	from, to := planner.RatingWindow(now)
	events, err := j.Store.EventsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	held := planner.DayAfter(events, j.Location, now)
	counts := Counts{"occurrences": len(held)}
	// One occurrence that fails (a closed survey window, a database
	// hiccup) does not keep the others' from opening; the next run retries.
	var errs []error
	for _, h := range held {
		n, err := j.Store.OpenEventSurvey(ctx, planner.EventSurvey(h.Event, h.Occurrence), now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		counts["asked"] += n
	}
	return counts, errors.Join(errs...)
}

// Forecast asks at the first hourly run in the window of each occurrence
// whose survey is not open yet.
func (j EventSurveys) Forecast(ctx context.Context, f *Forecast) error {
	from, _ := planner.RatingWindow(f.Now)
	past, err := j.Store.EventsBetween(ctx, from, f.Until)
	if err != nil {
		return err
	}
	type occurrence struct {
		event uint
		at    time.Time
	}
	seen := map[occurrence]bool{}
	for _, t := range f.Runs() {
		for _, h := range planner.DayAfter(past, j.Location, t) {
			key := occurrence{h.Event.ID, h.Occurrence.UTC()}
			if seen[key] {
				continue
			}
			seen[key] = true
			switch _, err := j.Store.EventSurvey(ctx, h.Event.ID, h.Occurrence); {
			case err == nil:
				continue // opened already: its questions wait in the outbox
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			f.Add(t, planner.EventSurveyAsk(h.Event, h.Occurrence, t))
		}
	}
	return nil
}
