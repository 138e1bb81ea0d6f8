package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
)

// insertRows writes rows built by planner.Message.Rows; a row whose dedupe
// key exists already is left out. It returns how many rows are new.
func insertRows(tx *gorm.DB, rows []outbox.Row) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).
		CreateInBatches(rows, 500)
	return int(res.RowsAffected), res.Error
}

// NewBroadcast is an organizer's notice before it is sent.
type NewBroadcast struct {
	OrganizerID    *uint
	ChatID         *int64
	Audience       models.Audience
	Text           string
	PhotoFileID    string
	DocumentFileID string
	SendAt         time.Time
	// Texts, when set, is the notice by language (Text is then the record's
	// copy); each member reads theirs.
	Texts map[string]string
	// Sender names who sends it when no organizer does (a recurring
	// notice's maker); "" with no organizer: the association.
	Sender string
	// NoticeID and Occurrence: the recurring notice's date this is (at most
	// one broadcast each: a second is not made, and CreateBroadcast returns
	// ErrOccurrencePlanned).
	NoticeID   *uint
	Occurrence *time.Time
}

// CreateBroadcast records the broadcast and enqueues one message per
// recipient, and the organizer's progress message, in one transaction; it
// returns the broadcast with its total.
func (s *Store) CreateBroadcast(ctx context.Context, nb NewBroadcast) (*models.Broadcast, error) {
	if !models.ValidText(nb.Text, true) {
		return nil, fmt.Errorf("store: create broadcast: %w", models.ErrBadText)
	}
	for _, t := range nb.Texts {
		if !models.ValidText(t, true) {
			return nil, fmt.Errorf("store: create broadcast: %w", models.ErrBadText)
		}
	}
	b := &models.Broadcast{OrganizerID: nb.OrganizerID, ChatID: nb.ChatID, Audience: nb.Audience.String(),
		Text: nb.Text, PhotoFileID: nb.PhotoFileID, DocumentFileID: nb.DocumentFileID,
		SendAt: nb.SendAt.UTC(), Status: models.BroadcastSending, NoticeID: nb.NoticeID}
	if nb.Occurrence != nil {
		occ := nb.Occurrence.UTC()
		b.Occurrence = &occ
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := branchExists(tx, nb.Audience); err != nil {
			return err
		}
		if b.NoticeID != nil {
			// Not after the notice was stopped meanwhile; and one broadcast
			// a notice's date, whoever plans it first.
			var on int64
			if err := tx.Model(&models.Notice{}).Where("id = ? AND enabled = ?", *b.NoticeID, true).Count(&on).Error; err != nil {
				return err
			}
			if on == 0 {
				return ErrOccurrencePlanned
			}
			res := tx.Clauses(onConflictNothing()).Create(b)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return ErrOccurrencePlanned
			}
		} else if err := tx.Create(b).Error; err != nil {
			return err
		}
		sender := nb.Sender
		if nb.OrganizerID != nil {
			var org models.Member
			if err := tx.Select("name").Take(&org, *nb.OrganizerID).Error; err == nil {
				sender = org.Name
			}
		}
		n, err := enqueue(tx, s.sms, planner.Broadcast(b, nb.Audience, sender, nb.Texts))
		if err != nil {
			return err
		}
		b.Total = n
		if err := tx.Model(b).Update("total", n).Error; err != nil {
			return err
		}
		if b.OrganizerID != nil {
			_, err = enqueue(tx, s.sms, planner.BroadcastProgress(b, *b.OrganizerID))
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: create broadcast: %w", err)
	}
	return b, nil
}

// branchExists refuses a branch audience whose branch is not on record.
func branchExists(tx *gorm.DB, a models.Audience) error {
	paths, _ := a.IsBranches()
	if path, ok := a.IsBranch(); ok {
		paths = []string{path}
	}
	for _, path := range paths {
		var n int64
		if err := tx.Model(&models.Branch{}).Where("path = ?", path).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: no branch %q", ErrNotFound, path)
		}
	}
	return nil
}

// Claimed is an outbox row claimed for sending, with its member.
type Claimed struct {
	outbox.Row
	Member *models.Member
	// Withdrawn: its event was cancelled after it was planned (a row
	// claimed before the cancellation withdrew the waiting ones).
	Withdrawn bool
}

// ClaimOutbox leases up to limit due rows to owner until now+lease, oldest
// due first. Rows whose lease ran out (their dispatcher died) are due again.
// On PostgreSQL, FOR UPDATE SKIP LOCKED lets replicas claim side by side; on
// SQLite the immediate transaction makes one claimer at a time.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Claimed, error) {
	now = now.UTC()
	var rows []outbox.Row
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []uint64
		q := tx.Model(&outbox.Row{}).Select("id").
			Where("status IN ? AND next_attempt_at <= ?", []outbox.Status{outbox.Pending, outbox.Sending}, now).
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
		if err := tx.Model(&outbox.Row{}).Where("id IN ?", ids).Updates(map[string]any{
			"status": outbox.Sending, "lease_owner": owner, "next_attempt_at": now.Add(lease),
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
	return s.withSubjects(ctx, rows)
}

// withSubjects gives rows their members and whether they were withdrawn.
func (s *Store) withSubjects(ctx context.Context, rows []outbox.Row) ([]Claimed, error) {
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
		q := s.db.WithContext(ctx)
		if slices.ContainsFunc(rows, func(r outbox.Row) bool { return r.Channel == outbox.BySMS }) {
			q = q.Preload("Branch") // an SMS names the member's branch
		}
		if err := q.Where("id IN ?", memberIDs).Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("store: claim outbox: members: %w", err)
		}
		for i := range ms {
			members[ms[i].ID] = &ms[i]
		}
	}
	cancelled, err := s.cancelledEvents(ctx, rows)
	if err != nil {
		return nil, err
	}
	settled, err := s.settledPlans(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([]Claimed, len(rows))
	for i, r := range rows {
		out[i].Row = r
		if r.MemberID != nil {
			out[i].Member = members[*r.MemberID]
		}
		out[i].Withdrawn = r.EventID != nil && cancelled[*r.EventID] && outbox.Kind(r.Kind).WithdrawnWithEvent() ||
			r.PlanID != nil && settled[*r.PlanID] && outbox.Kind(r.Kind) == outbox.KindCheckReminder
	}
	return out, nil
}

// settledPlans are the plans among the rows' subjects that wait for an
// organizer or are closed: a reminder claimed before the member's ✅ Done
// is not sent after it.
func (s *Store) settledPlans(ctx context.Context, rows []outbox.Row) (map[uint]bool, error) {
	var ids []uint
	for _, r := range rows {
		if r.PlanID != nil {
			ids = append(ids, *r.PlanID)
		}
	}
	out := map[uint]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var settled []uint
	if err := s.db.WithContext(ctx).Model(&models.Plan{}).Where("id IN ? AND state <> ?", ids, models.PlanOpen).
		Pluck("id", &settled).Error; err != nil {
		return nil, fmt.Errorf("store: claim outbox: plans: %w", err)
	}
	for _, id := range settled {
		out[id] = true
	}
	return out, nil
}

// cancelledEvents are the cancelled events among the rows' subjects.
func (s *Store) cancelledEvents(ctx context.Context, rows []outbox.Row) (map[uint]bool, error) {
	var ids []uint
	for _, r := range rows {
		if r.EventID != nil {
			ids = append(ids, *r.EventID)
		}
	}
	out := map[uint]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var cancelled []uint
	if err := s.db.WithContext(ctx).Model(&models.Event{}).Where("id IN ? AND status = ?", ids, models.EventCancelled).
		Pluck("id", &cancelled).Error; err != nil {
		return nil, fmt.Errorf("store: claim outbox: events: %w", err)
	}
	for _, id := range cancelled {
		out[id] = true
	}
	return out, nil
}

// Outcome is what became of one send.
type Outcome struct {
	Status            outbox.Status // sent, failed, stale, skipped, or pending (retry later)
	Reason            outbox.Reason
	NextAttemptAt     time.Time // for pending
	CountAttempt      bool      // a real attempt (not a 429 or quiet-hours hold)
	Error             string
	TelegramMessageID int64
	// Channel, when set, is the channel the row went by (or will go by,
	// when pending): the dispatcher moves a row to SMS when its member
	// blocked the bot since it was planned.
	Channel outbox.Channel
	// ProviderMessageID is the SMS provider's id of a sent SMS; its delivery
	// is then "sent" until the provider reports.
	ProviderMessageID string
	// ChatID, when not 0, is the chat a row planned for SMS went to
	// instead (its member linked Telegram since).
	ChatID int64
	At     time.Time
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
			if f.Outcome.Status == outbox.Sent && f.Outcome.Error == "" && !f.Outcome.CountAttempt && f.Outcome.Channel == "" {
				sent = append(sent, f)
				continue
			}
			res := tx.Model(&outbox.Row{}).
				Where("id = ? AND status = ? AND lease_owner = ?", f.ID, outbox.Sending, owner).
				Updates(outcomeColumns(f.Outcome))
			if res.Error != nil {
				return res.Error
			}
			changed += int(res.RowsAffected)
			if res.RowsAffected == 1 && f.Outcome.Status == outbox.Sent && f.Outcome.ProviderMessageID != "" {
				if err := applyEarlyReport(tx, f.ID, f.Outcome.ProviderMessageID); err != nil {
					return err
				}
			}
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
		res := tx.Model(&outbox.Row{}).
			Where("id IN ? AND status = ? AND lease_owner = ?", ids, outbox.Sending, owner).
			Updates(map[string]any{"status": outbox.Sent, "lease_owner": "", "sent_at": at.UTC(), "reason": outbox.ReasonNone,
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
	updates := map[string]any{"status": o.Status, "lease_owner": "", "reason": o.Reason}
	if o.CountAttempt {
		updates["attempts"] = gorm.Expr("attempts + 1")
	}
	if o.Error != "" {
		updates["last_error"] = truncateText(o.Error, 500)
	}
	if o.Channel != "" {
		updates["channel"] = o.Channel
	}
	if o.ChatID != 0 {
		updates["chat_id"] = o.ChatID
	}
	switch o.Status {
	case outbox.Sent:
		updates["sent_at"] = o.At.UTC()
		updates["telegram_message_id"] = o.TelegramMessageID
		if o.Channel == outbox.BySMS {
			updates["provider_message_id"] = o.ProviderMessageID
			updates["delivery"] = outbox.DeliverySent
		}
	case outbox.Pending:
		updates["next_attempt_at"] = o.NextAttemptAt.UTC()
	}
	return updates
}

// ReleaseOutbox hands rows owner still holds back to the queue, due now (a
// dispatcher shutting down).
func (s *Store) ReleaseOutbox(ctx context.Context, owner string, now time.Time) (int, error) {
	res := s.db.WithContext(ctx).Model(&outbox.Row{}).
		Where("status = ? AND lease_owner = ?", outbox.Sending, owner).
		Updates(map[string]any{"status": outbox.Pending, "lease_owner": "", "next_attempt_at": now.UTC()})
	if res.Error != nil {
		return 0, fmt.Errorf("store: release outbox: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// MarkUnreachable records that an active member blocked the bot (or deleted
// their account): nothing more is sent to them. A muted or departed member
// keeps that status (a mute must survive blocking and unblocking; a muted
// member gets only urgent notices, whose failures are recorded on the row).
func (s *Store) MarkUnreachable(ctx context.Context, memberID uint, now time.Time) error {
	if err := s.db.WithContext(ctx).Model(&models.Member{}).Where("id = ? AND status = ?", memberID, models.StatusActive).
		Updates(map[string]any{"status": models.StatusUnreachable, "unreachable_since": now.UTC()}).Error; err != nil {
		return fmt.Errorf("store: mark unreachable: %w", err)
	}
	return nil
}

// MarkChatUnreachable records that the member with this private chat blocked
// the bot (a reply from the front end came back 403).
func (s *Store) MarkChatUnreachable(ctx context.Context, chatID int64, now time.Time) error {
	if err := s.db.WithContext(ctx).Model(&models.Member{}).Where("chat_id = ? AND status = ?", chatID, models.StatusActive).
		Updates(map[string]any{"status": models.StatusUnreachable, "unreachable_since": now.UTC()}).Error; err != nil {
		return fmt.Errorf("store: mark chat unreachable: %w", err)
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
func (s *Store) OutboxByID(ctx context.Context, id uint64) (*outbox.Row, error) {
	var o outbox.Row
	if err := s.db.WithContext(ctx).Take(&o, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

// OutboxQuery picks outbox rows for Outbox and OutboxTally; zero fields
// match anything.
type OutboxQuery struct {
	Kind        outbox.Kind
	EventID     uint
	BroadcastID uint
	MemberID    uint
	Status      outbox.Status
}

func (q OutboxQuery) apply(db *gorm.DB) *gorm.DB {
	if q.Kind != "" {
		db = db.Where("kind = ?", string(q.Kind))
	}
	if q.EventID != 0 {
		db = db.Where("event_id = ?", q.EventID)
	}
	if q.BroadcastID != 0 {
		db = db.Where("broadcast_id = ?", q.BroadcastID)
	}
	if q.MemberID != 0 {
		db = db.Where("member_id = ?", q.MemberID)
	}
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	return db
}

// Outbox lists the rows q picks, oldest first (tests, reports, preview).
func (s *Store) Outbox(ctx context.Context, q OutboxQuery) ([]outbox.Row, error) {
	var rows []outbox.Row
	if err := q.apply(s.db.WithContext(ctx)).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	return rows, nil
}

// Tally counts outbox rows by status and reason.
type Tally map[outbox.Status]map[outbox.Reason]int

// Status is the count of rows in st, whatever the reason.
func (t Tally) Status(st outbox.Status) int {
	n := 0
	for _, c := range t[st] {
		n += c
	}
	return n
}

// Final is the count of rows that will not be sent again.
func (t Tally) Final() int {
	n := 0
	for _, st := range outbox.FinalStatuses() {
		n += t.Status(st)
	}
	return n
}

// Blocked is the count of final rows not delivered because the member
// cannot be reached.
func (t Tally) Blocked() int {
	n := 0
	for _, st := range outbox.FinalStatuses() {
		for r, c := range t[st] {
			if st != outbox.Sent && r.Blocked() {
				n += c
			}
		}
	}
	return n
}

// OutboxTally counts the rows q picks by status and reason.
func (s *Store) OutboxTally(ctx context.Context, q OutboxQuery) (Tally, error) {
	return tally(q.apply(s.db.WithContext(ctx)))
}

func tally(db *gorm.DB) (Tally, error) {
	var rows []struct {
		Status outbox.Status
		Reason *outbox.Reason
		N      int
	}
	if err := db.Model(&outbox.Row{}).Select("status, reason, COUNT(*) AS n").Group("status, reason").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: outbox tally: %w", err)
	}
	out := Tally{}
	for _, r := range rows {
		reason := outbox.ReasonNone
		if r.Reason != nil {
			reason = *r.Reason
		}
		if out[r.Status] == nil {
			out[r.Status] = map[outbox.Reason]int{}
		}
		out[r.Status][reason] += r.N
	}
	return out, nil
}

// SendingBroadcasts lists broadcasts not yet finished whose time has come.
func (s *Store) SendingBroadcasts(ctx context.Context, now time.Time) ([]models.Broadcast, error) {
	var bs []models.Broadcast
	if err := s.db.WithContext(ctx).Where("status = ? AND send_at <= ?", models.BroadcastSending, now.UTC()).
		Order("id").Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("store: sending broadcasts: %w", err)
	}
	return bs, nil
}

// BroadcastProgress is how far a broadcast has come: its recipients' rows
// by status and reason, and its progress message once sent.
type BroadcastProgress struct {
	Tally     Tally
	MessageID int64 // 0 until the progress message is out
	ChatID    int64
}

// BroadcastProgressOf reads a broadcast's progress.
func (s *Store) BroadcastProgressOf(ctx context.Context, b *models.Broadcast) (*BroadcastProgress, error) {
	t, err := s.OutboxTally(ctx, OutboxQuery{Kind: outbox.KindBroadcast, BroadcastID: b.ID})
	if err != nil {
		return nil, err
	}
	p := &BroadcastProgress{Tally: t}
	var rows []outbox.Row
	if err := s.db.WithContext(ctx).Where("kind = ? AND broadcast_id = ? AND status = ?", string(outbox.KindBroadcastProgress), b.ID, outbox.Sent).
		Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: broadcast progress: %w", err)
	}
	if len(rows) == 1 {
		p.MessageID, p.ChatID = rows[0].TelegramMessageID, rows[0].ChatID
	}
	return p, nil
}

// SetBroadcastProgress records the sent count last shown.
func (s *Store) SetBroadcastProgress(ctx context.Context, id uint, shown int) error {
	if err := s.db.WithContext(ctx).Model(&models.Broadcast{}).Where("id = ?", id).Update("last_progress", shown).Error; err != nil {
		return fmt.Errorf("store: broadcast progress: %w", err)
	}
	return nil
}

// FinishBroadcast marks a broadcast done once every recipient's row is
// final, and in the same transaction enqueues the organizer's report, so the
// report is never lost and goes out once (false: not finished yet, or
// another dispatcher finished it first).
func (s *Store) FinishBroadcast(ctx context.Context, id uint, now time.Time) (bool, error) {
	done := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var b models.Broadcast
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&b, id).Error; err != nil {
			return notFound(err)
		}
		if b.Status != models.BroadcastSending {
			return nil
		}
		t, err := tally(tx.Where("kind = ? AND broadcast_id = ?", string(outbox.KindBroadcast), id))
		if err != nil {
			return err
		}
		if t.Final() < b.Total {
			return nil
		}
		res := tx.Model(&models.Broadcast{}).Where("id = ? AND status = ?", id, models.BroadcastSending).
			Updates(map[string]any{"status": models.BroadcastDone, "finished_at": now.UTC(), "last_progress": t.Status(outbox.Sent)})
		if res.Error != nil || res.RowsAffected != 1 {
			return res.Error
		}
		done = true
		// A progress message still waiting (a 5xx put it back) would reach
		// the organizer after the report, saying 0 sent: withdrawn.
		if err := withdraw(tx, "kind = ? AND broadcast_id = ?", string(outbox.KindBroadcastProgress), id); err != nil {
			return err
		}
		if b.OrganizerID == nil {
			return nil
		}
		delivered, blocked := t.Status(outbox.Sent), t.Blocked()
		var bySMS int64
		if err := tx.Model(&outbox.Row{}).Where("kind = ? AND broadcast_id = ? AND channel = ? AND status = ?", string(outbox.KindBroadcast), id, outbox.BySMS, outbox.Sent).
			Count(&bySMS).Error; err != nil {
			return err
		}
		noTemplate := t[outbox.Skipped][outbox.ReasonNoTemplate]
		c := planner.BroadcastCounts{Total: b.Total, Delivered: delivered, Blocked: blocked, Failed: t.Final() - delivered - blocked - noTemplate,
			BySMS: int(bySMS), NoTemplate: noTemplate}
		_, err = enqueue(tx, s.sms, planner.BroadcastReport(&b, *b.OrganizerID, c, now))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: finish broadcast: %w", err)
	}
	return done, nil
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
	res := s.db.WithContext(ctx).Where("status IN ? AND created_at < ?", outbox.FinalStatuses(), cutoff.UTC()).Delete(&outbox.Row{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: purge outbox: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// PendingBefore lists up to limit pending rows due by until, by due time,
// with their members and whether they were withdrawn, as the dispatcher
// will claim them (a preview).
func (s *Store) PendingBefore(ctx context.Context, until time.Time, limit int) ([]Claimed, error) {
	var rows []outbox.Row
	if err := s.db.WithContext(ctx).Where("status = ? AND next_attempt_at <= ?", outbox.Pending, until.UTC()).
		Order("next_attempt_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return s.withSubjects(ctx, rows)
}

// ScheduledBroadcasts lists the notices waiting for their time: the
// organizer's own (admins: all), by time.
func (s *Store) ScheduledBroadcasts(ctx context.Context, org *models.Member, scope models.Scope, now time.Time) ([]models.Broadcast, error) {
	q := s.db.WithContext(ctx).Where("status = ? AND send_at > ?", models.BroadcastSending, now.UTC())
	if !scope.Admin {
		q = q.Where("organizer_id = ?", org.ID)
	}
	var bs []models.Broadcast
	if err := q.Order("send_at, id").Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("store: scheduled broadcasts: %w", err)
	}
	return bs, nil
}

// Why a notice cannot be called off.
var (
	ErrBroadcastStarted   = errors.New("store: the notice has started")
	ErrBroadcastCancelled = errors.New("store: the notice was called off already")
)

// CancelBroadcast calls off a scheduled notice before its time, for the
// organizer who wrote it (or an admin): its messages are withdrawn, none
// is sent, and no report follows.
func (s *Store) CancelBroadcast(ctx context.Context, id uint, org *models.Member, scope models.Scope, now time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var b models.Broadcast
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&b, id).Error; err != nil {
			return notFound(err)
		}
		switch {
		case !scope.Admin && (b.OrganizerID == nil || *b.OrganizerID != org.ID):
			return models.ErrNotYours
		case b.Status == models.BroadcastCancelled:
			return ErrBroadcastCancelled
		case b.Status != models.BroadcastSending || !b.SendAt.After(now):
			return ErrBroadcastStarted
		}
		if err := tx.Model(&models.Broadcast{}).Where("id = ?", id).
			Updates(map[string]any{"status": models.BroadcastCancelled, "finished_at": now.UTC()}).Error; err != nil {
			return err
		}
		return withdraw(tx, "broadcast_id = ?", id)
	})
}

// OutboxQueue counts the messages waiting (pending) and in a dispatcher's
// hands (sending), and says how long the oldest message due by now has
// waited (0 when none is). Both read only the queue end of the (status,
// next_attempt_at) index and its rows, never the months of sent rows: it
// runs at every scrape. The count is the tally's (OutboxTally).
func (s *Store) OutboxQueue(ctx context.Context, now time.Time) (map[outbox.Status]int, time.Duration, error) {
	queue := []outbox.Status{outbox.Pending, outbox.Sending}
	t, err := tally(s.db.WithContext(ctx).Where("status IN ?", queue))
	if err != nil {
		return nil, 0, err
	}
	out := map[outbox.Status]int{}
	for _, st := range queue {
		if n := t.Status(st); n > 0 {
			out[st] = n
		}
	}
	var due []time.Time
	if err := s.db.WithContext(ctx).Model(&outbox.Row{}).Where("status = ? AND next_attempt_at <= ?", outbox.Pending, now.UTC()).
		Order("next_attempt_at").Limit(1).Pluck("next_attempt_at", &due).Error; err != nil {
		return nil, 0, fmt.Errorf("store: oldest due: %w", err)
	}
	var age time.Duration
	if len(due) == 1 {
		age = max(now.Sub(due[0]), 0)
	}
	return out, age, nil
}
