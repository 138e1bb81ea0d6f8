package scheduler

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// WeeklyDigest sends each organizer, on Monday from 09:00 in the
// association's zone, one message about their branches (planner.WeeklyDigest):
// the coming week's events with their answers, plans newly overdue, members
// who became unreachable, branches with no activity yet this quarter, and
// their own open duties. Run hourly on Mondays from 09:00: the week's dedupe
// key sends one, and a run missed while the bot was down is made up the
// same day.
type WeeklyDigest struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (WeeklyDigest) Name() string { return "weekly_digest" }

// Run sends the week's digests.
func (j WeeklyDigest) Run(ctx context.Context, now time.Time) (Counts, error) {
	week, due := planner.DigestDue(now, j.Location)
	if !due {
		return Counts{"digests": 0}, nil
	}
	msgs, err := weeklyDigests(ctx, j.Store, j.Location, week, now)
	if err != nil {
		return nil, err
	}
	n, err := j.Store.Enqueue(ctx, msgs...)
	return Counts{"organizers": len(msgs), "digests": n}, err
}

// RecordAsks asks, after each branch activity day, the organizer who made
// it (or those who decide for the branch) to write its record
// (planner.RecordAsk): from an hour after it ended, for a week, once.
// Run hourly.
type RecordAsks struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (RecordAsks) Name() string { return "record_asks" }

// Run asks for the records of the activities that ended.
func (j RecordAsks) Run(ctx context.Context, now time.Time) (Counts, error) {
	msgs, err := recordAsks(ctx, j.Store, j.Location, now)
	if err != nil {
		return nil, err
	}
	n, err := j.Store.Enqueue(ctx, msgs...)
	return Counts{"activities": len(msgs), "enqueued": n}, err
}

// Forecast builds the digest at the first run of each Monday in the
// window (later runs that day find it sent).
func (j WeeklyDigest) Forecast(ctx context.Context, f *Forecast) error {
	done := map[models.Day]bool{}
	for _, t := range f.Runs() {
		week, due := planner.DigestDue(t, j.Location)
		if !due || done[week] {
			continue
		}
		done[week] = true
		digests, err := weeklyDigests(ctx, j.Store, j.Location, week, t)
		if err != nil {
			return err
		}
		f.Add(t, digests...)
	}
	return nil
}

// Forecast asks at each hourly run in the window.
func (j RecordAsks) Forecast(ctx context.Context, f *Forecast) error {
	for _, t := range f.Runs() {
		asks, err := recordAsks(ctx, j.Store, j.Location, t)
		if err != nil {
			return err
		}
		f.Add(t, asks...)
	}
	return nil
}
