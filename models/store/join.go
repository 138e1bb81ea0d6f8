package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
)

// CreateJoinRequest records a stranger's request and, in the same
// transaction, asks the organizers who decide for the branch (username is
// the stranger's @name, shown to them). A user with a request still pending
// gets that one back (created=false) instead of a second. A name that
// models.ValidText refuses fails with models.ErrBadText.
func (s *Store) CreateJoinRequest(ctx context.Context, jr models.JoinRequest, username string, now time.Time) (*models.JoinRequest, bool, error) {
	if !models.ValidText(jr.Name, false) {
		return nil, false, fmt.Errorf("store: create join request: %w", models.ErrBadText)
	}
	created := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing models.JoinRequest
		err := tx.Where("telegram_id = ? AND status = ?", jr.TelegramID, models.JoinPending).Take(&existing).Error
		if err == nil {
			jr = existing
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		jr.Status = models.JoinPending
		created = true
		if err := tx.Create(&jr).Error; err != nil {
			return err
		}
		var b models.Branch
		if err := tx.Take(&b, jr.BranchID).Error; err != nil {
			return notFound(err)
		}
		_, err = enqueue(tx, s.sms, planner.JoinRequest(&jr, b.Path, username, now))
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: create join request: %w", err)
	}
	return &jr, created, nil
}

// PendingJoinRequest is the user's request still waiting for a decision,
// with its branch; ErrNotFound when none waits.
func (s *Store) PendingJoinRequest(ctx context.Context, telegramID int64) (*models.JoinRequest, error) {
	var jr models.JoinRequest
	err := s.db.WithContext(ctx).Preload("Branch").Where("telegram_id = ? AND status = ?", telegramID, models.JoinPending).
		Order("id").Take(&jr).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: pending join request: %w", err)
	}
	return &jr, nil
}

// JoinRequestByID finds a join request with its branch.
func (s *Store) JoinRequestByID(ctx context.Context, id uint) (*models.JoinRequest, error) {
	var jr models.JoinRequest
	if err := s.db.WithContext(ctx).Preload("Branch").Take(&jr, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &jr, nil
}

// DecideJoinRequest approves or declines a pending request. Approval puts the
// stranger on the roster in the requested branch, linked to their account.
// The applicant is told in the same transaction. A request decided already
// fails with ErrDecided and is returned as it stands.
func (s *Store) DecideJoinRequest(ctx context.Context, id, deciderID uint, approve bool, now time.Time) (*models.JoinRequest, error) {
	var jr models.JoinRequest
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&jr, id).Error; err != nil {
			return notFound(err)
		}
		if jr.Status != models.JoinPending {
			return ErrDecided
		}
		status := models.JoinDeclined
		updates := map[string]any{"decided_by": deciderID, "decided_at": now.UTC()}
		if approve {
			status = models.JoinApproved
			var m models.Member
			err := tx.Where("telegram_id = ?", jr.TelegramID).Take(&m).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				m = models.Member{Name: jr.Name, BranchID: &jr.BranchID, Role: models.RoleMember, Lang: jr.Lang,
					TelegramID: &jr.TelegramID, ChatID: &jr.ChatID, Status: models.StatusActive}
				if jr.Phone != nil {
					var n int64
					if err := tx.Model(&models.Member{}).Where("phone = ?", *jr.Phone).Count(&n).Error; err != nil {
						return err
					}
					if n == 0 {
						m.Phone = jr.Phone
					}
				}
				err = tx.Create(&m).Error
			} else if err == nil {
				// Known already (they left, or blocked the bot): back on the
				// roster in the branch they asked for, reachable in this chat.
				rejoin := map[string]any{"chat_id": jr.ChatID}
				if m.Status == models.StatusLeft {
					rejoin["status"], rejoin["branch_id"] = models.StatusActive, jr.BranchID
				} else if m.Status == models.StatusUnreachable {
					rejoin["status"] = models.StatusActive
				}
				err = tx.Model(&m).Updates(rejoin).Error
			}
			if err != nil {
				return err
			}
			updates["member_id"] = m.ID
		}
		updates["status"] = status
		// The status condition settles two organizers pressing at once.
		res := tx.Model(&models.JoinRequest{}).Where("id = ? AND status = ?", jr.ID, models.JoinPending).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrDecided
		}
		if err := tx.Preload("Branch").Take(&jr, jr.ID).Error; err != nil {
			return err
		}
		_, err := enqueue(tx, s.sms, planner.JoinDecision(&jr, jr.Branch.Path, now))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrDecided) || errors.Is(err, ErrNotFound) {
			got, gerr := s.JoinRequestByID(ctx, id)
			if gerr == nil {
				return got, err
			}
			return nil, err
		}
		return nil, fmt.Errorf("store: decide join request: %w", err)
	}
	return s.JoinRequestByID(ctx, id)
}
