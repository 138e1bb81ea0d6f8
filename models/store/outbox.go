package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
)

// Audience is who a broadcast or event reaches.
type Audience struct {
	Kind   string // "all", "branch" (with the branches below it) or "tag"
	Branch string // path, for "branch"
	Tag    string // for "tag"
}

// ErrBadAudience is returned for an audience that cannot be parsed.
var ErrBadAudience = errors.New("store: bad audience")

// ParseAudience reads "all", "branch:Town/Village" or "tag:volunteer".
func ParseAudience(s string) (Audience, error) {
	kind, arg, _ := strings.Cut(strings.TrimSpace(s), ":")
	switch kind {
	case "all":
		if arg == "" {
			return Audience{Kind: "all"}, nil
		}
	case "branch":
		if p, err := CleanBranchPath(arg); err == nil {
			return Audience{Kind: "branch", Branch: p}, nil
		}
	case "tag":
		if t := strings.ToLower(strings.TrimSpace(arg)); t != "" {
			return Audience{Kind: "tag", Tag: t}, nil
		}
	}
	return Audience{}, fmt.Errorf("%w: %q (want all, branch:Town/Village or tag:T)", ErrBadAudience, s)
}

// String is the audience as ParseAudience reads it.
func (a Audience) String() string {
	switch a.Kind {
	case "branch":
		return "branch:" + a.Branch
	case "tag":
		return "tag:" + a.Tag
	}
	return "all"
}

// recipients selects the linked, reachable members of an audience. Muted
// members are left out unless urgent.
func recipients(tx *gorm.DB, a Audience, urgent bool) *gorm.DB {
	statuses := []models.Status{models.StatusActive}
	if urgent {
		statuses = append(statuses, models.StatusMuted)
	}
	q := tx.Model(&models.Member{}).Where("members.chat_id IS NOT NULL AND members.status IN ?", statuses)
	switch a.Kind {
	case "branch":
		// The subtree's ids first (the branch table is small), then the
		// members by the branch_id index: no scan of the roster.
		subtree := tx.Model(&models.Branch{}).Select("id").
			Where("path = ? OR path LIKE ? ESCAPE '\\'", a.Branch, escapeLike(a.Branch)+"/%")
		q = q.Where("members.branch_id IN (?)", subtree)
	case "tag":
		q = q.Where("members.id IN (?)", tx.Model(&models.MemberTag{}).Select("member_id").Where("tag = ?", a.Tag))
	}
	return q
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// CountAudience is how many members a message to the audience would reach.
func (s *Store) CountAudience(ctx context.Context, a Audience) (int, error) {
	var n int64
	if err := recipients(s.db.WithContext(ctx), a, false).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count audience: %w", err)
	}
	return int(n), nil
}

// Enqueue adds outbox rows; a row whose dedupe key exists already is left out.
// It returns how many rows are new.
func (s *Store) Enqueue(ctx context.Context, rows []models.Outbox) (int, error) {
	n, err := enqueue(s.db.WithContext(ctx), rows)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return n, nil
}

func enqueue(tx *gorm.DB, rows []models.Outbox) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	for i := range rows {
		if rows[i].Status == "" {
			rows[i].Status = models.OutboxPending
		}
		rows[i].NotBefore = rows[i].NotBefore.UTC()
		if rows[i].NextAttemptAt.IsZero() {
			rows[i].NextAttemptAt = rows[i].NotBefore
		}
	}
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).
		CreateInBatches(rows, 500)
	return int(res.RowsAffected), res.Error
}

// NewBroadcast is an organizer's notice before it is sent.
type NewBroadcast struct {
	OrganizerID    *uint
	ChatID         *int64
	Audience       Audience
	Text           string
	PhotoFileID    string
	DocumentFileID string
	SendAt         time.Time
}

// CreateBroadcast records the broadcast and enqueues one message per
// recipient, in one transaction, and returns it with its total.
func (s *Store) CreateBroadcast(ctx context.Context, nb NewBroadcast) (*models.Broadcast, error) {
	b := &models.Broadcast{OrganizerID: nb.OrganizerID, ChatID: nb.ChatID, Audience: nb.Audience.String(),
		Text: nb.Text, PhotoFileID: nb.PhotoFileID, DocumentFileID: nb.DocumentFileID,
		SendAt: nb.SendAt.UTC(), Status: models.BroadcastSending}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if nb.Audience.Kind == "branch" {
			var n int64
			if err := tx.Model(&models.Branch{}).Where("path = ?", nb.Audience.Branch).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: no branch %q", ErrNotFound, nb.Audience.Branch)
			}
		}
		if err := tx.Create(b).Error; err != nil {
			return err
		}
		var members []struct {
			ID     uint
			ChatID int64
		}
		if err := recipients(tx, nb.Audience, false).Select("members.id, members.chat_id").Order("members.id").Scan(&members).Error; err != nil {
			return err
		}
		rows := make([]models.Outbox, 0, len(members))
		for _, m := range members {
			id := m.ID
			rows = append(rows, models.Outbox{
				DedupeKey: fmt.Sprintf("broadcast:%d:%d", b.ID, m.ID), MemberID: &id, ChatID: m.ChatID,
				Kind: models.KindBroadcast, Text: nb.Text, PhotoFileID: nb.PhotoFileID, DocumentFileID: nb.DocumentFileID,
				NotBefore: nb.SendAt, BroadcastID: &b.ID,
			})
		}
		n, err := enqueue(tx, rows)
		if err != nil {
			return err
		}
		b.Total = n
		return tx.Model(b).Update("total", n).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: create broadcast: %w", err)
	}
	return b, nil
}

// Claimed is an outbox row claimed for sending, with its member.
type Claimed struct {
	models.Outbox
	Member *models.Member
}

// ClaimOutbox leases up to limit due rows to owner until now+lease, oldest
// due first. Rows whose lease ran out (their dispatcher died) are due again.
// On PostgreSQL, FOR UPDATE SKIP LOCKED lets replicas claim side by side; on
// SQLite the immediate transaction makes one claimer at a time.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Claimed, error) {
	now = now.UTC()
	var rows []models.Outbox
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []uint64
		q := tx.Model(&models.Outbox{}).Select("id").
			Where("status IN ? AND next_attempt_at <= ?", []models.OutboxStatus{models.OutboxPending, models.OutboxSending}, now).
			Order("next_attempt_at, id").Limit(limit)
		if s.dialect == "postgres" {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
		}
		if err := q.Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := tx.Model(&models.Outbox{}).Where("id IN ?", ids).Updates(map[string]any{
			"status": models.OutboxSending, "lease_owner": owner, "next_attempt_at": now.Add(lease),
		}).Error; err != nil {
			return err
		}
		return tx.Where("id IN ?", ids).Order("next_attempt_at, id").Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	// Members, in one query.
	var memberIDs []uint
	for _, r := range rows {
		if r.MemberID != nil {
			memberIDs = append(memberIDs, *r.MemberID)
		}
	}
	members := map[uint]*models.Member{}
	if len(memberIDs) > 0 {
		var ms []models.Member
		if err := s.db.WithContext(ctx).Where("id IN ?", memberIDs).Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("store: claim outbox: members: %w", err)
		}
		for i := range ms {
			members[ms[i].ID] = &ms[i]
		}
	}
	out := make([]Claimed, len(rows))
	for i, r := range rows {
		out[i].Outbox = r
		if r.MemberID != nil {
			out[i].Member = members[*r.MemberID]
		}
	}
	return out, nil
}

// Outcome is what became of one send.
type Outcome struct {
	Status            models.OutboxStatus // sent, failed, stale, skipped, or pending (retry later)
	NextAttemptAt     time.Time           // for pending
	CountAttempt      bool                // a real attempt (not a 429 or quiet-hours hold)
	Error             string
	TelegramMessageID int64
	At                time.Time
}

// Finished is the outcome of one claimed row.
type Finished struct {
	ID      uint64
	Outcome Outcome
}

// FinishOutbox records the outcomes of claimed rows in one transaction (the
// dispatcher's group commit). A row that owner no longer holds (its lease ran
// out and another took it) is left alone; the count of rows changed is
// returned.
func (s *Store) FinishOutbox(ctx context.Context, owner string, done []Finished) (int, error) {
	changed := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Deliveries, the common case, in one statement.
		var sent []Finished
		for _, f := range done {
			if f.Outcome.Status == models.OutboxSent && f.Outcome.Error == "" && !f.Outcome.CountAttempt {
				sent = append(sent, f)
				continue
			}
			res := tx.Model(&models.Outbox{}).
				Where("id = ? AND status = ? AND lease_owner = ?", f.ID, models.OutboxSending, owner).
				Updates(outcomeColumns(f.Outcome))
			if res.Error != nil {
				return res.Error
			}
			changed += int(res.RowsAffected)
		}
		if len(sent) == 0 {
			return nil
		}
		ids := make([]uint64, len(sent))
		var msgIDs strings.Builder
		args := make([]any, 0, 2*len(sent))
		at := sent[0].Outcome.At
		msgIDs.WriteString("CASE id")
		for i, f := range sent {
			ids[i] = f.ID
			msgIDs.WriteString(" WHEN CAST(? AS BIGINT) THEN CAST(? AS BIGINT)")
			args = append(args, f.ID, f.Outcome.TelegramMessageID)
			if f.Outcome.At.After(at) {
				at = f.Outcome.At
			}
		}
		msgIDs.WriteString(" END")
		res := tx.Model(&models.Outbox{}).
			Where("id IN ? AND status = ? AND lease_owner = ?", ids, models.OutboxSending, owner).
			Updates(map[string]any{"status": models.OutboxSent, "lease_owner": "", "sent_at": at.UTC(),
				"telegram_message_id": gorm.Expr(msgIDs.String(), args...)})
		if res.Error != nil {
			return res.Error
		}
		changed += int(res.RowsAffected)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: finish outbox: %w", err)
	}
	return changed, nil
}

func outcomeColumns(o Outcome) map[string]any {
	updates := map[string]any{"status": o.Status, "lease_owner": ""}
	if o.CountAttempt {
		updates["attempts"] = gorm.Expr("attempts + 1")
	}
	if o.Error != "" {
		updates["last_error"] = truncateText(o.Error, 500)
	}
	switch o.Status {
	case models.OutboxSent:
		updates["sent_at"] = o.At.UTC()
		updates["telegram_message_id"] = o.TelegramMessageID
	case models.OutboxPending:
		updates["next_attempt_at"] = o.NextAttemptAt.UTC()
	}
	return updates
}

// ReleaseOutbox hands rows owner still holds back to the queue, due now (a
// dispatcher shutting down).
func (s *Store) ReleaseOutbox(ctx context.Context, owner string, now time.Time) (int, error) {
	res := s.db.WithContext(ctx).Model(&models.Outbox{}).
		Where("status = ? AND lease_owner = ?", models.OutboxSending, owner).
		Updates(map[string]any{"status": models.OutboxPending, "lease_owner": "", "next_attempt_at": now.UTC()})
	if res.Error != nil {
		return 0, fmt.Errorf("store: release outbox: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// MarkUnreachable records that an active member blocked the bot (or deleted
// their account): nothing more is sent to them. A muted or departed member
// keeps that status (a mute must survive blocking and unblocking; a muted
// member gets only urgent notices, whose failures are recorded on the row).
func (s *Store) MarkUnreachable(ctx context.Context, memberID uint) error {
	if err := s.db.WithContext(ctx).Model(&models.Member{}).Where("id = ? AND status = ?", memberID, models.StatusActive).
		Update("status", models.StatusUnreachable).Error; err != nil {
		return fmt.Errorf("store: mark unreachable: %w", err)
	}
	return nil
}

// SetMemberStatus changes a member's status (mute, unmute).
func (s *Store) SetMemberStatus(ctx context.Context, memberID uint, st models.Status) error {
	if err := s.db.WithContext(ctx).Model(&models.Member{}).Where("id = ?", memberID).Update("status", st).Error; err != nil {
		return fmt.Errorf("store: set member status: %w", err)
	}
	return nil
}

// OutboxByID reads one row (tests and reports).
func (s *Store) OutboxByID(ctx context.Context, id uint64) (*models.Outbox, error) {
	var o models.Outbox
	if err := s.db.WithContext(ctx).Take(&o, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

// OutboxCounts counts rows by status, for a broadcast (id > 0) or all.
func (s *Store) OutboxCounts(ctx context.Context, broadcastID uint) (map[models.OutboxStatus]int, error) {
	var rows []struct {
		Status models.OutboxStatus
		N      int
	}
	q := s.db.WithContext(ctx).Model(&models.Outbox{}).Select("status, COUNT(*) AS n").Group("status")
	if broadcastID > 0 {
		q = q.Where("broadcast_id = ?", broadcastID)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	out := map[models.OutboxStatus]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// BroadcastUnreachable counts a broadcast's recipients who turned out to
// have blocked the bot (the report's "blocked").
func (s *Store) BroadcastUnreachable(ctx context.Context, broadcastID uint) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Outbox{}).
		Where("broadcast_id = ? AND status IN ? AND last_error LIKE ?", broadcastID,
			[]models.OutboxStatus{models.OutboxFailed, models.OutboxSkipped}, "unreachable%").Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: broadcast unreachable: %w", err)
	}
	return int(n), nil
}

// SendingBroadcasts lists broadcasts not yet finished.
func (s *Store) SendingBroadcasts(ctx context.Context) ([]models.Broadcast, error) {
	var bs []models.Broadcast
	if err := s.db.WithContext(ctx).Where("status = ?", models.BroadcastSending).Order("id").Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("store: sending broadcasts: %w", err)
	}
	return bs, nil
}

// UpdateBroadcast saves progress fields of a broadcast.
func (s *Store) UpdateBroadcast(ctx context.Context, id uint, fields map[string]any) error {
	if err := s.db.WithContext(ctx).Model(&models.Broadcast{}).Where("id = ?", id).Updates(fields).Error; err != nil {
		return fmt.Errorf("store: update broadcast: %w", err)
	}
	return nil
}

// FinishBroadcast marks a broadcast done once; it reports false when another
// dispatcher finished it first (so the report goes out once).
func (s *Store) FinishBroadcast(ctx context.Context, id uint, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&models.Broadcast{}).Where("id = ? AND status = ?", id, models.BroadcastSending).
		Updates(map[string]any{"status": models.BroadcastDone, "finished_at": now.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("store: finish broadcast: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// BroadcastByID reads a broadcast.
func (s *Store) BroadcastByID(ctx context.Context, id uint) (*models.Broadcast, error) {
	var b models.Broadcast
	if err := s.db.WithContext(ctx).Take(&b, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &b, nil
}

// Dialog returns the user's conversation state, or ErrNotFound.
func (s *Store) Dialog(ctx context.Context, tgID int64) (*models.Dialog, error) {
	var d models.Dialog
	if err := s.db.WithContext(ctx).Where("telegram_id = ?", tgID).Take(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// SaveDialog stores the user's conversation state.
func (s *Store) SaveDialog(ctx context.Context, d *models.Dialog) error {
	if err := s.db.WithContext(ctx).Save(d).Error; err != nil {
		return fmt.Errorf("store: save dialog: %w", err)
	}
	return nil
}

// ClearDialog ends the user's conversation.
func (s *Store) ClearDialog(ctx context.Context, tgID int64) error {
	if err := s.db.WithContext(ctx).Where("telegram_id = ?", tgID).Delete(&models.Dialog{}).Error; err != nil {
		return fmt.Errorf("store: clear dialog: %w", err)
	}
	return nil
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	for len(string(r)) > n {
		r = r[:len(r)-1]
	}
	return string(r)
}

// PurgeOutbox deletes finished rows created before cutoff and returns how
// many. Pending rows are never purged.
func (s *Store) PurgeOutbox(ctx context.Context, cutoff time.Time) (int, error) {
	final := []models.OutboxStatus{models.OutboxSent, models.OutboxFailed, models.OutboxStale, models.OutboxSkipped}
	res := s.db.WithContext(ctx).Where("status IN ? AND created_at < ?", final, cutoff.UTC()).Delete(&models.Outbox{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: purge outbox: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

func encodeJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// MarkChatUnreachable records that the member with this private chat blocked
// the bot (a reply from the front end came back 403).
func (s *Store) MarkChatUnreachable(ctx context.Context, chatID int64) error {
	if err := s.db.WithContext(ctx).Model(&models.Member{}).Where("chat_id = ? AND status = ?", chatID, models.StatusActive).
		Update("status", models.StatusUnreachable).Error; err != nil {
		return fmt.Errorf("store: mark chat unreachable: %w", err)
	}
	return nil
}
