package scheduler

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// planBatch is how many due plans one read takes.
const planBatch = 2000

// PlanReminders moves every plan whose next reminder is due on to now
// (planner.PlanTick: the cycle's reminders at 09:00 in the assignee's zone,
// one catch-up after downtime, "remind me tomorrow", overdue after the last,
// a recurring duty's next cycle) and writes the result. It reads only the
// plans that are due (an index on next_remind_at), so its work grows with
// what is due, not with the roster. Run every minute.
type PlanReminders struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (PlanReminders) Name() string { return "plan_reminders" }

// Run sends what is due by now.
func (j PlanReminders) Run(ctx context.Context, now time.Time) (Counts, error) {
	counts := Counts{"plans": 0, "enqueued": 0, "missed": 0}
	for round := 0; round < 100; round++ {
		ps, err := j.Store.DuePlans(ctx, now, planBatch)
		if err != nil {
			return counts, err
		}
		steps := make([]planner.PlanStep, len(ps))
		changed := 0
		for i := range ps {
			m := ps[i].Member
			switch {
			case planner.PlanEnds(&ps[i]):
				// Gone from the roster, or no longer an organizer: the plan ends.
				steps[i] = planner.Close(ps[i])
				counts["closed"]++
			default:
				if steps[i], err = planner.PlanTick(ps[i], ps[i].Kind, m.Zone(j.Location), now); err != nil {
					return counts, err
				}
			}
			if steps[i].Changed {
				changed++
			}
			counts["missed"] += len(steps[i].Missed)
		}
		n, err := j.Store.ApplyPlanSteps(ctx, ps, steps, now)
		if err != nil {
			return counts, err
		}
		counts["plans"] += len(ps)
		counts["enqueued"] += n
		if len(ps) < planBatch || changed == 0 {
			break
		}
	}
	return counts, nil
}

// OverdueDigest tells, once a day, the organizers who decide for each
// overdue member's branch (and the admins, for overdue duties) which plans
// became overdue since the last digest: one message each, never one per
// person. Run daily.
type OverdueDigest struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (OverdueDigest) Name() string { return "overdue_digest" }

// Run sends the day's digests.
func (j OverdueDigest) Run(ctx context.Context, now time.Time) (Counts, error) {
	ps, err := j.Store.NewlyOverdue(ctx, models.DayOf(now, j.Location))
	if err != nil {
		return nil, err
	}
	digests, told, err := overdueDigests(ctx, j.Store, ps, models.DayOf(now, j.Location), now)
	if err != nil {
		return nil, err
	}
	n, err := j.Store.TellOverdue(ctx, digests, told)
	if err != nil {
		return nil, err
	}
	return Counts{"overdue": len(told), "digests": n}, nil
}

// ActivityDuties closes the duties that close by themselves (the quarterly
// branch activity, once an activity of the branch had a check-in). Run
// hourly.
type ActivityDuties struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (ActivityDuties) Name() string { return "activity_duties" }

// Run closes what was held.
func (j ActivityDuties) Run(ctx context.Context, now time.Time) (Counts, error) {
	n, err := j.Store.CloseActivityDuties(ctx, j.Location, now)
	return Counts{"closed": n}, err
}

// Forecast ticks each plan due in the window at its next reminder, again
// and again, as the every-minute runs would; those that become overdue
// are kept for the overdue lists' forecast.
func (j PlanReminders) Forecast(ctx context.Context, f *Forecast) error {
	plans, err := j.Store.DuePlans(ctx, f.Until, maxPreviewRows)
	if err != nil {
		return err
	}
	var overdue []overdueAt
	for _, p := range plans {
		if planner.PlanEnds(&p) {
			continue // the job closes it
		}
		zone := p.Member.Zone(j.Location)
		for i := 0; i < 100 && p.NextRemindAt != nil; i++ {
			t := minuteOf(*p.NextRemindAt)
			if t.Before(f.Now) {
				t = minuteOf(f.Now)
			}
			if t.After(f.Until) {
				break
			}
			step, err := planner.PlanTick(p, p.Kind, zone, t)
			if err != nil {
				break
			}
			f.Add(t, step.Reminders...)
			if step.Plan.OverdueSince != nil && p.OverdueSince == nil {
				overdue = append(overdue, overdueAt{t, step.Plan})
			}
			p = step.Plan
			if p.NextRemindAt != nil && !p.NextRemindAt.After(t) {
				break
			}
		}
	}
	// The due-plan read leaves members bare: the lists name them.
	ids := make([]uint, len(overdue))
	for i := range overdue {
		ids[i] = overdue[i].plan.MemberID
	}
	ms, err := j.Store.MembersByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range overdue {
		if m := ms[overdue[i].plan.MemberID]; m != nil {
			overdue[i].plan.Member = m
		}
	}
	f.overdue = append(f.overdue, overdue...)
	return nil
}

// Forecast lists at each daily run the plans overdue by then (those the
// reminder ticks' forecast made overdue included), each once.
func (j OverdueDigest) Forecast(ctx context.Context, f *Forecast) error {
	told := map[uint]bool{}
	for _, t := range f.Runs() {
		day := models.DayOf(t, j.Location)
		ps, err := j.Store.NewlyOverdue(ctx, day)
		if err != nil {
			return err
		}
		for _, o := range f.overdue {
			if !o.at.After(t) && !o.plan.OverdueSince.After(day) {
				ps = append(ps, o.plan)
			}
		}
		var fresh []models.Plan
		for _, p := range ps {
			if !told[p.ID] {
				fresh = append(fresh, p)
			}
		}
		digests, toldNow, err := overdueDigests(ctx, j.Store, fresh, day, t)
		if err != nil {
			return err
		}
		for _, id := range toldNow {
			told[id] = true
		}
		f.Add(t, digests...)
	}
	return nil
}
