package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
)

// ErrFigureValue: a figure is not a whole number from 0 to
// models.MaxFigureValue, or one is missing.
var ErrFigureValue = errors.New("store: a figure is a whole number from 0 to 1000000, each one given")

// LastFigures are the figures the organizer gave the plan's last cycle
// done (none: an empty map), shown beside each question.
func (s *Store) LastFigures(ctx context.Context, planID uint) (map[string]int, error) {
	var rows []models.FigureValue
	err := s.db.WithContext(ctx).Where("plan_id = ? AND cycle = (SELECT MAX(cycle) FROM figure_values WHERE plan_id = ?)", planID, planID).
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: last figures: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out, nil
}

// SubmitFigures closes a report duty's cycle with its figures, in one
// transaction: every figure of the kind, each a whole number from 0 to
// models.MaxFigureValue (else ErrFigureValue, nothing stored), under the
// rule of a member's own action on a plan; the duty then moves on (or a
// one-off one closes) as any duty done.
func (s *Store) SubmitFigures(ctx context.Context, planID uint, cycle int, m *models.Member, values map[string]int, loc *time.Location, now time.Time) (*models.Plan, error) {
	var p *models.Plan
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if p, err = loadPlan(tx, planID); err != nil {
			return err
		}
		if err := planRefusal(p, m, cycle); err != nil {
			return err
		}
		figs := p.Kind.FigureList()
		if p.Kind.For != models.ForDuty || len(figs) == 0 {
			return ErrFigureValue
		}
		rows := make([]models.FigureValue, 0, len(figs))
		for _, f := range figs {
			v, ok := values[f.Key]
			if !ok || v < 0 || v > models.MaxFigureValue {
				return ErrFigureValue
			}
			rows = append(rows, models.FigureValue{PlanID: p.ID, Cycle: p.Cycle, Key: f.Key, KindID: p.KindID, BranchID: p.Member.BranchID,
				MemberID: p.MemberID, Due: p.NextDue, Value: v, CreatedAt: now.UTC()})
		}
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
		zone := p.Member.Zone(loc)
		rec := models.CheckRecord{PlanID: p.ID, Cycle: p.Cycle, DoneOn: models.DayOf(now, zone), Status: models.CheckApproved,
			ByMemberID: &m.ID, DecidedAt: ptrTime(now.UTC())}
		if err := tx.Create(&rec).Error; err != nil {
			return err
		}
		return advance(tx, p, rec.DoneOn, zone, now)
	})
	if err != nil {
		if errors.Is(err, ErrFigureValue) || isRuleErr(err) || errors.Is(err, ErrNotYourPlan) || errors.Is(err, ErrPlanStale) {
			return nil, err
		}
		return nil, fmt.Errorf("store: submit figures: %w", err)
	}
	return p, nil
}

// FigureTotals are a kind's figures per branch for a period and the one
// before, and the branches whose organizers have the duty but gave none.
type FigureTotals struct {
	Kind             *models.PlanKind
	Period, Previous models.Period
	Branches         []BranchFigureTotals
	Missing          []string // branch paths, sorted
}

// BranchFigureTotals are one branch's totals, by figure key.
type BranchFigureTotals struct {
	Branch      string
	Now, Before map[string]int
}

// FigureTotalsOf sums the figures of kind given for cycles due in the
// period, per branch within scope, against the period before.
func (s *Store) FigureTotalsOf(ctx context.Context, k *models.PlanKind, scope models.Scope, p models.Period) (*FigureTotals, error) {
	out := &FigureTotals{Kind: k, Period: p, Previous: p.Previous()}
	ids, err := s.branchIDsIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	sum := func(per models.Period) (map[string]map[string]int, error) {
		q := s.db.WithContext(ctx).Table("figure_values").
			Select("COALESCE(branches.path, '') AS path, figure_values.key, SUM(figure_values.value) AS total").
			Joins("LEFT JOIN branches ON branches.id = figure_values.branch_id").
			Where("figure_values.kind_id = ? AND figure_values.due >= ? AND figure_values.due < ?", k.ID, per.From, per.To).
			Group("branches.path, figure_values.key")
		if !scope.Admin {
			q = q.Where("figure_values.branch_id IN ?", append(ids, 0))
		}
		var rows []struct {
			Path, Key string
			Total     int
		}
		if err := q.Scan(&rows).Error; err != nil {
			return nil, err
		}
		m := map[string]map[string]int{}
		for _, r := range rows {
			if m[r.Path] == nil {
				m[r.Path] = map[string]int{}
			}
			m[r.Path][r.Key] = r.Total
		}
		return m, nil
	}
	now, err := sum(p)
	if err != nil {
		return nil, fmt.Errorf("store: figure totals: %w", err)
	}
	before, err := sum(out.Previous)
	if err != nil {
		return nil, fmt.Errorf("store: figure totals: %w", err)
	}
	for path, v := range now {
		out.Branches = append(out.Branches, BranchFigureTotals{Branch: path, Now: v, Before: before[path]})
	}
	sort.Slice(out.Branches, func(i, j int) bool { return out.Branches[i].Branch < out.Branches[j].Branch })
	// Missing: the branches of the organizers who have the duty (open) and
	// gave nothing for the period.
	var paths []string
	q := s.db.WithContext(ctx).Table("plans").Select("DISTINCT branches.path").
		Joins("JOIN members ON members.id = plans.member_id").
		Joins("JOIN branches ON branches.id = members.branch_id").
		Where("plans.kind_id = ? AND plans.state <> ? AND members.status <> ?", k.ID, models.PlanClosed, models.StatusLeft)
	if !scope.Admin {
		q = q.Where("members.branch_id IN ?", append(ids, 0))
	}
	if err := q.Scan(&paths).Error; err != nil {
		return nil, fmt.Errorf("store: figure totals: %w", err)
	}
	for _, path := range paths {
		if _, ok := now[path]; !ok {
			out.Missing = append(out.Missing, path)
		}
	}
	sort.Strings(out.Missing)
	return out, nil
}

// FigureKinds are the kinds that ask for figures.
func (s *Store) FigureKinds(ctx context.Context) ([]models.PlanKind, error) {
	var ks []models.PlanKind
	if err := s.db.WithContext(ctx).Where("figures <> ''").Order("key").Find(&ks).Error; err != nil {
		return nil, fmt.Errorf("store: figure kinds: %w", err)
	}
	return ks, nil
}

// AttachReport keeps a report file (its Telegram file id) with the record
// of a report duty's cycle done, by the organizer who did it.
func (s *Store) AttachReport(ctx context.Context, planID uint, cycle int, m *models.Member, fileID string) error {
	res := s.db.WithContext(ctx).Model(&models.CheckRecord{}).
		Where("plan_id = ? AND cycle = ? AND by_member_id = ? AND status = ?", planID, cycle, m.ID, models.CheckApproved).
		Update("photo_file_id", fileID)
	if res.Error != nil {
		return fmt.Errorf("store: attach report: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
