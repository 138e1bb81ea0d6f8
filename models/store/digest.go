package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
)

// DigestWindow is what a digest covers. Week is the digest's Monday at
// 09:00: the week before it (overdue, unreachable) ends there, so that each
// week's digest tells each thing once, whenever it is sent; the events are
// those from Now (when it is sent) to a week after Week; the activities,
// the quarter so far.
type DigestWindow struct {
	Week, Now, QuarterStart time.Time
}

// DigestFor gathers an organizer's digest within their scope.
func (s *Store) DigestFor(ctx context.Context, org *models.Member, scope models.Scope, w DigestWindow, loc *time.Location) (*planner.Digest, error) {
	d := &planner.Digest{}
	weekAgo, weekAhead := w.Week.AddDate(0, 0, -7), w.Week.AddDate(0, 0, 7)
	events, err := s.EventsBetween(ctx, w.Now, weekAhead)
	if err != nil {
		return nil, err
	}
	for i := range events {
		e := &events[i]
		manages, err := s.CanManage(ctx, org, e)
		if err != nil {
			return nil, err
		}
		if !manages {
			continue
		}
		occs, err := e.Occurrences(loc, w.Now, weekAhead)
		if err != nil {
			continue
		}
		for _, occ := range occs {
			counts, err := s.RSVPCounts(ctx, e.ID, occ)
			if err != nil {
				return nil, err
			}
			d.Events = append(d.Events, planner.DigestEvent{Event: e, Occurrence: occ, Counts: counts})
		}
	}
	sort.SliceStable(d.Events, func(i, j int) bool { return d.Events[i].Occurrence.Before(d.Events[j].Occurrence) })

	branchIDs, err := s.branchIDsIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	fromDay, toDay := models.DayOf(weekAgo, loc), models.DayOf(w.Week, loc)
	q := db.Preload("Kind").Preload("Member").Joins("JOIN plan_kinds ON plan_kinds.id = plans.kind_id").
		Joins("JOIN members ON members.id = plans.member_id").
		Where("plans.state <> ? AND plans.overdue_since >= ? AND plans.overdue_since < ? AND plan_kinds.for_role = ? AND members.status <> ?",
			models.PlanClosed, fromDay, toDay, models.ForMember, models.StatusLeft)
	if !scope.Admin {
		q = q.Where("members.branch_id IN ?", nonEmpty(branchIDs))
	}
	var overdue []models.Plan
	if err := q.Order("plans.overdue_since, members.name, plans.id").Find(&overdue).Error; err != nil {
		return nil, fmt.Errorf("store: digest: %w", err)
	}
	for i := range overdue {
		p := &overdue[i]
		d.Overdue = append(d.Overdue, planner.OverdueItem{Plan: p, Kind: p.Kind, Name: p.Member.Name})
	}
	mq := db.Preload("Branch").Where("status = ? AND unreachable_since >= ? AND unreachable_since < ?",
		models.StatusUnreachable, weekAgo.UTC(), w.Week.UTC())
	if !scope.Admin {
		mq = mq.Where("branch_id IN ?", nonEmpty(branchIDs))
	}
	if err := mq.Order("name, id").Find(&d.Unreachable).Error; err != nil {
		return nil, fmt.Errorf("store: digest: %w", err)
	}
	branches, err := s.BranchesIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(branches))
	for i, b := range branches {
		paths[i] = b.Path
	}
	days, err := s.activitiesHeld(ctx, w.QuarterStart, time.Time{}, w.Now, loc)
	if err != nil {
		return nil, err
	}
	d.NoActivity = withoutActivity(paths, days)
	if err := db.Preload("Kind").Joins("JOIN plan_kinds ON plan_kinds.id = plans.kind_id").
		Where("plans.member_id = ? AND plans.state = ? AND plan_kinds.for_role = ?", org.ID, models.PlanOpen, models.ForDuty).
		Order("plans.next_due, plans.id").Find(&d.Duties).Error; err != nil {
		return nil, fmt.Errorf("store: digest: %w", err)
	}
	if d.Surveys, err = s.openSurveysFor(ctx, org, w.Now); err != nil {
		return nil, fmt.Errorf("store: digest: %w", err)
	}
	start := w.QuarterStart.In(loc)
	v, err := s.VisitFiguresIn(ctx, scope, start, start.AddDate(0, 3, 0))
	if err != nil {
		return nil, err
	}
	d.VisitsDone, d.VisitsMissed = v.Done, v.Missed
	return d, nil
}

// openSurveysFor are the open surveys whose audience org may reach, with
// how many of those asked have answered.
func (s *Store) openSurveysFor(ctx context.Context, org *models.Member, now time.Time) ([]planner.DigestSurvey, error) {
	var svs []models.Survey
	if err := s.db.WithContext(ctx).Where("closed_at IS NULL AND opens_at <= ? AND (closes_at IS NULL OR closes_at > ?)", now.UTC(), now.UTC()).
		Order("id").Find(&svs).Error; err != nil {
		return nil, err
	}
	var out []planner.DigestSurvey
	for _, sv := range svs {
		aud, err := models.ParseAudience(sv.Audience)
		if err != nil {
			continue
		}
		if ok, err := s.CanReach(ctx, org, aud); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		var c struct{ Asked, Answered int }
		if err := s.db.WithContext(ctx).Model(&models.SurveyTaker{}).Select("COUNT(*) AS asked, COUNT(CASE WHEN answered > 0 THEN 1 END) AS answered").
			Where("survey_id = ?", sv.ID).Scan(&c).Error; err != nil {
			return nil, err
		}
		out = append(out, planner.DigestSurvey{Title: sv.Title, Answered: c.Answered, Asked: c.Asked})
	}
	return out, nil
}

// nonEmpty keeps an IN list valid when it is empty (it matches nothing).
func nonEmpty(ids []uint) []uint {
	if len(ids) == 0 {
		return []uint{0}
	}
	return ids
}
