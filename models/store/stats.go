package store

import (
	"context"
	"fmt"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// Figures are a branch's (with the branches below it) numbers for /stats
// and the exports (SPEC C8).
type Figures struct {
	Members   int
	Linked    int
	Final     int                   // messages to its members that will not be sent again (last 90 days; edits in place are not counted)
	Delivered int                   // of them, sent
	BySMS     int                   // of those, by SMS (SPEC C12)
	NotSent   map[outbox.Reason]int // the rest, by reason
	Announced int                   // event announcements delivered to its members in the period
	Answered  int                   // of them, answered
	CheckedIn int                   // check-ins at its events in the period
	// Satisfaction: the day-after surveys of its events in the period
	// (SPEC C4, C13).
	Satisfaction models.Satisfaction
	// Visits: the home visits of its families made and missed in the
	// period (SPEC C14).
	Visits      VisitFigures
	Plans       int // its members' check plans
	Overdue     int
	Activities  int      // activity days of its branches held (models.Held) in the period
	NoActivity  []string // branches (itself or below) that held none in the period
	BranchPaths []string
}

// subtree lists the branch at path and those below it.
func (s *Store) subtree(ctx context.Context, path string) ([]models.Branch, error) {
	var bs []models.Branch
	err := branchesWithin(s.db.WithContext(ctx), path).Order("path").Find(&bs).Error
	return bs, err
}

// BranchFigures computes the figures of the branch at path (and below) for
// [from, to) as of now: the period of answers, check-ins and activities
// (held by now, models.Held, with days in loc); messages count over the
// outbox's 90 days.
func (s *Store) BranchFigures(ctx context.Context, path string, from, to, now time.Time, loc *time.Location) (*Figures, error) {
	f := &Figures{NotSent: map[outbox.Reason]int{}}
	branches, err := s.subtree(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	if len(branches) == 0 {
		return nil, ErrNotFound
	}
	ids := make([]uint, len(branches))
	for i, b := range branches {
		ids[i] = b.ID
		f.BranchPaths = append(f.BranchPaths, b.Path)
	}
	db := s.db.WithContext(ctx)
	members := db.Model(&models.Member{}).Select("id").Where("branch_id IN ? AND status <> ?", ids, models.StatusLeft)
	var counts struct {
		Members int
		Linked  int
	}
	if err := db.Model(&models.Member{}).Select("COUNT(*) AS members, COUNT(telegram_id) AS linked").
		Where("branch_id IN ? AND status <> ?", ids, models.StatusLeft).Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	f.Members, f.Linked = counts.Members, counts.Linked
	// Edits of messages already sent (an event's copies after a change)
	// are not messages of their own.
	t, err := tally(db.Where("member_id IN (?) AND edit_message_id = 0", members))
	if err != nil {
		return nil, err
	}
	f.Final, f.Delivered = t.Final(), t.Status(outbox.Sent)
	var bySMS int64
	if err := db.Model(&outbox.Row{}).Where("member_id IN (?) AND edit_message_id = 0 AND channel = ? AND status = ?", members, outbox.BySMS, outbox.Sent).
		Count(&bySMS).Error; err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	f.BySMS = int(bySMS)
	for _, st := range outbox.FinalStatuses() {
		if st == outbox.Sent {
			continue
		}
		for r, n := range t[st] {
			f.NotSent[r] += n
		}
	}
	var ans struct {
		Announced int
		Answered  int
	}
	if err := db.Table("outboxes").Select(`COUNT(*) AS announced, COUNT(rsvps.member_id) AS answered`).
		Joins("LEFT JOIN rsvps ON rsvps.event_id = outboxes.event_id AND rsvps.occurrence = outboxes.occurrence AND rsvps.member_id = outboxes.member_id").
		Where("outboxes.kind = ? AND outboxes.status = ? AND outboxes.member_id IN (?) AND outboxes.occurrence >= ? AND outboxes.occurrence < ?",
			string(outbox.KindEventAnnounce), outbox.Sent, members, from.UTC(), to.UTC()).Scan(&ans).Error; err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	f.Announced, f.Answered = ans.Announced, ans.Answered
	// The branch's events: those whose audience is one of its branches.
	events, err := s.EventsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	var ourEvents []uint
	for _, e := range events {
		a, err := models.ParseAudience(e.Audience)
		bp, ok := a.IsBranch()
		if err != nil || !ok || !within(bp, f.BranchPaths) {
			continue
		}
		ourEvents = append(ourEvents, e.ID)
		var came int64
		if err := db.Model(&models.RSVP{}).Where("event_id = ? AND occurrence >= ? AND occurrence < ? AND checked_in = ?", e.ID, from.UTC(), to.UTC(), true).
			Count(&came).Error; err != nil {
			return nil, fmt.Errorf("store: figures: %w", err)
		}
		f.CheckedIn += int(came)
	}
	if len(ourEvents) > 0 {
		sat, err := s.EventSatisfaction(ctx, from, to, ourEvents...)
		if err != nil {
			return nil, err
		}
		for _, byOcc := range sat {
			for _, x := range byOcc {
				f.Satisfaction.Merge(x)
			}
		}
	}
	days, err := s.activitiesHeld(ctx, from, to, now, loc)
	if err != nil {
		return nil, err
	}
	var ours []activityDay
	for _, d := range days {
		if within(d.Path, f.BranchPaths) {
			ours = append(ours, d)
		}
	}
	f.Activities = len(ours)
	f.NoActivity = withoutActivity(f.BranchPaths, ours)
	var plans struct {
		Plans   int
		Overdue int
	}
	if err := db.Table("plans").Select("COUNT(*) AS plans, COUNT(plans.overdue_since) AS overdue").
		Joins("JOIN plan_kinds ON plan_kinds.id = plans.kind_id").
		Where("plans.member_id IN (?) AND plans.state <> ? AND plan_kinds.for_role = ?", members, models.PlanClosed, models.ForMember).
		Scan(&plans).Error; err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	f.Plans, f.Overdue = plans.Plans, plans.Overdue
	if f.Visits, err = s.VisitFiguresIn(ctx, models.Scope{Paths: []string{path}}, from, to); err != nil {
		return nil, err
	}
	return f, nil
}

// within reports whether path is one of paths.
func within(path string, paths []string) bool {
	for _, p := range paths {
		if p == path {
			return true
		}
	}
	return false
}
