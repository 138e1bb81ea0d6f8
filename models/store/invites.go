package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
)

// DefaultInviteTTL is how long an invite link works (SPEC C1).
const DefaultInviteTTL = 30 * 24 * time.Hour

// newInviteCode returns 128 random bits as 22 URL-safe characters: within the
// 64 characters of A-Z a-z 0-9 _ - that a deep-link payload allows.
func newInviteCode() (string, error) {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// CreateInvite makes a single-use code for the member, valid for ttl from now.
// The code itself is returned once and never stored.
func (s *Store) CreateInvite(ctx context.Context, memberID uint, ttl time.Duration, now time.Time) (code string, expires time.Time, err error) {
	code, err = newInviteCode()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: create invite: %w", err)
	}
	inv := models.Invite{CodeHash: hashCode(code), MemberID: memberID, ExpiresAt: now.Add(ttl).UTC()}
	if err := s.db.WithContext(ctx).Create(&inv).Error; err != nil {
		return "", time.Time{}, fmt.Errorf("store: create invite: %w", err)
	}
	return code, inv.ExpiresAt, nil
}

// RedeemInvite links the Telegram account to the invite's member and uses the
// invite up. It fails with ErrNotFound, ErrInviteUsed, ErrInviteExpired,
// ErrMemberLinked or ErrAccountLinked, changing nothing.
func (s *Store) RedeemInvite(ctx context.Context, code string, tgID, chatID int64, now time.Time) (*models.Member, error) {
	var memberID uint
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var inv models.Invite
		if err := tx.Where("code_hash = ?", hashCode(code)).Take(&inv).Error; err != nil {
			return notFound(err)
		}
		if inv.UsedAt != nil {
			return ErrInviteUsed
		}
		if !now.Before(inv.ExpiresAt) {
			return ErrInviteExpired
		}
		var m models.Member
		if err := tx.Take(&m, inv.MemberID).Error; err != nil {
			return notFound(err)
		}
		if err := link(tx, &m, tgID, chatID); err != nil {
			return err
		}
		// The condition on used_at makes two redemptions racing for one code
		// end with one winner.
		res := tx.Model(&models.Invite{}).Where("id = ? AND used_at IS NULL", inv.ID).Update("used_at", now.UTC())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrInviteUsed
		}
		memberID = m.ID
		return nil
	})
	if err != nil {
		if isSentinel(err) {
			return nil, err
		}
		return nil, fmt.Errorf("store: redeem invite: %w", err)
	}
	return s.MemberByID(ctx, memberID)
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrNotFound, ErrInviteUsed, ErrInviteExpired, ErrAccountLinked, ErrMemberLinked, ErrPhoneTaken, ErrDecided} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
