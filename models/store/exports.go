package store

import (
	"context"
	"fmt"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
)

// The organizers' tables (SPEC C8), by the name the bot and the CLI take.
const (
	ExportMembers = "members"
	ExportEvent   = "event"
	ExportRecords = "records"
	ExportOverdue = "overdue"
	ExportVisits  = "visits"
)

// ExportRows are the rows of one table, read within an organizer's scope;
// reports.Table renders them.
type ExportRows struct {
	Members []models.Member
	Checks  map[uint][]models.Plan // by member
	// Families: the members' households, by member (organizers of their
	// branch see them, as the member card shows them).
	Families map[uint]roster.FamilyCells
	Answers  []roster.AnswerRow
	Records  []RecordRow
	Overdue  []models.Plan
	Visits   []VisitRow
}

// ExportRowsFor reads the table what for an organizer (org; nil with an
// admin scope, as the CLI) with scope: the members of their branches, an
// event's answers (an event they manage, else models.ErrNotYours), the
// activity records of their branches in [from, to), their branches'
// overdue plans, or their visit log (the visits made or due in [from, to)).
func (s *Store) ExportRowsFor(ctx context.Context, what string, org *models.Member, scope models.Scope, eventID uint, from, to time.Time) (ExportRows, error) {
	var rows ExportRows
	var err error
	switch what {
	case ExportMembers:
		if rows.Members, err = s.MembersIn(ctx, scope); err != nil {
			return rows, err
		}
		ids := make([]uint, len(rows.Members))
		for i := range rows.Members {
			ids[i] = rows.Members[i].ID
		}
		if rows.Checks, err = s.ChecksOf(ctx, ids); err != nil {
			return rows, err
		}
		rows.Families, err = s.familyCells(ctx, ids)
		return rows, err
	case ExportEvent:
		e, err := s.EventByID(ctx, eventID)
		if err != nil {
			return rows, err
		}
		if !scope.Admin {
			manages, err := s.CanManage(ctx, org, e)
			if err != nil {
				return rows, err
			}
			if !manages {
				return rows, models.ErrNotYours
			}
		}
		rows.Answers, err = s.EventAnswers(ctx, eventID)
		return rows, err
	case ExportRecords:
		rows.Records, err = s.RecordsIn(ctx, scope, from, to)
		return rows, err
	case ExportOverdue:
		rows.Overdue, err = s.OverduePlans(ctx, scope, 1000000)
		return rows, err
	case ExportVisits:
		// The visit log: the visits made, missed or due in the period.
		rows.Visits, err = s.Visits(ctx, VisitQuery{Scope: &scope, From: from, To: to})
		return rows, err
	}
	return rows, fmt.Errorf("store: no table %q", what)
}

// BranchFiguresOf is one block of /stats.
type BranchFiguresOf struct {
	Path string
	*Figures
}

// StatsFor are the figures for [from, to) as of now of each branch an
// organizer's figures are given for: the ones they were given, less those
// below another they were given (it is in that one's figures); for admins,
// the top branches.
func (s *Store) StatsFor(ctx context.Context, scope models.Scope, from, to, now time.Time, loc *time.Location) ([]BranchFiguresOf, error) {
	var paths []string
	if scope.Admin {
		top, err := s.ChildBranches(ctx, nil)
		if err != nil {
			return nil, err
		}
		for _, b := range top {
			paths = append(paths, b.Path)
		}
	} else {
		paths = models.TopPaths(scope.Paths)
	}
	out := make([]BranchFiguresOf, 0, len(paths))
	for _, p := range paths {
		f, err := s.BranchFigures(ctx, p, from, to, now, loc)
		if err != nil {
			return nil, err
		}
		out = append(out, BranchFiguresOf{p, f})
	}
	return out, nil
}

// familyCells are the households of members, as the members table writes
// them.
func (s *Store) familyCells(ctx context.Context, ids []uint) (map[uint]roster.FamilyCells, error) {
	out := map[uint]roster.FamilyCells{}
	for start := 0; start < len(ids); start += 500 {
		var rows []struct {
			models.Family
			CentrePhone *string
		}
		err := s.db.WithContext(ctx).Table("families").Select("families.*, centre.phone AS centre_phone").
			Joins("LEFT JOIN members centre ON centre.id = families.centre_id AND centre.status <> ?", models.StatusLeft).
			Where("families.member_id IN ?", ids[start:min(start+500, len(ids))]).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: families: %w", err)
		}
		for _, r := range rows {
			c := roster.FamilyCells{Household: r.Household, Expected: r.Expected, Difficulty: r.Difficulty}
			if r.CentrePhone != nil {
				c.Centre = models.DisplayPhone(*r.CentrePhone)
			}
			if r.BirthOn != nil {
				c.Birth = r.BirthOn.Format("2006-01-02")
			}
			out[r.MemberID] = c
		}
	}
	return out, nil
}
