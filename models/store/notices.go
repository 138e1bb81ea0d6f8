package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// ErrOccurrencePlanned: this date of the recurring notice has its
// broadcast already (another run, another replica, before a restart).
var ErrOccurrencePlanned = errors.New("store: this date of the notice is planned already")

// AddNotice records a recurring notice (SPEC C15), counting its dates from
// the day of now when it has no Start.
func (s *Store) AddNotice(ctx context.Context, n *models.Notice, loc *time.Location, now time.Time) error {
	if err := n.Validate(); err != nil {
		return fmt.Errorf("store: add notice: %w", err)
	}
	a, err := models.ParseAudience(n.Audience)
	if err != nil {
		return fmt.Errorf("store: add notice: %w", err)
	}
	if n.Start.IsZero() {
		n.Start = models.DayOf(now, loc)
	}
	n.Enabled = true
	n.CreatedAt, n.UpdatedAt = now.UTC(), now.UTC()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := branchExists(tx, a); err != nil {
			return err
		}
		return tx.Create(n).Error
	})
	if err != nil {
		return fmt.Errorf("store: add notice: %w", err)
	}
	return nil
}

// Notices lists the recurring notices, the association's year's entries
// among them (enabled or not), oldest first.
func (s *Store) Notices(ctx context.Context) ([]models.Notice, error) {
	var ns []models.Notice
	if err := s.db.WithContext(ctx).Order("id").Find(&ns).Error; err != nil {
		return nil, fmt.Errorf("store: notices: %w", err)
	}
	return ns, nil
}

// NoticeByID finds a recurring notice.
func (s *Store) NoticeByID(ctx context.Context, id uint) (*models.Notice, error) {
	var n models.Notice
	if err := s.db.WithContext(ctx).Take(&n, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &n, nil
}

// RemoveNotice ends a recurring notice: no date after now is sent (what
// went out stays in its broadcasts). An entry of the association's year is
// switched off instead, keeping its texts.
func (s *Store) RemoveNotice(ctx context.Context, id uint, now time.Time) error {
	n, err := s.NoticeByID(ctx, id)
	if err != nil {
		return err
	}
	db := s.db.WithContext(ctx)
	if n.CalendarKey != nil {
		err = db.Model(&models.Notice{}).Where("id = ?", id).Updates(map[string]any{"enabled": false, "updated_at": now.UTC()}).Error
	} else {
		err = db.Delete(&models.Notice{}, id).Error
	}
	if err != nil {
		return fmt.Errorf("store: remove notice: %w", err)
	}
	return nil
}

// SetYearEntry switches an entry of the association's year on (with its
// audience and texts, when given; else what it had, else the entry's) or
// off. Switched on, its dates count from now: one passed today is not sent.
func (s *Store) SetYearEntry(ctx context.Context, e models.YearEntry, audience *models.Audience, texts map[string]string, on bool, loc *time.Location, now time.Time) (*models.Notice, error) {
	var n models.Notice
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("calendar_key = ?", e.Key).Take(&n).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if !exists {
			n = e.Notice()
			n.Start = models.DayOf(now, loc)
			n.CreatedAt = now.UTC()
		}
		if audience != nil {
			if err := branchExists(tx, *audience); err != nil {
				return err
			}
			n.Audience = audience.String()
		}
		if len(texts) > 0 {
			n.SetTexts(texts)
		}
		countFrom := n.UpdatedAt
		if on && !n.Enabled || !exists {
			countFrom = now.UTC() // its dates count from here
		}
		n.Enabled = on
		if err := n.Validate(); err != nil {
			return err
		}
		if err := tx.Save(&n).Error; err != nil {
			return err
		}
		// Save stamps the wall clock; the dates count from countFrom, which
		// a change of texts or audience does not move.
		n.UpdatedAt = countFrom
		return tx.Model(&n).UpdateColumn("updated_at", countFrom).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: year entry %s: %w", e.Key, err)
	}
	return &n, nil
}

// PlannedOccurrence is a date of a recurring notice made a broadcast.
type PlannedOccurrence struct {
	NoticeID    uint
	Date        models.Day
	BroadcastID uint
	Total       int
}

// PlanNotices makes a broadcast of each date of the enabled recurring
// notices whose time has come, up to NoticeCatchUp late (the bot was down)
// and never one before the notice was made or switched on: once a date,
// however many runs, replicas or restarts (a unique index). The broadcast
// goes through the outbox like any notice: quiet hours, the budget, SMS,
// each member's language.
func (s *Store) PlanNotices(ctx context.Context, loc *time.Location, now time.Time) ([]PlannedOccurrence, error) {
	var ns []models.Notice
	if err := s.db.WithContext(ctx).Where("enabled = ?", true).Order("id").Find(&ns).Error; err != nil {
		return nil, fmt.Errorf("store: plan notices: %w", err)
	}
	// One notice that cannot be sent (its branch was removed) does not
	// hold up the others: each is tried, the failures said together.
	var out []PlannedOccurrence
	var errs []error
	for i := range ns {
		n := &ns[i]
		dates, err := n.Due(now.Add(-models.NoticeCatchUp), now, loc)
		if err != nil {
			errs = append(errs, fmt.Errorf("store: notice %d: %w", n.ID, err))
			continue
		}
		for _, d := range dates {
			var planned int64
			if err := s.db.WithContext(ctx).Model(&models.Broadcast{}).Where("notice_id = ? AND occurrence = ?", n.ID, d.UTC()).Count(&planned).Error; err != nil {
				return out, fmt.Errorf("store: plan notices: %w", err)
			}
			if planned > 0 {
				continue
			}
			b, err := s.planOccurrence(ctx, n, d, loc)
			if errors.Is(err, ErrOccurrencePlanned) {
				continue
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("store: notice %d on %s: %w", n.ID, d.Format("2006-01-02"), err))
				continue
			}
			out = append(out, PlannedOccurrence{NoticeID: n.ID, Date: d, BroadcastID: b.ID, Total: b.Total})
		}
	}
	return out, errors.Join(errs...)
}

// ErrNoticeMakerGone: the organizer who made a recurring notice left, or
// no longer organizes its audience; the notice is switched off.
var ErrNoticeMakerGone = errors.New("store: the notice's maker no longer organizes its audience: switched off")

// planOccurrence makes the broadcast of one date of n. A notice whose maker
// left or no longer reaches its audience is switched off instead (an
// admin's /notices shows it), not sent in their name.
func (s *Store) planOccurrence(ctx context.Context, n *models.Notice, date models.Day, loc *time.Location) (*models.Broadcast, error) {
	a, err := models.ParseAudience(n.Audience)
	if err != nil {
		return nil, fmt.Errorf("store: notice %d: %w", n.ID, err)
	}
	texts := n.NoticeTexts()
	sender := ""
	if n.CreatedBy != nil {
		m, err := s.MemberByID(ctx, *n.CreatedBy)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		reach := false
		if err == nil && m.IsOrganizer() && m.OnRoster() {
			scope, err := s.Scope(ctx, m)
			if err != nil {
				return nil, err
			}
			reach = scope.CanReach(a, nil)
		}
		if !reach {
			if err := s.db.WithContext(ctx).Model(&models.Notice{}).Where("id = ?", n.ID).Update("enabled", false).Error; err != nil {
				return nil, err
			}
			return nil, ErrNoticeMakerGone
		}
		sender = m.Name
	}
	id := n.ID
	b, err := s.CreateBroadcast(ctx, NewBroadcast{Audience: a, Text: n.TextFor("zh-Hans"), Texts: texts, PhotoFileID: n.PhotoFileID,
		SendAt: n.SendAt(date, loc), Sender: sender, NoticeID: &id, Occurrence: &date})
	return b, err
}

// NoticesTo are the last notices sent to a member (SPEC C15: "what was
// sent to me"), newest first: broadcasts, recurring ones among them.
func (s *Store) NoticesTo(ctx context.Context, memberID uint, limit int) ([]outbox.Row, error) {
	var rows []outbox.Row
	err := s.db.WithContext(ctx).Where("member_id = ? AND kind = ? AND status = ?", memberID, outbox.KindBroadcast, outbox.Sent).
		Order("sent_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: notices to member: %w", err)
	}
	return rows, nil
}
