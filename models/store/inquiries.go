package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
)

// Why a question cannot be sent or answered.
var (
	ErrInquiryGone     = errors.New("store: the question was sent already, or is too old to send")
	ErrInquiryAnswered = errors.New("store: the question was answered already")
	ErrNobodyAnswers   = errors.New("store: the branch has nobody to answer questions")
	ErrInquiryText     = fmt.Errorf("store: a question or answer is 1 to %d characters", models.MaxAnswerText)
)

// AnsweredError is ErrInquiryAnswered with who answered.
type AnsweredError struct{ By string }

func (e *AnsweredError) Error() string        { return ErrInquiryAnswered.Error() + " by " + e.By }
func (e *AnsweredError) Is(target error) bool { return target == ErrInquiryAnswered }

// DraftInquiry keeps a member's words the bot did not understand, for the
// tap that sends them as a question.
func (s *Store) DraftInquiry(ctx context.Context, m *models.Member, text string, now time.Time) (*models.Inquiry, error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > models.MaxInquiryText || !models.ValidText(text, true) {
		return nil, fmt.Errorf("store: draft question: %w", ErrInquiryText)
	}
	q := &models.Inquiry{MemberID: m.ID, BranchID: m.BranchID, Text: text, Status: models.InquiryDraft, CreatedAt: now.UTC()}
	if err := s.db.WithContext(ctx).Create(q).Error; err != nil {
		return nil, fmt.Errorf("store: draft question: %w", err)
	}
	return q, nil
}

// AskBySMS makes a member's SMS words a question to their organizers (the
// nearest branch up that has some, else the admins), sent at once: the
// answer goes back by SMS. It returns how many were told (0: nobody to).
func (s *Store) AskBySMS(ctx context.Context, m *models.Member, text string, now time.Time) (int, error) {
	if !m.OnRoster() {
		return 0, nil // a member who left asks nobody
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, fmt.Errorf("store: sms question: %w", ErrInquiryText)
	}
	if r := []rune(text); len(r) > models.MaxInquiryText {
		text = string(r[:models.MaxInquiryText])
	}
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		path, err := branchPathOf(tx, m.BranchID)
		if err != nil {
			return err
		}
		d, err := nearestOrganizers(tx, path, m.ID)
		if err != nil || len(d.IDs) == 0 {
			return err
		}
		at := now.UTC()
		q := &models.Inquiry{MemberID: m.ID, BranchID: m.BranchID, Text: text, Status: models.InquiryOpen, BySMS: true, AskedAt: &at, CreatedAt: at}
		if err := tx.Create(q).Error; err != nil {
			return err
		}
		n, err = enqueue(tx, s.sms, planner.Inquiry(q, m, path, d.IDs, false, now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: sms question: %w", err)
	}
	return n, nil
}

// InquiryByID finds a question.
func (s *Store) InquiryByID(ctx context.Context, id uint) (*models.Inquiry, error) {
	var q models.Inquiry
	if err := s.db.WithContext(ctx).Take(&q, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &q, nil
}

// branchPathOf is the path of a branch id ("" for none).
func branchPathOf(tx *gorm.DB, id *uint) (string, error) {
	if id == nil {
		return "", nil
	}
	var b models.Branch
	if err := tx.Select("path").Take(&b, *id).Error; err != nil {
		return "", notFound(err)
	}
	return b.Path, nil
}

// AskInquiry sends the member's drafted question to those who decide for
// their branch (DecidersFor: its organizers, else those above, else the
// admins), through the outbox, once: the draft must be the member's, and
// fresh. It returns how many were told.
func (s *Store) AskInquiry(ctx context.Context, id uint, m *models.Member, now time.Time) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var q models.Inquiry
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&q, id).Error; err != nil {
			return notFound(err)
		}
		if q.MemberID != m.ID || !m.OnRoster() {
			return models.ErrNotYours
		}
		if q.Status != models.InquiryDraft || now.Sub(q.CreatedAt) > models.DraftTTL {
			return ErrInquiryGone
		}
		path, err := branchPathOf(tx, q.BranchID)
		if err != nil {
			return err
		}
		d, err := nearestOrganizers(tx, path, m.ID)
		if err != nil {
			return err
		}
		if len(d.IDs) == 0 {
			return ErrNobodyAnswers
		}
		at := now.UTC()
		res := tx.Model(&models.Inquiry{}).Where("id = ? AND status = ?", q.ID, models.InquiryDraft).
			Updates(map[string]any{"status": models.InquiryOpen, "asked_at": at})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrInquiryGone
		}
		q.AskedAt = &at
		n, err = enqueue(tx, s.sms, planner.Inquiry(&q, m, path, d.IDs, false, now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: ask question: %w", err)
	}
	return n, nil
}

// mayAnswer reports whether org may answer a question of a member of the
// branch at path: an admin, or an organizer whose branches cover it (the
// organizers of a branch above answer too, once it is escalated or
// before).
func mayAnswer(scope models.Scope, path string) bool {
	return scope.Admin || (path != "" && scope.Covers(path))
}

// MayAnswerInquiry checks, before an organizer writes an answer, that the
// question is theirs to answer and still open (ErrInquiryAnswered names
// who answered).
func (s *Store) MayAnswerInquiry(ctx context.Context, id uint, scope models.Scope) (*models.Inquiry, error) {
	db := s.db.WithContext(ctx)
	var q models.Inquiry
	if err := db.Take(&q, id).Error; err != nil {
		return nil, notFound(err)
	}
	path, err := branchPathOf(db, q.BranchID)
	if err != nil {
		return nil, err
	}
	if !mayAnswer(scope, path) || q.Status == models.InquiryDraft {
		return nil, models.ErrNotYours
	}
	if q.Status == models.InquiryAnswered {
		return nil, answeredBy(db, &q)
	}
	return &q, nil
}

// answeredBy is the refusal naming who answered q.
func answeredBy(db *gorm.DB, q *models.Inquiry) error {
	var org models.Member
	name := "?"
	if q.AnsweredBy != nil && db.Select("name").Take(&org, *q.AnsweredBy).Error == nil {
		name = org.Name
	}
	return &AnsweredError{By: name}
}

// AnswerInquiry records an organizer's answer and sends it to the member,
// with the question quoted, in one transaction: the first answer closes the
// question, and a second (another organizer, an old button) is refused
// with who answered (AnsweredError), changing nothing.
func (s *Store) AnswerInquiry(ctx context.Context, id uint, org *models.Member, scope models.Scope, answer string, now time.Time) (*models.Inquiry, error) {
	answer = strings.TrimSpace(answer)
	if answer == "" || utf8.RuneCountInString(answer) > models.MaxAnswerText || !models.ValidText(answer, true) {
		return nil, fmt.Errorf("store: answer question: %w", ErrInquiryText)
	}
	var q models.Inquiry
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&q, id).Error; err != nil {
			return notFound(err)
		}
		path, err := branchPathOf(tx, q.BranchID)
		if err != nil {
			return err
		}
		if !org.OnRoster() || !mayAnswer(scope, path) || q.Status == models.InquiryDraft {
			return models.ErrNotYours
		}
		if q.Status == models.InquiryAnswered {
			return answeredBy(tx, &q)
		}
		at := now.UTC()
		res := tx.Model(&models.Inquiry{}).Where("id = ? AND status = ?", q.ID, models.InquiryOpen).
			Updates(map[string]any{"status": models.InquiryAnswered, "answered_at": at, "answered_by": org.ID, "answer": answer})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrInquiryAnswered
		}
		q.Status, q.AnsweredAt, q.AnsweredBy, q.Answer = models.InquiryAnswered, &at, &org.ID, answer
		_, err = enqueue(tx, s.sms, planner.InquiryAnswer(&q, org.Name, now))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: answer question: %w", err)
	}
	return &q, nil
}

// InquiriesOf are a member's questions, newest first (their card).
func (s *Store) InquiriesOf(ctx context.Context, memberID uint, limit int) ([]models.Inquiry, error) {
	var qs []models.Inquiry
	err := s.db.WithContext(ctx).Where("member_id = ? AND status <> ?", memberID, models.InquiryDraft).
		Order("asked_at DESC, id DESC").Limit(limit).Find(&qs).Error
	if err != nil {
		return nil, fmt.Errorf("store: questions of member: %w", err)
	}
	return qs, nil
}

// FollowUpInquiries is the daily run over open questions (SPEC C15): each
// organizer who answers questions waiting a day or more gets them on one
// list; a question waiting three days goes, once, to those who decide for
// the branch above. Drafts never sent are forgotten. It returns how many
// lists and escalations were enqueued.
func (s *Store) FollowUpInquiries(ctx context.Context, loc *time.Location, now time.Time) (lists, escalated int, err error) {
	db := s.db.WithContext(ctx)
	if err := db.Where("status = ? AND created_at < ?", models.InquiryDraft, now.Add(-models.DraftTTL).UTC()).Delete(&models.Inquiry{}).Error; err != nil {
		return 0, 0, fmt.Errorf("store: forget drafts: %w", err)
	}
	var open []models.Inquiry
	if err := db.Where("status = ? AND asked_at <= ?", models.InquiryOpen, now.Add(-models.ListAfter).UTC()).Order("asked_at, id").Find(&open).Error; err != nil {
		return 0, 0, fmt.Errorf("store: open questions: %w", err)
	}
	byOrganizer := map[uint][]planner.InquiryItem{}
	var order []uint
	for i := range open {
		q := &open[i]
		var m models.Member
		if err := db.Select("id", "name", "phone", "status").Take(&m, q.MemberID).Error; err != nil || !m.OnRoster() {
			continue // the member was deleted or left: nobody to answer
		}
		path, err := branchPathOf(db, q.BranchID)
		if err != nil {
			continue
		}
		d, err := nearestOrganizers(db, path, q.MemberID)
		if err != nil {
			return lists, escalated, fmt.Errorf("store: who answers: %w", err)
		}
		item := planner.InquiryItem{ID: q.ID, Name: m.Name, Text: q.Text, AskedAt: *q.AskedAt}
		for _, id := range d.IDs {
			if _, seen := byOrganizer[id]; !seen {
				order = append(order, id)
			}
			byOrganizer[id] = append(byOrganizer[id], item)
		}
		if q.Escalated || now.Sub(*q.AskedAt) < models.EscalateAfter || d.Branch == "" {
			continue
		}
		// The branch above the one whose organizers did not answer.
		up, err := nearestOrganizers(db, parentPath(d.Branch), q.MemberID)
		if err != nil {
			return lists, escalated, fmt.Errorf("store: who answers above: %w", err)
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			res := tx.Model(&models.Inquiry{}).Where("id = ? AND escalated = ?", q.ID, false).Update("escalated", true)
			if res.Error != nil || res.RowsAffected != 1 || len(up.IDs) == 0 {
				return res.Error
			}
			n, err := enqueue(tx, s.sms, planner.Inquiry(q, &m, path, up.IDs, true, now))
			escalated += n
			return err
		})
		if err != nil {
			return lists, escalated, fmt.Errorf("store: escalate question: %w", err)
		}
	}
	day := models.DayOf(now, loc)
	for _, id := range order {
		n, err := enqueue(db, s.sms, planner.InquiryList(id, day, byOrganizer[id], now))
		if err != nil {
			return lists, escalated, fmt.Errorf("store: question list: %w", err)
		}
		lists += n
	}
	return lists, escalated, nil
}

// nearestOrganizers are who answer a question of a member of the branch
// at path: the linked organizers of the nearest branch, the branch itself
// or one above it, that has some (Deciders.Branch), not those further up
// (they are told after EscalateAfter); else the admins.
func nearestOrganizers(tx *gorm.DB, path string, except uint) (Deciders, error) {
	d, err := decidersFor(tx, path, except)
	if err != nil || d.Branch == "" {
		return d, err
	}
	var ids []uint
	err = tx.Model(&models.Member{}).
		Joins("JOIN organizer_scopes ON organizer_scopes.member_id = members.id").
		Joins("JOIN branches ON branches.id = organizer_scopes.branch_id").
		Where("members.id IN ? AND branches.path = ?", d.IDs, d.Branch).
		Distinct("members.id").Order("members.id").Pluck("members.id", &ids).Error
	d.IDs = ids
	return d, err
}

// parentPath is the branch above path ("" above a top branch: the admins).
func parentPath(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[:i]
	}
	return ""
}
