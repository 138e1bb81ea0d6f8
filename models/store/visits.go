package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/calendar"
	"github.com/assocbot/assocbot/models/planner"
)

// FamilyOf is what is known of member's household (an empty Family when
// nothing is).
func (s *Store) FamilyOf(ctx context.Context, memberID uint) (*models.Family, error) {
	var f models.Family
	err := s.db.WithContext(ctx).Where("member_id = ?", memberID).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &models.Family{MemberID: memberID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: family: %w", err)
	}
	return &f, nil
}

// SetFamily stores a member's household and family facts, and plans the
// visits they call for in the same transaction: a new birth's newborn
// visits (those whose window has not ended), and a family in difficulty's
// care visit once its window before the Spring Festival has begun. It
// returns the visits it planned.
func (s *Store) SetFamily(ctx context.Context, f *models.Family, by *uint, loc *time.Location, now time.Time) ([]models.Visit, error) {
	today := models.DayOf(now, loc)
	if err := f.Validate(today); err != nil {
		return nil, err
	}
	var planned []models.Visit
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old models.Family
		if err := tx.Where("member_id = ?", f.MemberID).Take(&old).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		// A centre household is checked when it is given, not each time
		// (one who left since still names the household's past).
		if f.CentreID != nil && (old.CentreID == nil || *old.CentreID != *f.CentreID) {
			var n int64
			if err := tx.Model(&models.Member{}).Where("id = ? AND status <> ?", *f.CentreID, models.StatusLeft).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return ErrNotFound
			}
		}
		f.UpdatedAt = now.UTC()
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(f).Error; err != nil {
			return err
		}
		// What no longer holds cancels its open visits: another (or no)
		// birth, a family no longer in difficulty.
		if old.BirthOn != nil && (f.BirthOn == nil || !f.BirthOn.Equal(*old.BirthOn)) {
			if err := cancelVisits(tx, f.MemberID, models.VisitNewborn, now); err != nil {
				return err
			}
		}
		if old.Difficulty && !f.Difficulty {
			if err := cancelVisits(tx, f.MemberID, models.VisitCare, now); err != nil {
				return err
			}
		}
		var err error
		planned, err = planFamilyVisits(tx, f, by, today, now)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: set family: %w", err)
	}
	return planned, nil
}

// planFamilyVisits plans the visits a family's facts call for, as of
// today; a visit planned before (the same family, kind and slot) is kept.
func planFamilyVisits(tx *gorm.DB, f *models.Family, by *uint, today models.Day, now time.Time) ([]models.Visit, error) {
	var windows []struct {
		kind models.VisitKind
		w    models.Window
	}
	if f.BirthOn != nil {
		for _, w := range models.NewbornWindows(*f.BirthOn) {
			if !w.By.Before(today) {
				windows = append(windows, struct {
					kind models.VisitKind
					w    models.Window
				}{models.VisitNewborn, w})
			}
		}
	}
	if f.Difficulty {
		if w := models.CareWindow(calendar.NextSpringFestival(today)); !today.Before(w.From) {
			windows = append(windows, struct {
				kind models.VisitKind
				w    models.Window
			}{models.VisitCare, w})
		}
	}
	var out []models.Visit
	for _, x := range windows {
		v, created, err := planVisit(tx, x.kind, f.MemberID, x.w, 0, nil, by, now)
		if errors.Is(err, ErrNotFound) {
			return nil, nil // a family that left is not visited
		}
		if err != nil {
			return nil, err
		}
		if created {
			out = append(out, *v)
		}
	}
	return out, nil
}

// planVisit makes a visit of kind to a family in window w unless the
// family has that kind's visit of the slot already (created false). The
// cadre is to, else the family's centre household when it is on the
// roster and on Telegram, else nobody named: the organizers of the
// family's branch.
func planVisit(tx *gorm.DB, kind models.VisitKind, familyID uint, w models.Window, every int, to, by *uint, now time.Time) (*models.Visit, bool, error) {
	var fam models.Member
	if err := tx.Take(&fam, familyID).Error; err != nil {
		return nil, false, notFound(err)
	}
	if fam.Status == models.StatusLeft {
		return nil, false, ErrNotFound
	}
	assignee := to
	if assignee == nil {
		var f models.Family
		err := tx.Where("member_id = ?", familyID).Take(&f).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, false, err
		}
		if f.CentreID != nil {
			var n int64
			if err := tx.Model(&models.Member{}).Where("id = ? AND status <> ? AND telegram_id IS NOT NULL", *f.CentreID, models.StatusLeft).Count(&n).Error; err != nil {
				return nil, false, err
			}
			if n > 0 {
				assignee = f.CentreID
			}
		}
	}
	v := &models.Visit{Kind: kind, FamilyID: familyID, Slot: w.Slot, BranchID: fam.BranchID, AssigneeID: assignee,
		From: w.From, By: w.By, EveryMonths: every, State: models.VisitOpen, CreatedBy: by, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(v)
	if res.Error != nil {
		return nil, false, res.Error
	}
	if res.RowsAffected == 0 {
		var old models.Visit
		if err := tx.Where("family_id = ? AND kind = ? AND slot = ?", familyID, kind, w.Slot).Take(&old).Error; err != nil {
			return nil, false, err
		}
		return &old, false, nil
	}
	return v, true, nil
}

// ErrVisitExists: the family has that kind's visit for that date already.
var ErrVisitExists = errors.New("the family has this visit already")

// AssignVisit assigns one visit of kind to the family (a member's id):
// once (by is its last day), followup (every months, the first due by),
// care (before the next Spring Festival; by, when given, its last day
// instead) or newborn (the family's recorded birth's visits). to names the
// cadre (nil: the family's centre household, else its branch's
// organizers).
func (s *Store) AssignVisit(ctx context.Context, kind models.VisitKind, familyID uint, to *uint, by *models.Day, every int, createdBy *uint, loc *time.Location, now time.Time) ([]models.Visit, error) {
	today := models.DayOf(now, loc)
	var windows []models.Window
	switch kind {
	case models.VisitOnce:
		if by == nil || by.Before(today) {
			return nil, models.ErrVisitWindow
		}
		windows = []models.Window{models.OnceWindow(today, *by)}
	case models.VisitFollowup:
		if every < 1 || every > 24 {
			return nil, fmt.Errorf("%w: a follow-up is every 1 to 24 months", models.ErrVisitWindow)
		}
		due := today.AddDate(0, 0, 7)
		if by != nil {
			if by.Before(today) {
				return nil, models.ErrVisitWindow
			}
			due = *by
		}
		// The first as the later ones: a week either side of its day.
		windows = []models.Window{{Slot: due.Format("2006-01-02"), From: due.AddDate(0, 0, -7), By: due.AddDate(0, 0, 7)}}
	case models.VisitCare:
		w := models.CareWindow(calendar.NextSpringFestival(today))
		if by != nil {
			if by.Before(today) {
				return nil, models.ErrVisitWindow
			}
			w.By = *by
		}
		if w.From.After(w.By) {
			w.From = today
		}
		windows = []models.Window{w}
	case models.VisitNewborn:
		f, err := s.FamilyOf(ctx, familyID)
		if err != nil {
			return nil, err
		}
		if f.BirthOn == nil {
			return nil, fmt.Errorf("%w: record the birth first (member edit --birth)", models.ErrVisitWindow)
		}
		for _, w := range models.NewbornWindows(*f.BirthOn) {
			if !w.By.Before(today) {
				windows = append(windows, w)
			}
		}
		if len(windows) == 0 {
			return nil, fmt.Errorf("%w: the birth's visit windows have ended", models.ErrVisitWindow)
		}
	default:
		return nil, models.ErrVisitKind
	}
	var out []models.Visit
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if to != nil {
			var n int64
			if err := tx.Model(&models.Member{}).Where("id = ? AND status <> ?", *to, models.StatusLeft).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return ErrNotFound
			}
		}
		for _, w := range windows {
			v, created, err := planVisit(tx, kind, familyID, w, every, to, createdBy, now)
			if err != nil {
				return err
			}
			if created {
				out = append(out, *v)
			}
		}
		if len(out) == 0 {
			return ErrVisitExists
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrVisitExists) {
			return nil, err
		}
		return nil, fmt.Errorf("store: assign visit: %w", err)
	}
	return out, nil
}

// cancelVisits cancels a family's open visits of kind.
func cancelVisits(tx *gorm.DB, familyID uint, kind models.VisitKind, now time.Time) error {
	return tx.Model(&models.Visit{}).Where("family_id = ? AND kind = ? AND state = ?", familyID, kind, models.VisitOpen).
		Updates(map[string]any{"state": models.VisitCancelled, "updated_at": now.UTC()}).Error
}

// CancelVisit cancels an open visit (no longer wanted). false: it was not
// open.
func (s *Store) CancelVisit(ctx context.Context, id uint, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&models.Visit{}).Where("id = ? AND state = ?", id, models.VisitOpen).
		Updates(map[string]any{"state": models.VisitCancelled, "updated_at": now.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("store: cancel visit: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.VisitByID(ctx, id); err != nil {
			return false, err
		}
	}
	return res.RowsAffected > 0, nil
}

// TidyVisits keeps the open visits to someone who can make them: those of
// a family that left are cancelled, and those of a cadre who left or is
// not on Telegram go back to the branch's organizers. It returns how many
// of each.
func (s *Store) TidyVisits(ctx context.Context, now time.Time) (cancelled, released int, err error) {
	db := s.db.WithContext(ctx)
	left := db.Model(&models.Member{}).Select("id").Where("status = ?", models.StatusLeft)
	res := db.Model(&models.Visit{}).Where("state = ? AND family_id IN (?)", models.VisitOpen, left).
		Updates(map[string]any{"state": models.VisitCancelled, "updated_at": now.UTC()})
	if res.Error != nil {
		return 0, 0, fmt.Errorf("store: tidy visits: %w", res.Error)
	}
	cancelled = int(res.RowsAffected)
	unreachable := db.Model(&models.Member{}).Select("id").Where("status = ? OR telegram_id IS NULL", models.StatusLeft)
	res = db.Model(&models.Visit{}).Where("state = ? AND assignee_id IN (?)", models.VisitOpen, unreachable).
		Updates(map[string]any{"assignee_id": nil, "updated_at": now.UTC()})
	if res.Error != nil {
		return cancelled, 0, fmt.Errorf("store: tidy visits: %w", res.Error)
	}
	return cancelled, int(res.RowsAffected), nil
}

// VisitRow is a visit with whom it is to and by, for lists and the log.
type VisitRow struct {
	models.Visit
	FamilyName, FamilyPhone, Household string
	BranchPath                         string
	AssigneeName, DoneByName           string
}

// Item is the visit as a list shows it.
func (r VisitRow) Item() planner.VisitItem {
	return planner.VisitItem{ID: r.ID, Name: r.FamilyName, Household: r.Household, Kind: r.Kind, By: r.By, Branch: r.BranchPath}
}

// VisitQuery picks visits: within Scope (the families' branches), of
// Assignee (with the unassigned ones of the branches an organizer covers
// when Unassigned), in States, with a window ending or a visit made in
// [From, To) when set.
type VisitQuery struct {
	ID         uint
	Scope      *models.Scope
	Assignee   uint
	Unassigned *models.Scope
	States     []models.VisitState
	// From, To bound the period by its first and last-but-one midnights
	// in the association's zone: their own zone names the days.
	From, To time.Time
	Untold   bool // only the missed visits not told yet
	Limit    int
}

// dayOf is the calendar day t names in its own zone, as a models.Day.
func dayOf(t time.Time) models.Day {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Visits lists visits by their last day.
func (s *Store) Visits(ctx context.Context, q VisitQuery) ([]VisitRow, error) {
	db := s.db.WithContext(ctx).Table("visits").
		Select(`visits.*, fm.name AS family_name, COALESCE(fm.phone, '') AS family_phone, COALESCE(families.household, '') AS household,
			COALESCE(branches.path, '') AS branch_path, COALESCE(am.name, '') AS assignee_name, COALESCE(dm.name, '') AS done_by_name`).
		Joins("JOIN members fm ON fm.id = visits.family_id").
		Joins("LEFT JOIN families ON families.member_id = visits.family_id").
		Joins("LEFT JOIN branches ON branches.id = visits.branch_id").
		Joins("LEFT JOIN members am ON am.id = visits.assignee_id").
		Joins("LEFT JOIN members dm ON dm.id = visits.done_by")
	if q.ID != 0 {
		db = db.Where("visits.id = ?", q.ID)
	}
	if len(q.States) > 0 {
		db = db.Where("visits.state IN ?", q.States)
	}
	if !q.From.IsZero() {
		from, to := dayOf(q.From), dayOf(q.To)
		db = db.Where("(visits.by_day >= ? AND visits.by_day < ?) OR (visits.done_on >= ? AND visits.done_on < ?)", from, to, from, to)
	}
	if q.Untold {
		db = db.Where("visits.missed_told = ?", false)
	}
	if q.Assignee != 0 {
		if q.Unassigned != nil {
			ids, err := s.branchIDsIn(ctx, *q.Unassigned)
			if err != nil {
				return nil, err
			}
			db = db.Where("visits.assignee_id = ? OR (visits.assignee_id IS NULL AND visits.branch_id IN ?)", q.Assignee, append(ids, 0))
		} else {
			db = db.Where("visits.assignee_id = ?", q.Assignee)
		}
	}
	if q.Scope != nil && !q.Scope.Admin {
		ids, err := s.branchIDsIn(ctx, *q.Scope)
		if err != nil {
			return nil, err
		}
		db = db.Where("visits.branch_id IN ?", append(ids, 0))
	}
	if q.Limit > 0 {
		db = db.Limit(q.Limit)
	}
	var rows []VisitRow
	if err := db.Order("visits.by_day, visits.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: visits: %w", err)
	}
	return rows, nil
}

// VisitByID reads one visit.
func (s *Store) VisitByID(ctx context.Context, id uint) (*VisitRow, error) {
	rows, err := s.Visits(ctx, VisitQuery{ID: id})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// MayCloseVisit is the rule for closing a visit: its cadre, or an
// organizer (or admin) whose scope covers the family's branch.
func MayCloseVisit(v *VisitRow, by *models.Member, scope models.Scope) error {
	switch {
	case by == nil || !by.OnRoster():
		return models.ErrVisitNotYours
	case v.AssigneeID != nil && *v.AssigneeID == by.ID:
		return nil
	case by.IsOrganizer() && (scope.Admin || (v.BranchPath != "" && scope.Covers(v.BranchPath))):
		return nil
	}
	return models.ErrVisitNotYours
}

// DoneVisit records a visit made today by its cadre or an organizer of the
// family's branch (MayCloseVisit), with an optional note and what was
// given; a follow-up plans the next. Refused: not theirs, not open, or its
// window not begun.
func (s *Store) DoneVisit(ctx context.Context, id uint, by *models.Member, scope models.Scope, note, gave string, loc *time.Location, now time.Time) (*VisitRow, error) {
	today := models.DayOf(now, loc)
	v, err := s.VisitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := MayCloseVisit(v, by, scope); err != nil {
		return nil, err
	}
	if err := validVisitWords(note, gave); err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur models.Visit
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&cur, id).Error; err != nil {
			return notFound(err)
		}
		switch {
		case cur.State != models.VisitOpen:
			return models.ErrVisitClosed
		case today.Before(cur.From):
			return models.ErrVisitNotYet
		}
		var doneBy *uint // nil: recorded from the command line
		if by.ID != 0 {
			doneBy = &by.ID
		}
		res := tx.Model(&models.Visit{}).Where("id = ? AND state = ?", id, models.VisitOpen).Updates(map[string]any{
			"state": models.VisitDone, "done_on": today, "done_by": doneBy, "note": note, "gave": gave, "updated_at": now.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.ErrVisitClosed
		}
		return nextFollowup(tx, &cur, today, now)
	})
	if err != nil {
		if isVisitRefusal(err) {
			return nil, err
		}
		return nil, fmt.Errorf("store: visit done: %w", err)
	}
	return s.VisitByID(ctx, id)
}

// nextFollowup plans a follow-up's next visit, every months after day.
func nextFollowup(tx *gorm.DB, v *models.Visit, day models.Day, now time.Time) error {
	if v.Kind != models.VisitFollowup || v.EveryMonths < 1 {
		return nil
	}
	var to *uint
	if v.AssigneeID != nil {
		var f models.Family
		if err := tx.Where("member_id = ?", v.FamilyID).Take(&f).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if f.CentreID == nil || *f.CentreID != *v.AssigneeID {
			to = v.AssigneeID // assigned by name: the same cadre
		}
	}
	_, _, err := planVisit(tx, models.VisitFollowup, v.FamilyID, models.FollowupWindow(day, v.EveryMonths), v.EveryMonths, to, v.CreatedBy, now)
	if errors.Is(err, ErrNotFound) {
		return nil // the family left
	}
	return err
}

// AnnotateVisit adds a note, what was given or a photo to a visit made,
// by who made it or an organizer of the family's branch ("" keeps each).
func (s *Store) AnnotateVisit(ctx context.Context, id uint, by *models.Member, scope models.Scope, note, gave, photo string, now time.Time) (*VisitRow, error) {
	v, err := s.VisitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.State != models.VisitDone {
		return nil, models.ErrVisitClosed
	}
	if v.DoneBy == nil || *v.DoneBy != by.ID {
		if err := MayCloseVisit(v, by, scope); err != nil {
			return nil, err
		}
	}
	if err := validVisitWords(note, gave); err != nil {
		return nil, err
	}
	updates := map[string]any{"updated_at": now.UTC()}
	if note != "" {
		updates["note"] = note
	}
	if gave != "" {
		updates["gave"] = gave
	}
	if photo != "" {
		updates["photo_file_id"] = photo
	}
	if err := s.db.WithContext(ctx).Model(&models.Visit{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return nil, fmt.Errorf("store: annotate visit: %w", err)
	}
	return s.VisitByID(ctx, id)
}

func validVisitWords(note, gave string) error {
	if len([]rune(note)) > models.MaxVisitNote || (note != "" && !models.ValidText(note, true)) ||
		len([]rune(gave)) > models.MaxVisitGave || (gave != "" && !models.ValidText(gave, false)) {
		return models.ErrBadText
	}
	return nil
}

func isVisitRefusal(err error) bool {
	for _, e := range []error{models.ErrVisitNotYours, models.ErrVisitClosed, models.ErrVisitNotYet, models.ErrBadText, ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// MissVisits marks the open visits whose window ended before today
// missed (a follow-up plans its next), and returns them.
func (s *Store) MissVisits(ctx context.Context, today models.Day, now time.Time) ([]models.Visit, error) {
	var missed []models.Visit
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("state = ? AND by_day < ?", models.VisitOpen, today).Find(&missed).Error; err != nil {
			return err
		}
		for i := range missed {
			res := tx.Model(&models.Visit{}).Where("id = ? AND state = ?", missed[i].ID, models.VisitOpen).
				Updates(map[string]any{"state": models.VisitMissed, "updated_at": now.UTC()})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				continue
			}
			missed[i].State = models.VisitMissed
			// The next follow-up counts from this one's due day (a week
			// before its window ends), so that a miss does not drift them.
			if err := nextFollowup(tx, &missed[i], missed[i].By.AddDate(0, 0, -7), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: miss visits: %w", err)
	}
	return missed, nil
}

// PlanCareVisits plans, once the weeks before the next Spring Festival
// have begun, the care visit of every family in difficulty, and once
// those before 六一 have, of the families in difficulty of the branches
// that want it (a branch, or one above it, with CareJune): once each.
func (s *Store) PlanCareVisits(ctx context.Context, today models.Day, now time.Time) (int, error) {
	festival := models.CareWindow(calendar.NextSpringFestival(today))
	june := models.ChildrensDayWindow(today.Year())
	inJune := !today.Before(june.From) && !today.After(june.By)
	if today.Before(festival.From) && !inJune {
		return 0, nil
	}
	var fams []struct {
		MemberID uint
		Path     *string
	}
	if err := s.db.WithContext(ctx).Table("families").Select("families.member_id, branches.path AS path").
		Joins("JOIN members ON members.id = families.member_id").
		Joins("LEFT JOIN branches ON branches.id = members.branch_id").
		Where("families.difficulty = ?", true).Scan(&fams).Error; err != nil {
		return 0, fmt.Errorf("store: care visits: %w", err)
	}
	var juneScope models.Scope
	if inJune {
		if err := s.db.WithContext(ctx).Model(&models.Branch{}).Where("care_june = ?", true).Pluck("path", &juneScope.Paths).Error; err != nil {
			return 0, fmt.Errorf("store: care visits: %w", err)
		}
	}
	// The visits planned already (each run of the day finds them): no
	// transaction for those.
	var planned []struct {
		FamilyID uint
		Slot     string
	}
	if err := s.db.WithContext(ctx).Model(&models.Visit{}).Select("family_id, slot").
		Where("kind = ? AND slot IN ?", models.VisitCare, []string{festival.Slot, june.Slot}).Scan(&planned).Error; err != nil {
		return 0, fmt.Errorf("store: care visits: %w", err)
	}
	has := map[[2]any]bool{}
	for _, p := range planned {
		has[[2]any{p.FamilyID, p.Slot}] = true
	}
	n := 0
	for _, f := range fams {
		var windows []models.Window
		if !today.Before(festival.From) {
			windows = append(windows, festival)
		}
		if inJune && f.Path != nil && juneScope.Covers(*f.Path) {
			windows = append(windows, june)
		}
		for _, w := range windows {
			if has[[2]any{f.MemberID, w.Slot}] {
				continue
			}
			err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				_, created, err := planVisit(tx, models.VisitCare, f.MemberID, w, 0, nil, nil, now)
				if created {
					n++
				}
				if errors.Is(err, ErrNotFound) {
					return nil // left
				}
				return err
			})
			if err != nil {
				return n, fmt.Errorf("store: care visits: %w", err)
			}
		}
	}
	return n, nil
}

// SetCareJune says whether the branch at path (and those below it) visits
// its families in difficulty before 六一 too.
func (s *Store) SetCareJune(ctx context.Context, path string, yes bool) error {
	res := s.db.WithContext(ctx).Model(&models.Branch{}).Where("path = ?", path).Update("care_june", yes)
	if res.Error != nil {
		return fmt.Errorf("store: care june: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// VisitFigures are a branch's visits in a period: done, missed.
type VisitFigures struct {
	Done, Missed int
}

// VisitFiguresIn counts the visits of the branches within paths whose
// window ended, or that were made, in [from, to).
func (s *Store) VisitFiguresIn(ctx context.Context, scope models.Scope, from, to time.Time) (VisitFigures, error) {
	rows, err := s.Visits(ctx, VisitQuery{Scope: &scope, States: []models.VisitState{models.VisitDone, models.VisitMissed}, From: from, To: to})
	if err != nil {
		return VisitFigures{}, err
	}
	var f VisitFigures
	for _, r := range rows {
		if r.State == models.VisitDone {
			f.Done++
		} else {
			f.Missed++
		}
	}
	return f, nil
}

// TellMissedVisits enqueues the notices of missed visits and marks the
// visits told, in one transaction: each missed visit is told once.
func (s *Store) TellMissedVisits(ctx context.Context, notices []planner.Message, visitIDs []uint) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if n, err = enqueue(tx, s.sms, notices...); err != nil {
			return err
		}
		if len(visitIDs) == 0 {
			return nil
		}
		return tx.Model(&models.Visit{}).Where("id IN ?", visitIDs).Update("missed_told", true).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: tell missed visits: %w", err)
	}
	return n, nil
}

// MissedUntold lists the missed visits not told to the organizers yet.
func (s *Store) MissedUntold(ctx context.Context) ([]VisitRow, error) {
	return s.Visits(ctx, VisitQuery{States: []models.VisitState{models.VisitMissed}, Untold: true})
}

// MembersOf are the members of an audience who have not left (the
// families a visit is given to by tag or branch).
func (s *Store) MembersOf(ctx context.Context, a models.Audience) ([]models.Member, error) {
	db := s.db.WithContext(ctx)
	q, err := inAudience(db, db.Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft), a)
	if err != nil {
		return nil, fmt.Errorf("store: members of: %w", err)
	}
	var out []models.Member
	if err := q.Order("members.id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: members of: %w", err)
	}
	return out, nil
}
