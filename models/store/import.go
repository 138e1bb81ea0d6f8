package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/roster"
)

// ImportOptions are who imports and how.
type ImportOptions struct {
	Scope    models.Scope // the importer's: branches are created and members changed only within it
	DryRun   bool         // check and count, write nothing
	Location *time.Location
	Now      time.Time
}

// ImportRoster checks parsed rows against the database and, unless a row
// is bad or it is a dry run, applies them in one transaction: all or
// nothing, an upsert by phone, so that importing the same file twice
// changes nothing. problems are the parser's, reported with the rest.
func (s *Store) ImportRoster(ctx context.Context, rows []roster.Row, problems []roster.Problem, opt ImportOptions) (*roster.Report, error) {
	rep := &roster.Report{Problems: append([]roster.Problem(nil), problems...), DryRun: opt.DryRun}
	for _, r := range rows {
		if !r.Bad {
			rep.Rows++
		}
	}
	db := s.db.WithContext(ctx)
	bad := func(r roster.Row, c roster.Column, why roster.Reason, v string) {
		rep.Problems = append(rep.Problems, roster.Problem{Line: r.Line, Column: c, Reason: why, Value: v})
	}

	kinds := map[string]*models.PlanKind{}
	var ks []models.PlanKind
	if err := db.Find(&ks).Error; err != nil {
		return nil, fmt.Errorf("store: import: %w", err)
	}
	for i := range ks {
		// A kind is named by its key or any of its names, in any script.
		for _, name := range append([]string{ks[i].Key}, ks[i].NameZhHans, ks[i].NameZhHant, ks[i].NameEn) {
			kinds[roster.KindName(name)] = &ks[i]
		}
	}
	today := models.DayOf(opt.Now, opt.Location)
	branches := map[string]uint{}
	var bs []models.Branch
	if err := db.Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("store: import: %w", err)
	}
	for _, b := range bs {
		branches[b.Path] = b.ID
	}
	existing := map[string]*models.Member{}
	phones := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.Phone != "" {
			phones = append(phones, r.Phone)
		}
	}
	for start := 0; start < len(phones); start += 500 {
		var ms []models.Member
		if err := db.Preload("Branch").Preload("Tags").Where("phone IN ?", phones[start:min(start+500, len(phones))]).
			Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("store: import: %w", err)
		}
		for i := range ms {
			existing[*ms[i].Phone] = &ms[i]
		}
	}
	plans := map[[2]uint]*models.Plan{} // (member, kind) → plan
	var ids []uint
	for _, m := range existing {
		ids = append(ids, m.ID)
	}
	for start := 0; start < len(ids); start += 500 {
		var ps []models.Plan
		if err := db.Where("member_id IN ?", ids[start:min(start+500, len(ids))]).Find(&ps).Error; err != nil {
			return nil, fmt.Errorf("store: import: %w", err)
		}
		for i := range ps {
			plans[[2]uint{ps[i].MemberID, ps[i].KindID}] = &ps[i]
		}
	}

	// The centre households the file names: on the roster, or in the file.
	inFile := map[string]bool{}
	var centrePhones []string
	for _, r := range rows {
		inFile[r.Phone] = true
		if r.Family != nil && r.Family.Centre != nil {
			centrePhones = append(centrePhones, *r.Family.Centre)
		}
	}
	centres := map[string]uint{}
	for start := 0; start < len(centrePhones); start += 500 {
		var ms []models.Member
		if err := db.Preload("Branch").Where("phone IN ? AND status <> ?", centrePhones[start:min(start+500, len(centrePhones))], models.StatusLeft).
			Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("store: import: %w", err)
		}
		for _, m := range ms {
			// A centre household of the importer's branches only: a file
			// cannot ask whether a phone elsewhere is on the roster.
			if opt.Scope.CoversMember(&m) {
				centres[*m.Phone] = m.ID
			}
		}
	}

	type planChange struct {
		plan  *models.Plan
		fresh bool
	}
	type change struct {
		row    roster.Row
		member *models.Member // nil: new
		fields map[string]any
		tags   bool // the tags change
		plans  []planChange
	}
	var changes []change
	newBranches := map[string]bool{}
	for _, r := range rows {
		n := len(rep.Problems)
		// The parser refuses these already; the store keeps the rule too,
		// for rows that come another way.
		if !models.ValidText(r.Name, false) {
			bad(r, roster.ColName, roster.BadText, "")
		}
		if !models.ValidText(r.Branch, false) {
			bad(r, roster.ColBranch, roster.BadText, "")
		}
		if slices.ContainsFunc(r.Tags, func(t string) bool { return !models.ValidText(t, false) }) {
			bad(r, roster.ColTags, roster.BadText, "")
		}
		m := existing[r.Phone]
		if m != nil && !opt.Scope.Admin {
			if !opt.Scope.CoversMember(m) {
				bad(r, roster.ColPhone, roster.NotYours, "")
			}
			if m.Role == models.RoleAdmin {
				bad(r, roster.ColRole, roster.AdminUnchanged, "")
			}
		}
		if r.Role == models.RoleAdmin && !opt.Scope.Admin {
			bad(r, roster.ColRole, roster.AdminOnly, string(r.Role))
		}
		switch {
		case r.Branch != "" && !opt.Scope.Covers(r.Branch):
			bad(r, roster.ColBranch, roster.OutOfScope, r.Branch)
		case r.Branch != "" && !r.Bad:
			// The branch and any missing branch above it are created.
			for _, p := range models.AncestorPaths(r.Branch) {
				if _, ok := branches[p]; !ok {
					newBranches[p] = true
				}
			}
		case m == nil && r.Phone != "" && r.Branch == "" && !opt.Scope.Admin:
			bad(r, roster.ColBranch, roster.UnknownBranch, "")
		}
		var kinds2 []*models.PlanKind
		for _, rp := range r.Plans {
			line := r
			line.Line = rp.Line
			k, ok := kinds[roster.KindName(rp.Kind)]
			switch {
			case !ok || k.For != models.ForMember:
				bad(line, roster.ColCheckKind, roster.UnknownKind, rp.Kind)
				rep.Kinds = memberKinds(ks)
			case rp.Interval != "" && !sameInterval(rp.Interval, k.Every):
				bad(line, roster.ColCheckInterval, roster.BadInterval, k.Every)
			default:
				kinds2 = append(kinds2, k)
			}
			if rp.LastCheck != nil && rp.LastCheck.After(today) {
				bad(line, roster.ColLastCheck, roster.FutureDate, rp.LastCheck.Format("2006-01-02"))
			}
		}
		if f := r.Family; f != nil {
			if f.Birth != nil && f.Birth.After(today) {
				bad(r, roster.ColBirth, roster.FutureBirth, f.Birth.Format("2006-01-02"))
			}
			if f.Centre != nil {
				_, onRoster := centres[*f.Centre]
				switch {
				case *f.Centre == r.Phone:
					bad(r, roster.ColCentre, roster.SelfCentre, "")
				case !onRoster && !inFile[*f.Centre]:
					bad(r, roster.ColCentre, roster.UnknownCentre, models.DisplayPhone(*f.Centre))
				}
			}
		}
		if r.Bad || len(rep.Problems) > n {
			continue
		}
		c := change{row: r, member: m}
		if m == nil {
			rep.New++
		} else {
			c.fields = memberChanges(m, r)
			c.tags = r.Tags != nil && !sameTags(m.TagNames(), r.Tags)
			if len(c.fields) > 0 || c.tags {
				rep.Updated++
			} else {
				rep.Unchanged++
			}
		}
		for i, kind := range kinds2 {
			last := r.Plans[i].LastCheck
			var p *models.Plan
			if m != nil {
				p = plans[[2]uint{m.ID, kind.ID}]
			}
			switch {
			case p == nil:
				c.plans = append(c.plans, planChange{&models.Plan{KindID: kind.ID, Kind: kind, State: models.PlanOpen, LastDone: last}, true})
				rep.Plans++
			case last != nil && (p.LastDone == nil || last.After(*p.LastDone)):
				p.Kind, p.LastDone = kind, last
				c.plans = append(c.plans, planChange{p, false})
				rep.Plans++
			}
		}
		changes = append(changes, c)
	}
	rep.Branches = len(newBranches)
	rep.NewBranches = slices.Sorted(maps.Keys(newBranches))
	sortProblems(rep.Problems)
	if len(rep.Problems) > 0 || opt.DryRun {
		return rep, nil
	}

	err := s.bulk.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		paths := make([]string, 0, len(newBranches))
		for p := range newBranches {
			paths = append(paths, p)
		}
		slices.Sort(paths) // parents first
		for _, path := range paths {
			b, err := ensureBranch(tx, path)
			if err != nil {
				return err
			}
			branches[path] = b.ID
		}
		var fresh []models.Member
		for _, c := range changes {
			if c.member != nil {
				continue
			}
			phone := c.row.Phone
			m := models.Member{Name: c.row.Name, Phone: &phone, Role: c.row.Role, Lang: c.row.Lang, Status: models.StatusActive,
				Channel: models.ChannelAuto}
			if c.row.Channel != nil {
				m.Channel = *c.row.Channel
			}
			if c.row.SMSHealth != nil {
				m.SMSHealth = *c.row.SMSHealth
			}
			if m.Role == "" {
				m.Role = models.RoleMember
			}
			if id, ok := branches[c.row.Branch]; ok && c.row.Branch != "" {
				m.BranchID = &id
			}
			fresh = append(fresh, m)
		}
		if len(fresh) > 0 {
			if err := tx.Omit("Tags", "Branch").CreateInBatches(&fresh, 500).Error; err != nil {
				return err
			}
		}
		byPhone := map[string]*models.Member{}
		for i := range fresh {
			byPhone[*fresh[i].Phone] = &fresh[i]
		}
		var tags []models.MemberTag
		var scopes []models.OrganizerScope
		var newPlans []models.Plan
		for _, c := range changes {
			m := c.member
			if m == nil {
				m = byPhone[c.row.Phone]
				for _, t := range c.row.Tags {
					tags = append(tags, models.MemberTag{MemberID: m.ID, Tag: t})
				}
			} else {
				if len(c.fields) > 0 {
					if id, ok := branches[c.row.Branch]; ok && c.fields["branch_id"] != nil {
						c.fields["branch_id"] = id
						m.BranchID = &id
					}
					if err := tx.Model(&models.Member{}).Where("id = ?", m.ID).Updates(c.fields).Error; err != nil {
						return err
					}
					if r, ok := c.fields["role"]; ok {
						m.Role = r.(models.Role)
					}
				}
				if c.tags {
					if err := tx.Where("member_id = ?", m.ID).Delete(&models.MemberTag{}).Error; err != nil {
						return err
					}
					for _, t := range c.row.Tags {
						tags = append(tags, models.MemberTag{MemberID: m.ID, Tag: t})
					}
				}
			}
			if m.Role == models.RoleOrganizer && m.BranchID != nil && (c.member == nil || c.fields["role"] != nil || c.fields["branch_id"] != nil) {
				scopes = append(scopes, models.OrganizerScope{MemberID: m.ID, BranchID: *m.BranchID})
			}
			for _, pc := range c.plans {
				if err := importPlan(tx, pc.plan, pc.fresh, m, opt); err != nil {
					return err
				}
				if pc.fresh {
					newPlans = append(newPlans, *pc.plan)
				}
			}
		}
		if len(tags) > 0 {
			if err := tx.CreateInBatches(tags, 500).Error; err != nil {
				return err
			}
		}
		if len(scopes) > 0 {
			if err := tx.Clauses(onConflictNothing()).CreateInBatches(scopes, 500).Error; err != nil {
				return err
			}
		}
		if len(newPlans) > 0 {
			if err := tx.Omit("Kind", "Member").CreateInBatches(newPlans, 500).Error; err != nil {
				return err
			}
		}
		// The families, once every member of the file exists (a centre
		// household may be a later line), and the visits they call for.
		memberOf := func(phone string) (uint, bool) {
			if m, ok := byPhone[phone]; ok {
				return m.ID, true
			}
			if m, ok := existing[phone]; ok {
				return m.ID, true
			}
			id, ok := centres[phone]
			return id, ok
		}
		for _, c := range changes {
			rf := c.row.Family
			if rf == nil {
				continue
			}
			id, _ := memberOf(c.row.Phone)
			f := models.Family{MemberID: id}
			if err := tx.Where("member_id = ?", id).Take(&f).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			if rf.Household != nil {
				f.Household = *rf.Household
			}
			if rf.Centre != nil {
				if cid, ok := memberOf(*rf.Centre); ok {
					f.CentreID = &cid
				}
			}
			if rf.Birth != nil {
				f.BirthOn = rf.Birth
			}
			if rf.Expected != nil {
				f.Expected = *rf.Expected
			}
			if rf.Difficulty != nil {
				f.Difficulty = *rf.Difficulty
			}
			f.UpdatedAt = opt.Now.UTC()
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&f).Error; err != nil {
				return err
			}
			if _, err := planFamilyVisits(tx, &f, nil, today, opt.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: import: %w", err)
	}
	return rep, nil
}

// importPlan dates a plan by the last check the file gives: a new plan is
// due the kind's interval after it (or the kind's first date without one);
// an existing one moves on to it. New plans are written by the caller in
// batches.
func importPlan(tx *gorm.DB, p *models.Plan, fresh bool, m *models.Member, opt ImportOptions) error {
	zone := m.Zone(opt.Location)
	var err error
	switch {
	case p.LastDone != nil && fresh:
		p.NextDue, err = p.Kind.NextDue(*p.LastDone, *p.LastDone)
	case fresh:
		p.NextDue, err = p.Kind.FirstDue(models.DayOf(opt.Now, zone))
	default:
		p.NextDue, err = p.Kind.NextDue(*p.LastDone, *p.LastDone)
	}
	if err != nil {
		return err
	}
	p.MemberID = m.ID
	if fresh {
		p.NextRemindAt = planner.NextRemind(p, p.Kind, zone)
		return nil
	}
	// A last check the file knows of starts a cycle, as a record would.
	p.Cycle, p.Slot, p.State, p.OverdueSince, p.OverdueTold, p.SnoozeAt = p.Cycle+1, 0, models.PlanOpen, nil, false, nil
	p.NextRemindAt = planner.NextRemind(p, p.Kind, zone)
	if err := tx.Create(&models.CheckRecord{PlanID: p.ID, Cycle: p.Cycle - 1, DoneOn: *p.LastDone, Status: models.CheckApproved,
		DecidedAt: ptrTime(opt.Now.UTC())}).Error; err != nil {
		return err
	}
	if err := withdrawPlanReminders(tx, p.ID); err != nil {
		return err
	}
	return tx.Model(&models.Plan{}).Where("id = ?", p.ID).Updates(map[string]any{
		"last_done": p.LastDone, "next_due": p.NextDue, "cycle": p.Cycle, "slot": 0, "state": p.State, "overdue_since": nil,
		"overdue_told": false, "snooze_at": nil, "next_remind_at": p.NextRemindAt, "updated_at": opt.Now.UTC()}).Error
}

// memberChanges are the columns a row changes of an existing member (a
// column the file leaves empty keeps its value).
func memberChanges(m *models.Member, r roster.Row) map[string]any {
	f := map[string]any{}
	if r.Name != m.Name {
		f["name"] = r.Name
	}
	if r.Branch != "" && (m.Branch == nil || m.Branch.Path != r.Branch) {
		f["branch_id"] = r.Branch // the id once the branch exists
	}
	if r.Role != "" && r.Role != m.Role {
		f["role"] = r.Role
	}
	if r.Lang != "" && r.Lang != m.Lang {
		f["lang"] = r.Lang
	}
	if r.Channel != nil && *r.Channel != m.Channel {
		f["channel"] = *r.Channel
	}
	if r.SMSHealth != nil && *r.SMSHealth != m.SMSHealth {
		f["sms_health"] = *r.SMSHealth
	}
	return f
}

func sameTags(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// sameInterval compares a file's interval ("3", "3m", "3个月", "90d",
// "90天") with a kind's ("3m", "90d").
func sameInterval(file, kind string) bool {
	f := strings.ToLower(strings.TrimSpace(file))
	for _, suffix := range []string{"个月", "個月", "月", "months", "month"} {
		f = strings.TrimSuffix(f, suffix)
	}
	unit := "m"
	for _, suffix := range []string{"天", "days", "day", "d"} {
		if strings.HasSuffix(f, suffix) {
			f, unit = strings.TrimSuffix(f, suffix), "d"
		}
	}
	f = strings.TrimSuffix(strings.TrimSpace(f), "m")
	n, err := strconv.Atoi(strings.TrimSpace(f))
	return err == nil && fmt.Sprintf("%d%s", n, unit) == kind
}

// memberKinds are the kinds of check a file may name, by key.
func memberKinds(ks []models.PlanKind) []models.PlanKind {
	var out []models.PlanKind
	for _, k := range ks {
		if k.For == models.ForMember {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b models.PlanKind) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func sortProblems(ps []roster.Problem) {
	slices.SortStableFunc(ps, func(a, b roster.Problem) int { return a.Line - b.Line })
}

func onConflictNothing() clause.OnConflict { return clause.OnConflict{DoNothing: true} }
