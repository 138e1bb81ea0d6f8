package scheduler

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// The reads of the jobs that tell organizers (the weekly digest, the
// record questions, the overdue lists), shared by their runs and their
// forecasts.

// weeklyDigests builds the week's digests of every organizer with
// something to tell.
func weeklyDigests(ctx context.Context, st *store.Store, loc *time.Location, week models.Day, now time.Time) ([]planner.Message, error) {
	orgs, err := st.Organizers(ctx)
	if err != nil {
		return nil, err
	}
	qStart, _ := models.QuarterOf(now.In(loc)).Span(loc)
	w := store.DigestWindow{Week: time.Date(week.Year(), week.Month(), week.Day(), planner.DigestHour, 0, 0, 0, loc), Now: now, QuarterStart: qStart}
	var msgs []planner.Message
	for i := range orgs {
		org := &orgs[i]
		if org.ChatID == nil || !org.OnRoster() {
			continue
		}
		scope, err := st.Scope(ctx, org)
		if err != nil {
			return nil, err
		}
		d, err := st.DigestFor(ctx, org, scope, w, loc)
		if err != nil {
			return nil, err
		}
		if d.Empty() {
			continue
		}
		msgs = append(msgs, planner.WeeklyDigest(org.ID, week, d, now))
	}
	return msgs, nil
}

// recordAskAfter is how long after an activity ends its record is asked
// for; recordAskFor, for how long it is.
const (
	recordAskAfter = time.Hour
	recordAskFor   = 7 * 24 * time.Hour
)

// recordAsks are the questions for the records of the branch activity days
// that ended an hour to a week before now and have none yet
// (planner.RecordAsk); the dedupe key asks once.
func recordAsks(ctx context.Context, st *store.Store, loc *time.Location, now time.Time) ([]planner.Message, error) {
	held, err := st.ActivitiesWithoutRecord(ctx, now.Add(-recordAskFor-models.MaxDuration), now, now, loc)
	if err != nil {
		return nil, err
	}
	var msgs []planner.Message
	for _, h := range held {
		end := h.Occurrence.Add(h.Event.Duration())
		if end.Add(recordAskAfter).After(now) || end.Add(recordAskFor).Before(now) {
			continue
		}
		a, err := models.ParseAudience(h.Event.Audience)
		if err != nil {
			continue
		}
		branch, ok := a.IsBranch()
		if !ok {
			continue
		}
		e := h.Event
		// The organizer who made it, while they still manage it; else the
		// branch's organizers.
		to := models.OrganizersAudience(branch)
		if e.CreatedBy != nil {
			if m, err := st.MemberByID(ctx, *e.CreatedBy); err == nil {
				if manages, err := st.CanManage(ctx, m, &e); err == nil && manages {
					to = models.MembersAudience(m.ID)
				}
			}
		}
		msgs = append(msgs, planner.RecordAsk(&e, h.Occurrence, to, h.Attendance, now))
	}
	return msgs, nil
}

// overdueDigests are the day's overdue lists (planner.OverdueDigest): each
// organizer who decides for an overdue member's branch (the admins, for
// duties) gets one message listing all of theirs. told are the plans whose
// deciders were found; the others wait until someone can be told.
func overdueDigests(ctx context.Context, st *store.Store, ps []models.Plan, day models.Day, now time.Time) (msgs []planner.Message, told []uint, err error) {
	items := map[uint][]planner.OverdueItem{}
	var order []uint
	byPath := map[string][]uint{}
	for i := range ps {
		p := &ps[i]
		path := ""
		if p.Kind.For == models.ForMember && p.Member.Branch != nil {
			path = p.Member.Branch.Path
		}
		to, ok := byPath[path]
		if !ok {
			if to, err = st.Deciders(ctx, path); err != nil {
				return nil, nil, err
			}
			byPath[path] = to
		}
		if len(to) == 0 {
			continue // told when someone can be
		}
		told = append(told, p.ID)
		for _, r := range to {
			if _, seen := items[r]; !seen {
				order = append(order, r)
			}
			items[r] = append(items[r], planner.OverdueItem{Plan: p, Kind: p.Kind, Name: p.Member.Name})
		}
	}
	for _, r := range order {
		msgs = append(msgs, planner.OverdueDigest(r, day, items[r], now))
	}
	return msgs, told, nil
}
