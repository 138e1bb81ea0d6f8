package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
)

// inAudience narrows a query of members to an audience: the one query every
// audience is resolved by. A branch goes through its subtree's ids first
// (the branch table is small), then the branch_id index: no scan of the
// roster. The organizers of a branch are those given it or a branch above
// it, else the admins.
func inAudience(tx *gorm.DB, q *gorm.DB, a models.Audience) (*gorm.DB, error) {
	if a.IsEveryone() {
		return q, nil
	}
	if path, ok := a.IsBranch(); ok {
		return q.Where("members.branch_id IN (?)", branchesWithin(tx, path).Select("id")), nil
	}
	if paths, ok := a.IsBranches(); ok {
		return q.Where("members.branch_id IN (?)", branchesWithin(tx, paths...).Select("id")), nil
	}
	if tag, ok := a.IsTag(); ok {
		return q.Where("members.id IN (?)", tx.Model(&models.MemberTag{}).Select("member_id").Where("tag = ?", tag)), nil
	}
	if ids, ok := a.IsMembers(); ok {
		if len(ids) == 0 {
			return q.Where("1 = 0"), nil
		}
		return q.Where("members.id IN ?", ids), nil
	}
	if path, ok := a.IsOrganizers(); ok && path == "" {
		return q.Where("members.role IN ?", []models.Role{models.RoleOrganizer, models.RoleAdmin}), nil
	}
	if path, ok := a.IsOrganizers(); ok {
		ids, err := deciders(tx, path)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return q.Where("1 = 0"), nil
		}
		return q.Where("members.id IN ?", ids), nil
	}
	return nil, fmt.Errorf("%w: %q", models.ErrBadAudience, a.String())
}

// deciders are the linked members who decide for the branch at path: its
// organizers and those of the branches above it, or the admins when it has
// none.
func deciders(tx *gorm.DB, path string) ([]uint, error) {
	d, err := decidersFor(tx, path, 0)
	return d.IDs, err
}

// Deciders are who decide for a branch (join requests, members' checks).
type Deciders struct {
	IDs []uint
	// Branch is the nearest branch, the branch itself or one above it,
	// whose organizers decide; "" when the admins do (or nobody can: no IDs).
	Branch string
}

// decidersFor is the one rule of who decides for the branch at path, and
// where they come from: the linked organizers of the branch and of those
// above it, else the linked admins; never except (a member's own check is
// someone else's to confirm: 0 leaves nobody out).
func decidersFor(tx *gorm.DB, path string, except uint) (Deciders, error) {
	var d Deciders
	var rows []struct {
		ID   uint
		Path string
	}
	err := tx.Model(&models.Member{}).Select("members.id AS id, branches.path AS path").
		Joins("JOIN organizer_scopes ON organizer_scopes.member_id = members.id").
		Joins("JOIN branches ON branches.id = organizer_scopes.branch_id").
		Where("members.telegram_id IS NOT NULL AND members.role = ? AND members.status <> ? AND members.id <> ? AND branches.path IN ?",
			models.RoleOrganizer, models.StatusLeft, except, models.AncestorPaths(path)).
		Order("members.id").Scan(&rows).Error
	if err != nil {
		return d, err
	}
	for _, r := range rows {
		if len(d.IDs) == 0 || d.IDs[len(d.IDs)-1] != r.ID {
			d.IDs = append(d.IDs, r.ID)
		}
		if len(r.Path) > len(d.Branch) {
			d.Branch = r.Path
		}
	}
	if len(d.IDs) > 0 {
		return d, nil
	}
	err = tx.Model(&models.Member{}).Where("telegram_id IS NOT NULL AND role = ? AND status <> ? AND id <> ?", models.RoleAdmin, models.StatusLeft, except).
		Order("id").Pluck("id", &d.IDs).Error
	return d, err
}

// recipients resolves a message's audience and filter into the members it
// goes to and by which channel (outbox.Route): linked members who can be
// reached by Telegram, and, when the deployment sends SMS, members reached
// by SMS; muted members are left out for the kinds they muted.
func recipients(tx *gorm.DB, m planner.Message, sms bool) ([]planner.Recipient, error) {
	if m.Chat != nil {
		return []planner.Recipient{*m.Chat}, nil
	}
	q := tx.Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft)
	if !sms || !m.Kind.SMS() {
		q = q.Where("members.chat_id IS NOT NULL AND members.status IN ?", m.Kind.Reachable())
	}
	q, err := inAudience(tx, q, m.To)
	if err != nil {
		return nil, err
	}
	if q, err = byAnswer(tx, q, m); err != nil {
		return nil, err
	}
	var ms []models.Member
	if err := q.Select(routeColumns).Order("members.id").Find(&ms).Error; err != nil {
		return nil, err
	}
	rs := make([]planner.Recipient, 0, len(ms))
	for i := range ms {
		if r, ok := route(m.Kind, &ms[i], sms); ok {
			rs = append(rs, r)
		}
	}
	return rs, nil
}

// route is the recipient a member is for a message of kind k, by
// outbox.Route; false when no channel reaches them.
func route(k outbox.Kind, m *models.Member, sms bool) (planner.Recipient, bool) {
	ch, _ := outbox.Route(k, m, sms)
	switch ch {
	case outbox.ByTelegram:
		return planner.Recipient{MemberID: m.ID, ChatID: *m.ChatID, Channel: ch}, true
	case outbox.BySMS:
		return planner.Recipient{MemberID: m.ID, Channel: ch}, true
	}
	return planner.Recipient{}, false
}

// byAnswer applies a message's filter on the answers to its occurrence.
func byAnswer(tx *gorm.DB, q *gorm.DB, m planner.Message) (*gorm.DB, error) {
	if m.Filter == planner.Everyone {
		return q, nil
	}
	if m.Subject.EventID == 0 || m.Subject.Occurrence.IsZero() {
		return nil, fmt.Errorf("store: a filter on answers needs an occurrence (%s)", m.Kind)
	}
	answers := func(as ...models.Answer) *gorm.DB {
		return tx.Model(&models.RSVP{}).Select("member_id").
			Where("event_id = ? AND occurrence = ? AND answer IN ?", m.Subject.EventID, m.Subject.Occurrence.UTC(), as)
	}
	switch m.Filter {
	case planner.NotNo:
		return q.Where("members.id NOT IN (?)", answers(models.AnswerNo)), nil
	case planner.Undecided:
		return q.Where("members.id NOT IN (?)", answers(models.AnswerYes, models.AnswerNo)), nil
	case planner.NotAnswered:
		return q.Where("members.id NOT IN (?)", answers(models.AnswerYes, models.AnswerNo, models.AnswerMaybe)), nil
	case planner.YesOrMaybe:
		return q.Where("members.id IN (?)", answers(models.AnswerYes, models.AnswerMaybe)), nil
	case planner.Came:
		c, err := came(tx, m.Subject.EventID, m.Subject.Occurrence)
		if err != nil {
			return nil, err
		}
		return q.Where("members.id IN (?)", c), nil
	}
	return nil, fmt.Errorf("store: unknown filter %d", m.Filter)
}

// Recipients resolves messages without writing them: who would get what
// (a preview, and tests).
func (s *Store) Recipients(ctx context.Context, m planner.Message) ([]planner.Recipient, error) {
	rs, err := recipients(s.db.WithContext(ctx), m, s.sms)
	if err != nil {
		return nil, fmt.Errorf("store: recipients: %w", err)
	}
	return rs, nil
}

// CountAudience is how many members a notice to the audience would reach.
func (s *Store) CountAudience(ctx context.Context, a models.Audience) (int, error) {
	rs, err := s.Recipients(ctx, planner.Message{Kind: outbox.KindBroadcast, To: a})
	return len(rs), err
}

// AudienceMembers lists an audience's members who have not left, linked to
// Telegram or not (organizers check in and answer for those without), by
// name, at most limit.
func (s *Store) AudienceMembers(ctx context.Context, a models.Audience, limit int) ([]models.Member, error) {
	db := s.db.WithContext(ctx)
	q, err := inAudience(db, db.Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft), a)
	if err != nil {
		return nil, fmt.Errorf("store: audience members: %w", err)
	}
	var ms []models.Member
	if err := q.Preload("Branch").Preload("Tags").Order("members.name, members.id").Limit(limit).Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("store: audience members: %w", err)
	}
	return ms, nil
}

// Scope is what m may act for as an organizer (models.Scope).
func (s *Store) Scope(ctx context.Context, m *models.Member) (models.Scope, error) {
	if m == nil || !m.OnRoster() {
		return models.Scope{}, nil
	}
	switch m.Role {
	case models.RoleAdmin:
		return models.Scope{Admin: true}, nil
	case models.RoleOrganizer:
	default:
		return models.Scope{}, nil
	}
	var paths []string
	err := s.db.WithContext(ctx).Model(&models.Branch{}).Joins("JOIN organizer_scopes ON organizer_scopes.branch_id = branches.id").
		Where("organizer_scopes.member_id = ?", m.ID).Order("branches.path").Pluck("branches.path", &paths).Error
	if err != nil {
		return models.Scope{}, fmt.Errorf("store: scope: %w", err)
	}
	return models.Scope{Paths: paths}, nil
}

// CanReach applies models.Scope.CanReach for the organizer, loading what a
// members audience needs.
func (s *Store) CanReach(ctx context.Context, org *models.Member, a models.Audience) (bool, error) {
	scope, err := s.Scope(ctx, org)
	if err != nil {
		return false, err
	}
	var paths []string
	if ids, ok := a.IsMembers(); ok && !scope.Admin && len(ids) > 0 {
		var rows []struct {
			ID   uint
			Path *string
		}
		if err := s.db.WithContext(ctx).Table("members").Select("members.id, branches.path").
			Joins("LEFT JOIN branches ON branches.id = members.branch_id").Where("members.id IN ?", ids).
			Scan(&rows).Error; err != nil {
			return false, fmt.Errorf("store: can reach: %w", err)
		}
		for _, r := range rows {
			p := ""
			if r.Path != nil {
				p = *r.Path
			}
			paths = append(paths, p)
		}
	}
	return scope.CanReach(a, paths), nil
}

// enqueue resolves the messages and writes their rows in tx; a row whose
// dedupe key exists already is left out. It returns how many rows are new.
// Messages to listed members with no filter on answers (reminders of
// plans, decisions, promotions, reports) are resolved together in one read,
// and all rows are written in batches: a tick's thousand reminders are a
// few statements, not thousands.
func enqueue(tx *gorm.DB, sms bool, msgs ...planner.Message) (int, error) {
	rows, err := resolve(tx, sms, msgs...)
	if err != nil {
		return 0, err
	}
	return insertRows(tx, rows)
}

// resolve turns messages into the outbox rows they would write: one per
// recipient who can be reached now.
func resolve(tx *gorm.DB, sms bool, msgs ...planner.Message) ([]outbox.Row, error) {
	listed := func(m planner.Message) ([]uint, bool) {
		ids, ok := m.To.IsMembers()
		return ids, ok && m.Chat == nil && m.Filter == planner.Everyone
	}
	var ids []uint
	for _, m := range msgs {
		if l, ok := listed(m); ok {
			ids = append(ids, l...)
		}
	}
	members := map[uint]*models.Member{}
	for start := 0; start < len(ids); start += 500 {
		var found []models.Member
		q := tx.Model(&models.Member{}).Select(routeColumns).Where("id IN ? AND status <> ?", ids[start:min(start+500, len(ids))], models.StatusLeft)
		if !sms {
			q = q.Where("chat_id IS NOT NULL")
		}
		if err := q.Find(&found).Error; err != nil {
			return nil, err
		}
		for i := range found {
			members[found[i].ID] = &found[i]
		}
	}
	var rows []outbox.Row
	for _, m := range msgs {
		var rs []planner.Recipient
		if ids, ok := listed(m); ok {
			for _, id := range ids {
				if mem, ok := members[id]; ok {
					if r, ok := route(m.Kind, mem, sms); ok {
						rs = append(rs, r)
					}
				}
			}
		} else {
			var err error
			if rs, err = recipients(tx, m, sms); err != nil {
				return nil, err
			}
		}
		rows = append(rows, m.Rows(rs)...)
	}
	return rows, nil
}

// Resolve is what Enqueue would write for msgs, without writing: the rows
// of reachable recipients whose dedupe key is not in the outbox yet (a
// preview of what the planner will send).
func (s *Store) Resolve(ctx context.Context, msgs ...planner.Message) ([]outbox.Row, error) {
	db := s.db.WithContext(ctx)
	rows, err := resolve(db, s.sms, msgs...)
	if err != nil {
		return nil, fmt.Errorf("store: resolve: %w", err)
	}
	keys := make([]string, len(rows))
	for i := range rows {
		keys[i] = rows[i].DedupeKey
	}
	seen := map[string]bool{}
	for start := 0; start < len(keys); start += 500 {
		var found []string
		if err := db.Model(&outbox.Row{}).Where("dedupe_key IN ?", keys[start:min(start+500, len(keys))]).
			Pluck("dedupe_key", &found).Error; err != nil {
			return nil, fmt.Errorf("store: resolve: %w", err)
		}
		for _, k := range found {
			seen[k] = true
		}
	}
	out := rows[:0]
	for _, r := range rows {
		if !seen[r.DedupeKey] {
			seen[r.DedupeKey] = true // and once within msgs
			out = append(out, r)
		}
	}
	return out, nil
}

// Enqueue plans messages into the outbox, in one transaction, and returns
// how many rows are new.
func (s *Store) Enqueue(ctx context.Context, msgs ...planner.Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil // no write lock for nothing
	}
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = enqueue(tx, s.sms, msgs...)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return n, nil
}
