package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
)

// Why an action on a plan is refused.
var (
	ErrNotYourPlan  = errors.New("store: the plan is not the member's, nor in a branch they organize")
	ErrPlanStale    = errors.New("store: the plan has moved on (closed, done, or a later cycle)")
	ErrCheckDecided = errors.New("store: the check was decided already")
	ErrKindExists   = errors.New("store: a kind with this key exists")
	ErrDutyAudience = errors.New("store: a duty is assigned to a branch's organizers, or to listed organizers")
	ErrOwnCheck     = errors.New("store: an organizer does not confirm their own check")
	// ErrNobodyConfirms: nobody can confirm the member's check (no
	// organizer of their branch or above it, no admin, reachable); the
	// report is not taken, so that it does not wait for ever.
	ErrNobodyConfirms = errors.New("store: nobody can confirm the check")
)

// PlanKinds lists the kinds of checks and duties, by key.
func (s *Store) PlanKinds(ctx context.Context) ([]models.PlanKind, error) {
	var ks []models.PlanKind
	if err := s.db.WithContext(ctx).Order("for_role DESC, key").Find(&ks).Error; err != nil {
		return nil, fmt.Errorf("store: plan kinds: %w", err)
	}
	return ks, nil
}

// PlanKindByKey finds a kind.
func (s *Store) PlanKindByKey(ctx context.Context, key string) (*models.PlanKind, error) {
	var k models.PlanKind
	if err := s.db.WithContext(ctx).Where("key = ?", key).Take(&k).Error; err != nil {
		return nil, notFound(err)
	}
	return &k, nil
}

// AddPlanKind adds a kind after models.PlanKind.Validate.
func (s *Store) AddPlanKind(ctx context.Context, k *models.PlanKind) error {
	if err := k.Validate(); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Create(k).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return ErrKindExists
	}
	if err != nil {
		return fmt.Errorf("store: add plan kind: %w", err)
	}
	return nil
}

// loadPlan reads a plan with its kind and its member (with branch) in tx.
func loadPlan(tx *gorm.DB, id uint) (*models.Plan, error) {
	var p models.Plan
	if err := tx.Preload("Kind").Preload("Member").Preload("Member.Branch").
		Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&p, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// PlanByID reads a plan with its kind and member.
func (s *Store) PlanByID(ctx context.Context, id uint) (*models.Plan, error) {
	return loadPlan(s.db.WithContext(ctx), id)
}

// Assignment is what AssignPlans did.
type Assignment struct {
	Created int // new plans
	Kept    int // members who had one of the kind already
}

// AssignPlans gives a kind of plan to everyone in the audience who does not
// have it yet: for a check, the audience's members who have not left; for a
// duty, the organizers of the audience's branches. The first due date is
// firstDue, else the kind's (models.PlanKind.FirstDue). Assigning again
// changes nothing.
func (s *Store) AssignPlans(ctx context.Context, k *models.PlanKind, a models.Audience, firstDue *models.Day, by *uint, loc *time.Location, now time.Time) (Assignment, error) {
	var res Assignment
	err := s.bulk.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		members, err := assignees(tx, k, a)
		if err != nil {
			return err
		}
		plans := make([]models.Plan, 0, len(members))
		for i := range members {
			m := &members[i]
			due := firstDue
			if due == nil {
				d, err := k.FirstDue(models.DayOf(now, m.Zone(loc)))
				if err != nil {
					return err
				}
				due = &d
			}
			p := models.Plan{KindID: k.ID, MemberID: m.ID, State: models.PlanOpen, NextDue: *due, AssignedBy: by}
			p.NextRemindAt = planner.NextRemind(&p, k, m.Zone(loc))
			plans = append(plans, p)
		}
		if len(plans) == 0 {
			return nil
		}
		// A one-off plan of the kind that closed (a past campaign) gives
		// way: it is opened again as the kind's own, recurring.
		ids := make([]uint, len(plans))
		for i := range plans {
			ids[i] = plans[i].MemberID
		}
		closedOnce := map[uint]bool{}
		for start := 0; start < len(ids); start += 500 {
			var found []uint
			if err := tx.Model(&models.Plan{}).Where("kind_id = ? AND state = ? AND once = ? AND member_id IN ?", k.ID, models.PlanClosed, true,
				ids[start:min(start+500, len(ids))]).Pluck("member_id", &found).Error; err != nil {
				return err
			}
			for _, id := range found {
				closedOnce[id] = true
			}
		}
		reopened := 0
		for i := range plans {
			p := &plans[i]
			if !closedOnce[p.MemberID] {
				continue
			}
			r := tx.Model(&models.Plan{}).Where("member_id = ? AND kind_id = ? AND state = ? AND once = ?", p.MemberID, k.ID, models.PlanClosed, true).
				Updates(map[string]any{"state": models.PlanOpen, "once": false, "next_due": p.NextDue, "cycle": gorm.Expr("cycle + 1"), "slot": 0,
					"snooze_at": nil, "overdue_since": nil, "overdue_told": false, "next_remind_at": p.NextRemindAt, "assigned_by": by, "updated_at": now.UTC()})
			if r.Error != nil {
				return r.Error
			}
			reopened += int(r.RowsAffected)
		}
		r := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(plans, 500)
		if r.Error != nil {
			return r.Error
		}
		res.Created = int(r.RowsAffected) + reopened
		res.Kept = len(plans) - res.Created
		return nil
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("store: assign plans: %w", err)
	}
	return res, nil
}

// assignees are whom a kind given to an audience goes to: for a check, the
// audience's members who have not left; for a duty, the organizers of the
// audience's branches (or those listed, if they are organizers).
func assignees(tx *gorm.DB, k *models.PlanKind, a models.Audience) ([]models.Member, error) {
	if err := branchExists(tx, a); err != nil {
		return nil, err
	}
	q := tx.Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft)
	q, err := inAudience(tx, q, a)
	if err != nil {
		return nil, err
	}
	if k.For == models.ForDuty {
		q = tx.Model(&models.Member{}).Where("members.status <> ? AND members.role = ?", models.StatusLeft, models.RoleOrganizer)
		switch path, isBranch := a.IsBranch(); {
		case isBranch:
			q = q.Where("members.id IN (?)", tx.Model(&models.OrganizerScope{}).Select("member_id").
				Where("branch_id IN (?)", branchesWithin(tx, path).Select("id")))
		default:
			ids, ok := a.IsMembers()
			if !ok {
				return nil, ErrDutyAudience
			}
			q = q.Where("members.id IN ?", ids)
		}
	}
	var members []models.Member
	err = q.Find(&members).Error
	return members, err
}

// AssignOnce gives a one-off plan of kind k, due on due, to the audience
// (assignees): reminded and escalated like any, closed when done, never
// renewed. One who has the kind open already keeps it (Kept); one whose
// plan of the kind is closed (a past campaign's) has it opened again, due
// on due.
func (s *Store) AssignOnce(ctx context.Context, k *models.PlanKind, a models.Audience, due models.Day, by *uint, loc *time.Location, now time.Time) (Assignment, error) {
	var res Assignment
	err := s.bulk.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		members, err := assignees(tx, k, a)
		if err != nil {
			return err
		}
		for i := range members {
			m := &members[i]
			var old models.Plan
			err := tx.Where("member_id = ? AND kind_id = ?", m.ID, k.ID).Take(&old).Error
			switch {
			case err == nil && old.State != models.PlanClosed:
				res.Kept++
				continue
			case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
				return err
			}
			p := models.Plan{KindID: k.ID, MemberID: m.ID, State: models.PlanOpen, NextDue: due, AssignedBy: by, Once: true}
			p.NextRemindAt = planner.NextRemind(&p, k, m.Zone(loc))
			if err == nil { // a closed plan of the kind, opened again
				if err := tx.Model(&models.Plan{}).Where("id = ?", old.ID).Updates(map[string]any{
					"state": models.PlanOpen, "next_due": due, "cycle": old.Cycle + 1, "slot": 0, "snooze_at": nil, "overdue_since": nil,
					"overdue_told": false, "next_remind_at": p.NextRemindAt, "once": true, "assigned_by": by, "updated_at": now.UTC()}).Error; err != nil {
					return err
				}
			} else if err := tx.Create(&p).Error; err != nil {
				return err
			}
			res.Created++
		}
		return nil
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("store: assign once: %w", err)
	}
	return res, nil
}

// DuePlans lists up to limit open plans whose next reminder is due by now,
// with their kind and member: the planner's indexed read.
func (s *Store) DuePlans(ctx context.Context, now time.Time, limit int) ([]models.Plan, error) {
	var ps []models.Plan
	// The members' columns the planner needs: their zone (and id).
	err := s.db.WithContext(ctx).Preload("Kind").
		Preload("Member", func(db *gorm.DB) *gorm.DB { return db.Select("id", "tz", "status", "role") }).
		Where("state = ? AND next_remind_at <= ?", models.PlanOpen, now.UTC()).
		Order("next_remind_at, id").Limit(limit).Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("store: due plans: %w", err)
	}
	return ps, nil
}

// ApplyPlanSteps writes what ticks decided (planner.PlanTick), in one
// transaction: each plan's new fields, its missed dates, its reminders. A
// plan that changed meanwhile (done, closed, snoozed) is left as it is, and
// its reminders are not written. It returns how many reminders are new.
func (s *Store) ApplyPlanSteps(ctx context.Context, before []models.Plan, steps []planner.PlanStep, now time.Time) (int, error) {
	n := 0
	err := s.bulk.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var reminders []planner.Message
		for i, st := range steps {
			if !st.Changed {
				continue
			}
			old, p := before[i], st.Plan
			// Only what changed, row by row: the guard on state, cycle and
			// slot is per plan, and an unchanged column costs its indexes
			// nothing.
			set, args := planChanges(&old, &p)
			args = append(args, now.UTC(), old.ID, models.PlanOpen, old.Cycle, old.Slot)
			// A ⏰ tap between the read and this write wins.
			snooze := " AND snooze_at IS NULL"
			if old.SnoozeAt != nil {
				snooze = " AND snooze_at = ?"
				args = append(args, old.SnoozeAt.UTC())
			}
			res := tx.Exec("UPDATE plans SET "+set+"updated_at = ? WHERE id = ? AND state = ? AND cycle = ? AND slot = ?"+snooze, args...)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				continue
			}
			for j, day := range st.Missed {
				rec := models.CheckRecord{PlanID: p.ID, Cycle: old.Cycle + j, DoneOn: day, Status: models.CheckMissed}
				if err := tx.Create(&rec).Error; err != nil {
					return err
				}
			}
			reminders = append(reminders, st.Reminders...)
		}
		var err error
		n, err = enqueue(tx, s.sms, reminders...)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: apply plan steps: %w", err)
	}
	return n, nil
}

// planChanges lists the columns a tick changed, as "col = ?, " with their
// values.
func planChanges(old, p *models.Plan) (string, []any) {
	var set strings.Builder
	var args []any
	add := func(col string, v any) {
		set.WriteString(col + " = ?, ")
		args = append(args, v)
	}
	if !old.NextDue.Equal(p.NextDue) {
		add("next_due", p.NextDue)
	}
	if old.Cycle != p.Cycle {
		add("cycle", p.Cycle)
	}
	if old.Slot != p.Slot {
		add("slot", p.Slot)
	}
	if !sameInstant(old.NextRemindAt, p.NextRemindAt) {
		add("next_remind_at", p.NextRemindAt)
	}
	if !sameInstant(old.SnoozeAt, p.SnoozeAt) {
		add("snooze_at", p.SnoozeAt)
	}
	if !sameInstant(old.OverdueSince, p.OverdueSince) {
		add("overdue_since", p.OverdueSince)
	}
	if old.OverdueTold != p.OverdueTold {
		add("overdue_told", p.OverdueTold)
	}
	if old.State != p.State {
		add("state", p.State)
	}
	return set.String(), args
}

func sameInstant(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// withdrawPlanReminders skips a plan's reminders still waiting: it was done.
func withdrawPlanReminders(tx *gorm.DB, planID uint) error {
	return withdraw(tx, "plan_id = ? AND kind = ?", planID, string(outbox.KindCheckReminder))
}

// advance starts the plan's next cycle after it was done on day; a
// one-off plan is closed instead.
func advance(tx *gorm.DB, p *models.Plan, day models.Day, zone *time.Location, now time.Time) error {
	if p.Once {
		p.LastDone, p.State, p.Slot, p.SnoozeAt, p.OverdueSince, p.OverdueTold, p.NextRemindAt = &day, models.PlanClosed, 0, nil, nil, false, nil
		if err := withdrawPlanReminders(tx, p.ID); err != nil {
			return err
		}
		return tx.Model(&models.Plan{}).Where("id = ?", p.ID).Updates(map[string]any{
			"last_done": p.LastDone, "state": p.State, "snooze_at": nil, "overdue_since": nil, "overdue_told": false,
			"next_remind_at": nil, "updated_at": now.UTC()}).Error
	}
	next, err := p.Kind.NextDue(day, p.NextDue)
	if err != nil {
		return err
	}
	p.LastDone, p.NextDue, p.Cycle, p.Slot = &day, next, p.Cycle+1, 0
	p.State, p.SnoozeAt, p.OverdueSince, p.OverdueTold = models.PlanOpen, nil, nil, false
	p.NextRemindAt = planner.NextRemind(p, p.Kind, zone)
	if err := withdrawPlanReminders(tx, p.ID); err != nil {
		return err
	}
	return tx.Model(&models.Plan{}).Where("id = ?", p.ID).Updates(map[string]any{
		"last_done": p.LastDone, "next_due": p.NextDue, "cycle": p.Cycle, "slot": 0, "state": p.State, "snooze_at": nil,
		"overdue_since": nil, "overdue_told": false, "next_remind_at": p.NextRemindAt, "updated_at": now.UTC()}).Error
}

// planRefusal is the rule for a member's own action on a plan: theirs, still
// a member, the cycle the button was for.
func planRefusal(p *models.Plan, m *models.Member, cycle int) error {
	switch {
	case !m.OnRoster() || p.MemberID != m.ID:
		return ErrNotYourPlan
	case p.State == models.PlanClosed || p.Cycle != cycle:
		return ErrPlanStale
	}
	return nil
}

// SubmitCheck is a member's ✅ Done (with a certificate's photo, or "" for
// none) for the cycle their button was for. A check waits for an organizer
// of the member's branch, who is asked in the same transaction, and its
// reminders stop; a duty's own assignee closes it at once. A photo sent
// after the tap is added to the waiting report.
func (s *Store) SubmitCheck(ctx context.Context, planID uint, cycle int, m *models.Member, photo string, loc *time.Location, now time.Time) (*models.CheckRecord, *models.Plan, error) {
	var rec models.CheckRecord
	var p *models.Plan
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if p, err = loadPlan(tx, planID); err != nil {
			return err
		}
		if err := planRefusal(p, m, cycle); err != nil {
			return err
		}
		zone := p.Member.Zone(loc)
		if p.Kind.For == models.ForDuty {
			rec = models.CheckRecord{PlanID: p.ID, Cycle: p.Cycle, DoneOn: models.DayOf(now, zone), Status: models.CheckApproved,
				ByMemberID: &m.ID, PhotoFileID: photo, DecidedAt: ptrTime(now.UTC())}
			if err := tx.Create(&rec).Error; err != nil {
				return err
			}
			return advance(tx, p, rec.DoneOn, zone, now)
		}
		if p.State == models.PlanSubmitted {
			// A photo after the tap: to the report that waits.
			if err := tx.Where("plan_id = ? AND cycle = ? AND status = ?", p.ID, p.Cycle, models.CheckPending).
				Order("id DESC").Take(&rec).Error; err != nil {
				return notFound(err)
			}
			if photo == "" || rec.PhotoFileID != "" {
				return nil // tapped twice: nothing new
			}
			if err := tx.Model(&rec).Update("photo_file_id", photo).Error; err != nil {
				return err
			}
			rec.PhotoFileID = photo
		} else {
			rec = models.CheckRecord{PlanID: p.ID, Cycle: p.Cycle, DoneOn: models.DayOf(now, zone), Status: models.CheckPending,
				ByMemberID: &m.ID, PhotoFileID: photo}
			if err := tx.Create(&rec).Error; err != nil {
				return err
			}
			if err := tx.Model(&models.Plan{}).Where("id = ?", p.ID).Updates(map[string]any{
				"state": models.PlanSubmitted, "next_remind_at": nil, "snooze_at": nil, "updated_at": now.UTC()}).Error; err != nil {
				return err
			}
			p.State = models.PlanSubmitted
			if err := withdrawPlanReminders(tx, p.ID); err != nil {
				return err
			}
		}
		// Those who decide for the branch, escalated as join requests are
		// (its organizers and those above, else the admins), never the
		// member: a report nobody is asked about is not taken.
		d, err := decidersFor(tx, branchPath(p.Member), p.MemberID)
		if err != nil {
			return err
		}
		n, err := enqueue(tx, s.sms, planner.CheckSubmitted(p, p.Kind, p.Member.Name, branchPath(p.Member), d.IDs, &rec, now))
		if err == nil && n == 0 {
			err = ErrNobodyConfirms
		}
		return err
	})
	if err != nil {
		if isRuleErr(err) || errors.Is(err, ErrNotYourPlan) || errors.Is(err, ErrPlanStale) || errors.Is(err, ErrNobodyConfirms) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("store: submit check: %w", err)
	}
	return &rec, p, nil
}

func branchPath(m *models.Member) string {
	if m != nil && m.Branch != nil {
		return m.Branch.Path
	}
	return ""
}

func ptrTime(t time.Time) *time.Time { return &t }

// SnoozePlan is ⏰ Remind me tomorrow: the member's own plan is reminded
// again at 09:00 the next day in their zone.
func (s *Store) SnoozePlan(ctx context.Context, planID uint, cycle int, m *models.Member, loc *time.Location, now time.Time) (*models.Plan, error) {
	var p *models.Plan
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if p, err = loadPlan(tx, planID); err != nil {
			return err
		}
		if err := planRefusal(p, m, cycle); err != nil {
			return err
		}
		if p.State != models.PlanOpen {
			return ErrPlanStale
		}
		zone := p.Member.Zone(loc)
		at := planner.Tomorrow(now, zone).UTC()
		p.SnoozeAt = &at
		p.NextRemindAt = planner.NextRemind(p, p.Kind, zone)
		return tx.Model(&models.Plan{}).Where("id = ?", p.ID).
			Updates(map[string]any{"snooze_at": p.SnoozeAt, "next_remind_at": p.NextRemindAt, "updated_at": now.UTC()}).Error
	})
	if err != nil {
		if errors.Is(err, ErrNotYourPlan) || errors.Is(err, ErrPlanStale) || errors.Is(err, ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: snooze plan: %w", err)
	}
	return p, nil
}

// MayDecide is the one rule for closing a plan's cycle for someone
// (approve, reject, record done: the bot and the CLI alike): a member's
// check in a branch within the decider's scope; a duty, admins only (its
// own assignee closes it by their own tap, another way); and never one's
// own plan, admins included. by is nil for the CLI's operator, who is no
// member. It returns the refusal, or nil.
func MayDecide(scope models.Scope, by *models.Member, p *models.Plan) error {
	switch {
	case !scope.Admin && p.Kind.For == models.ForDuty:
		return ErrNotYourPlan
	case !scope.CoversMember(p.Member):
		return ErrNotYourPlan
	}
	if by != nil && p.MemberID == by.ID {
		return ErrOwnCheck
	}
	return nil
}

// DecideCheck approves or rejects a member's report that a check is done,
// for an organizer whose scope covers the member's branch. Approval starts
// the next cycle from the date reported; a rejection keeps the plan open
// (its reminders resume) and gives the member the organizer's words. The
// member is told in the same transaction.
func (s *Store) DecideCheck(ctx context.Context, recordID uint, scope models.Scope, by *models.Member, approve bool, note string, loc *time.Location, now time.Time) (*models.CheckRecord, *models.Plan, error) {
	if !models.ValidText(note, true) {
		return nil, nil, fmt.Errorf("store: decide check: %w", models.ErrBadText)
	}
	var rec models.CheckRecord
	var p *models.Plan
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&rec, recordID).Error; err != nil {
			return notFound(err)
		}
		var err error
		if p, err = loadPlan(tx, rec.PlanID); err != nil {
			return err
		}
		if err := MayDecide(scope, by, p); err != nil {
			return err
		}
		if rec.Status != models.CheckPending || p.Cycle != rec.Cycle || p.State != models.PlanSubmitted {
			return ErrCheckDecided
		}
		rec.Status, rec.ByMemberID, rec.DecidedAt = models.CheckRejected, &by.ID, ptrTime(now.UTC())
		if approve {
			rec.Status = models.CheckApproved
		} else {
			rec.Note = truncateText(note, 500)
		}
		res := tx.Model(&models.CheckRecord{}).Where("id = ? AND status = ?", rec.ID, models.CheckPending).
			Updates(map[string]any{"status": rec.Status, "by_member_id": by.ID, "decided_at": rec.DecidedAt, "note": rec.Note})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrCheckDecided
		}
		zone := p.Member.Zone(loc)
		if approve {
			if err := advance(tx, p, rec.DoneOn, zone, now); err != nil {
				return err
			}
		} else {
			p.State = models.PlanOpen
			p.NextRemindAt = planner.NextRemind(p, p.Kind, zone)
			if err := tx.Model(&models.Plan{}).Where("id = ?", p.ID).
				Updates(map[string]any{"state": p.State, "next_remind_at": p.NextRemindAt, "updated_at": now.UTC()}).Error; err != nil {
				return err
			}
		}
		_, err = enqueue(tx, s.sms, planner.CheckDecision(p, p.Kind, &rec, by.Name, now))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotYourPlan) || errors.Is(err, ErrCheckDecided) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrOwnCheck) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("store: decide check: %w", err)
	}
	return &rec, p, nil
}

// RecordCheck is an organizer's record that a plan's cycle was done on day
// (nil: today in the member's zone), from the overdue list, a member list,
// or the CLI with by nil: the next cycle starts from day, the member is
// told. A report waiting for a decision is the one recorded. cycle < 0
// records whatever cycle is current (the CLI).
func (s *Store) RecordCheck(ctx context.Context, planID uint, cycle int, scope models.Scope, by *models.Member, day *models.Day, loc *time.Location, now time.Time) (*models.CheckRecord, *models.Plan, error) {
	var rec models.CheckRecord
	var p *models.Plan
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if p, err = loadPlan(tx, planID); err != nil {
			return err
		}
		if err := MayDecide(scope, by, p); err != nil {
			return err
		}
		if p.State == models.PlanClosed || (cycle >= 0 && p.Cycle != cycle) {
			return ErrPlanStale
		}
		zone := p.Member.Zone(loc)
		done := models.DayOf(now, zone)
		if day != nil {
			done = *day
		}
		err = tx.Where("plan_id = ? AND cycle = ? AND status = ?", p.ID, p.Cycle, models.CheckPending).Order("id DESC").Take(&rec).Error
		switch {
		case err == nil:
			rec.DoneOn, rec.Status, rec.DecidedAt = done, models.CheckApproved, ptrTime(now.UTC())
			if by != nil {
				rec.ByMemberID = &by.ID
			}
			if err := tx.Save(&rec).Error; err != nil {
				return err
			}
		case errors.Is(err, gorm.ErrRecordNotFound):
			rec = models.CheckRecord{PlanID: p.ID, Cycle: p.Cycle, DoneOn: done, Status: models.CheckApproved, DecidedAt: ptrTime(now.UTC())}
			if by != nil {
				rec.ByMemberID = &by.ID
			}
			if err := tx.Create(&rec).Error; err != nil {
				return err
			}
		default:
			return err
		}
		if err := advance(tx, p, done, zone, now); err != nil {
			return err
		}
		name := ""
		if by != nil {
			name = by.Name
		}
		_, err = enqueue(tx, s.sms, planner.CheckDecision(p, p.Kind, &rec, name, now))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotYourPlan) || errors.Is(err, ErrPlanStale) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrOwnCheck) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("store: record check: %w", err)
	}
	return &rec, p, nil
}

// CheckRecordByID reads a record.
func (s *Store) CheckRecordByID(ctx context.Context, id uint) (*models.CheckRecord, error) {
	var r models.CheckRecord
	if err := s.db.WithContext(ctx).Take(&r, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// CheckRecords lists a plan's records, oldest first.
func (s *Store) CheckRecords(ctx context.Context, planID uint) ([]models.CheckRecord, error) {
	var rs []models.CheckRecord
	if err := s.db.WithContext(ctx).Where("plan_id = ?", planID).Order("id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("store: check records: %w", err)
	}
	return rs, nil
}

// ChecksOf lists the open check plans (not duties) of members, by member,
// each member's soonest due first: the member export's check columns.
func (s *Store) ChecksOf(ctx context.Context, memberIDs []uint) (map[uint][]models.Plan, error) {
	out := map[uint][]models.Plan{}
	for start := 0; start < len(memberIDs); start += 500 {
		var ps []models.Plan
		if err := s.db.WithContext(ctx).Preload("Kind").Joins("JOIN plan_kinds ON plan_kinds.id = plans.kind_id").
			Where("plans.member_id IN ? AND plans.state <> ? AND plan_kinds.for_role = ?", memberIDs[start:min(start+500, len(memberIDs))], models.PlanClosed, models.ForMember).
			Order("plans.member_id, plans.next_due, plans.id").Find(&ps).Error; err != nil {
			return nil, fmt.Errorf("store: checks of: %w", err)
		}
		for _, p := range ps {
			out[p.MemberID] = append(out[p.MemberID], p)
		}
	}
	return out, nil
}

// PlansOf lists a member's plans that are not closed, soonest due first.
func (s *Store) PlansOf(ctx context.Context, memberID uint) ([]models.Plan, error) {
	var ps []models.Plan
	if err := s.db.WithContext(ctx).Preload("Kind").Where("member_id = ? AND state <> ?", memberID, models.PlanClosed).
		Order("next_due, id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("store: plans of: %w", err)
	}
	return ps, nil
}

// OverduePlans lists the overdue plans an organizer with scope may act on
// (MayDecide), oldest first, at most limit.
func (s *Store) OverduePlans(ctx context.Context, scope models.Scope, limit int) ([]models.Plan, error) {
	q := s.db.WithContext(ctx).Preload("Kind").Preload("Member").Preload("Member.Branch").
		Joins("JOIN plan_kinds ON plan_kinds.id = plans.kind_id").
		Where("plans.state = ? AND plans.overdue_since IS NOT NULL", models.PlanOpen)
	if !scope.Admin {
		if len(scope.Paths) == 0 {
			return nil, nil
		}
		q = q.Where("plan_kinds.for_role = ? AND plans.member_id IN (?)", models.ForMember,
			s.db.Model(&models.Member{}).Select("id").Where("branch_id IN (?)", branchesWithin(s.db, scope.Paths...).Select("id")))
	}
	var ps []models.Plan
	if err := q.Order("plans.overdue_since, plans.id").Limit(limit).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("store: overdue plans: %w", err)
	}
	return ps, nil
}

// NewlyOverdue lists the plans overdue by day whose organizers (or admins)
// have not been told yet, with kind and member.
func (s *Store) NewlyOverdue(ctx context.Context, day models.Day) ([]models.Plan, error) {
	var ps []models.Plan
	if err := s.db.WithContext(ctx).Preload("Kind").Preload("Member").Preload("Member.Branch").
		Where("overdue_told = ? AND overdue_since <= ? AND state = ?", false, day.UTC(), models.PlanOpen).
		Order("overdue_since, id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("store: newly overdue: %w", err)
	}
	return ps, nil
}

// DecidersFor are who decide for the branch at path, and the branch whose
// organizers they are ("" for the admins), except one member (0: none):
// who confirms a member's check (SubmitCheck asks them).
func (s *Store) DecidersFor(ctx context.Context, path string, except uint) (Deciders, error) {
	d, err := decidersFor(s.db.WithContext(ctx), path, except)
	if err != nil {
		return d, fmt.Errorf("store: deciders: %w", err)
	}
	return d, nil
}

// Deciders are the linked members who decide for the branch at path (its
// organizers and those above, else the admins); for "" the admins.
func (s *Store) Deciders(ctx context.Context, path string) ([]uint, error) {
	ids, err := deciders(s.db.WithContext(ctx), path)
	if err != nil {
		return nil, fmt.Errorf("store: deciders: %w", err)
	}
	return ids, nil
}

// TellOverdue enqueues the overdue digests and marks their plans told, in
// one transaction: each plan is in one day's digests once.
func (s *Store) TellOverdue(ctx context.Context, digests []planner.Message, planIDs []uint) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if n, err = enqueue(tx, s.sms, digests...); err != nil {
			return err
		}
		if len(planIDs) == 0 {
			return nil
		}
		return tx.Model(&models.Plan{}).Where("id IN ?", planIDs).Update("overdue_told", true).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: tell overdue: %w", err)
	}
	return n, nil
}

// CloseActivityDuties closes the open duties that close by themselves when
// their organizer's branch held an activity with at least one check-in in
// the duty's period (from the kind's date before the due date until now),
// dated on that activity. It returns how many it closed.
func (s *Store) CloseActivityDuties(ctx context.Context, loc *time.Location, now time.Time) (int, error) {
	closed := 0
	var ps []models.Plan
	err := s.db.WithContext(ctx).Preload("Kind").Preload("Member").
		Joins("JOIN plan_kinds ON plan_kinds.id = plans.kind_id").
		Where("plan_kinds.auto_close = ? AND plans.state = ?", models.AutoBranchActivity, models.PlanOpen).Find(&ps).Error
	if err != nil {
		return 0, fmt.Errorf("store: activity duties: %w", err)
	}
	for i := range ps {
		p := &ps[i]
		scope, err := s.Scope(ctx, p.Member)
		if err != nil {
			return closed, err
		}
		start, err := p.Kind.PeriodStart(p.NextDue)
		if err != nil {
			continue
		}
		// After the period's start, and after the activity that closed the
		// last cycle: one activity closes one period.
		start = start.AddDate(0, 0, 1)
		if p.LastDone != nil && !p.LastDone.Before(start) {
			start = p.LastDone.UTC().AddDate(0, 0, 1)
		}
		zone := p.Member.Zone(loc)
		from := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, zone)
		held, err := s.activityHeld(ctx, scope, from, now, loc)
		if err != nil {
			return closed, err
		}
		if held.IsZero() {
			continue
		}
		day := models.DayOf(held, zone)
		if _, _, err := s.RecordCheck(ctx, p.ID, p.Cycle, models.Scope{Admin: true}, nil, &day, loc, now); err == nil {
			closed++
		} else if !errors.Is(err, ErrPlanStale) {
			return closed, err
		}
	}
	return closed, nil
}

// activityHeld is the start of the first activity day of a branch within
// scope that starts at or after from and was held by now (models.Held), or
// zero.
func (s *Store) activityHeld(ctx context.Context, scope models.Scope, from, now time.Time, loc *time.Location) (time.Time, error) {
	days, err := s.activitiesHeld(ctx, from, time.Time{}, now, loc)
	if err != nil {
		return time.Time{}, err
	}
	for _, d := range days {
		if scope.Covers(d.Path) {
			return d.Occurrence, nil
		}
	}
	return time.Time{}, nil
}

// activityDay is an activity day of a branch that took place (models.Held:
// someone was checked in, and its check-in has opened).
type activityDay struct {
	Path       string
	EventID    uint
	Occurrence time.Time
}

// activitiesHeld lists the activity days of branches in [from, to) (to
// zero: no end) held by now, by date: one read. Its condition is
// models.Held's rule in SQL (TestHeldIsOneRule runs both over the same
// cases).
func (s *Store) activitiesHeld(ctx context.Context, from, to, now time.Time, loc *time.Location) ([]activityDay, error) {
	by := models.HeldStartsBy(now, loc)
	if !to.IsZero() && !to.After(by) {
		by = to.Add(-time.Nanosecond)
	}
	var rows []struct {
		Audience   string
		EventID    uint
		Occurrence time.Time
	}
	err := s.db.WithContext(ctx).Table("rsvps").Select("DISTINCT events.audience, rsvps.event_id, rsvps.occurrence").
		Joins("JOIN events ON events.id = rsvps.event_id").
		Where("events.kind = ? AND rsvps.checked_in = ? AND rsvps.occurrence >= ? AND rsvps.occurrence <= ?",
			models.EventActivityDay, true, from.UTC(), by.UTC()).Order("rsvps.occurrence, rsvps.event_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: activities held: %w", err)
	}
	var out []activityDay
	for _, r := range rows {
		a, err := models.ParseAudience(r.Audience)
		if err != nil {
			continue
		}
		if path, ok := a.IsBranch(); ok {
			out = append(out, activityDay{Path: path, EventID: r.EventID, Occurrence: r.Occurrence})
		}
	}
	return out, nil
}

// withoutActivity lists the paths that held no activity day, themselves or
// below them.
func withoutActivity(paths []string, days []activityDay) []string {
	var out []string
	for _, p := range paths {
		held := false
		for _, d := range days {
			if models.PathWithin(d.Path, p) {
				held = true
				break
			}
		}
		if !held {
			out = append(out, p)
		}
	}
	return out
}

// AllPlans lists every plan with its kind and member, by member (the CLI).
func (s *Store) AllPlans(ctx context.Context) ([]models.Plan, error) {
	var ps []models.Plan
	if err := s.db.WithContext(ctx).Preload("Kind").Preload("Member").Order("member_id, kind_id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("store: all plans: %w", err)
	}
	return ps, nil
}
