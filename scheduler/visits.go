package scheduler

import (
	"context"
	"sort"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// Visits keeps the home visits (SPEC C14): it plans the care visits of
// families in difficulty once the weeks before the Spring Festival begin,
// marks missed the visits whose window ended undone and tells the
// organizers of their branches, once, and sends each cadre one list a day
// of the visits whose window has begun (planner.VisitList). Run hourly in
// the day: the day's dedupe key sends one list, and a run missed while the
// bot was down is made up the same day.
type Visits struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (Visits) Name() string { return "visits" }

// Run does the day's visit work as of now.
func (j Visits) Run(ctx context.Context, now time.Time) (Counts, error) {
	today := models.DayOf(now, j.Location)
	c := Counts{}
	var err error
	if c["cancelled"], c["released"], err = j.Store.TidyVisits(ctx, now); err != nil {
		return c, err
	}
	if c["care"], err = j.Store.PlanCareVisits(ctx, today, now); err != nil {
		return c, err
	}
	missed, err := j.Store.MissVisits(ctx, today, now)
	if err != nil {
		return c, err
	}
	c["missed"] = len(missed)
	untold, err := j.Store.MissedUntold(ctx)
	if err != nil {
		return c, err
	}
	notices, ids, err := missedNotices(ctx, j.Store, untold, today, now)
	if err != nil {
		return c, err
	}
	if c["told"], err = j.Store.TellMissedVisits(ctx, notices, ids); err != nil {
		return c, err
	}
	lists, err := visitLists(ctx, j.Store, today, now)
	if err != nil {
		return c, err
	}
	c["lists"], err = j.Store.Enqueue(ctx, lists...)
	return c, err
}

// Forecast lists at the first run of each day in the window what the
// visits are now.
func (j Visits) Forecast(ctx context.Context, f *Forecast) error {
	done := map[models.Day]bool{}
	for _, t := range f.Runs() {
		day := models.DayOf(t, j.Location)
		if done[day] {
			continue
		}
		done[day] = true
		lists, err := visitLists(ctx, j.Store, day, t)
		if err != nil {
			return err
		}
		f.Add(t, lists...)
	}
	return nil
}

// cadresOf is who makes a visit: its assignee, else those who decide for
// the family's branch.
func cadresOf(ctx context.Context, st *store.Store, r store.VisitRow, deciders map[string][]uint) ([]uint, error) {
	if r.AssigneeID != nil {
		return []uint{*r.AssigneeID}, nil
	}
	ids, ok := deciders[r.BranchPath]
	if !ok {
		var err error
		if ids, err = st.Deciders(ctx, r.BranchPath); err != nil {
			return nil, err
		}
		deciders[r.BranchPath] = ids
	}
	return ids, nil
}

// visitLists are each cadre's list of the visits due today.
func visitLists(ctx context.Context, st *store.Store, today models.Day, now time.Time) ([]planner.Message, error) {
	rows, err := st.Visits(ctx, store.VisitQuery{States: []models.VisitState{models.VisitOpen}})
	if err != nil {
		return nil, err
	}
	byCadre := map[uint][]planner.VisitItem{}
	deciders := map[string][]uint{}
	for _, r := range rows {
		if !r.Due(today) {
			continue
		}
		cadres, err := cadresOf(ctx, st, r, deciders)
		if err != nil {
			return nil, err
		}
		for _, id := range cadres {
			byCadre[id] = append(byCadre[id], r.Item())
		}
	}
	return perCadre(ctx, st, byCadre, func(id uint, scope models.Scope, items []planner.VisitItem) planner.Message {
		return planner.VisitList(id, scope, today, items, now)
	})
}

// missedNotices are the notices of missed visits to those who decide for
// each family's branch.
func missedNotices(ctx context.Context, st *store.Store, rows []store.VisitRow, today models.Day, now time.Time) ([]planner.Message, []uint, error) {
	byOrganizer := map[uint][]planner.VisitItem{}
	deciders := map[string][]uint{}
	var ids []uint
	for _, r := range rows {
		ids = append(ids, r.ID)
		r.AssigneeID = nil // the organizers are told, not the cadre
		orgs, err := cadresOf(ctx, st, r, deciders)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range orgs {
			byOrganizer[id] = append(byOrganizer[id], r.Item())
		}
	}
	msgs, err := perCadre(ctx, st, byOrganizer, func(id uint, scope models.Scope, items []planner.VisitItem) planner.Message {
		return planner.VisitsMissed(id, scope, today, items, now)
	})
	return msgs, ids, err
}

// perCadre builds one message for each cadre, in id order, with the
// cadre's scope: the branches whose families' visit kinds they may read.
func perCadre(ctx context.Context, st *store.Store, items map[uint][]planner.VisitItem, build func(uint, models.Scope, []planner.VisitItem) planner.Message) ([]planner.Message, error) {
	ids := make([]uint, 0, len(items))
	for id := range items {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	members, err := st.MembersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []planner.Message
	for _, id := range ids {
		m := members[id]
		if m == nil || !m.OnRoster() {
			continue
		}
		var scope models.Scope
		if m.IsOrganizer() {
			if scope, err = st.Scope(ctx, m); err != nil {
				return nil, err
			}
		}
		out = append(out, build(id, scope, items[id]))
	}
	return out, nil
}
