package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
)

// ErrNotHeld refuses a record of an occurrence that has not taken place
// (models.Held).
var ErrNotHeld = errors.New("store: the occurrence has not taken place")

// Held reports whether an occurrence was held by now: models.Held with
// whether anyone was checked in to it.
func (s *Store) Held(ctx context.Context, eventID uint, occ, now time.Time, loc *time.Location) (bool, error) {
	anyIn, err := anyCheckedIn(s.db.WithContext(ctx), eventID, occ)
	if err != nil {
		return false, fmt.Errorf("store: held: %w", err)
	}
	return models.Held(occ, anyIn, now, loc), nil
}

// SaveRecord writes the record of an occurrence (topic and summary; its
// photos are kept), for an organizer who manages the event, once the
// occurrence was held (models.Held). It returns the record. A topic or summary that
// models.ValidText refuses (the summary may have several lines) fails with
// models.ErrBadText.
func (s *Store) SaveRecord(ctx context.Context, eventID uint, occ time.Time, org *models.Member, topic, summary string, loc *time.Location, now time.Time) (*models.ActivityRecord, error) {
	if !models.ValidText(topic, false) || !models.ValidText(summary, true) {
		return nil, fmt.Errorf("store: save record: %w", models.ErrBadText)
	}
	e, err := s.EventByID(ctx, eventID)
	if err != nil {
		return nil, err
	}
	manages, err := s.CanManage(ctx, org, e)
	if err != nil {
		return nil, err
	}
	switch {
	case !manages:
		return nil, models.ErrNotYours
	case !e.Recordable():
		return nil, models.ErrNotRecordable
	case !e.Occurs(loc, occ):
		return nil, models.ErrBadOccurrence
	}
	if held, err := s.Held(ctx, e.ID, occ, now, loc); err != nil {
		return nil, err
	} else if !held {
		return nil, ErrNotHeld
	}
	rec := models.ActivityRecord{EventID: e.ID, Occurrence: occ.UTC(), Topic: truncateText(topic, 200), Summary: summary, RecordedBy: &org.ID}
	if a, err := models.ParseAudience(e.Audience); err == nil {
		if path, ok := a.IsBranch(); ok {
			if b, err := s.BranchByPath(ctx, path); err == nil {
				rec.BranchID = &b.ID
			}
		}
	}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "event_id"}, {Name: "occurrence"}},
		DoUpdates: clause.AssignmentColumns([]string{"topic", "summary", "recorded_by", "updated_at"}),
	}).Create(&rec).Error
	if err != nil {
		return nil, fmt.Errorf("store: save record: %w", err)
	}
	return s.RecordOf(ctx, e.ID, occ)
}

// RecordOf reads the record of an occurrence.
func (s *Store) RecordOf(ctx context.Context, eventID uint, occ time.Time) (*models.ActivityRecord, error) {
	var r models.ActivityRecord
	if err := s.db.WithContext(ctx).Where("event_id = ? AND occurrence = ?", eventID, occ.UTC()).Take(&r).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// AddRecordPhoto adds a photo (a Telegram file id) to a record, by the
// organizer who may write it; it returns the number of photos.
func (s *Store) AddRecordPhoto(ctx context.Context, recordID uint, org *models.Member, fileID string) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r models.ActivityRecord
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&r, recordID).Error; err != nil {
			return notFound(err)
		}
		var e models.Event
		if err := tx.Take(&e, r.EventID).Error; err != nil {
			return notFound(err)
		}
		manages, err := s.CanManage(ctx, org, &e)
		if err != nil {
			return err
		}
		if !manages {
			return models.ErrNotYours
		}
		photos := r.PhotoIDs()
		if len(photos) >= models.MaxRecordPhotos {
			n = len(photos)
			return nil
		}
		photos = append(photos, fileID)
		n = len(photos)
		return tx.Model(&r).Update("photos", joinLines(photos)).Error
	})
	if err != nil {
		if errors.Is(err, models.ErrNotYours) || errors.Is(err, ErrNotFound) {
			return 0, err
		}
		return 0, fmt.Errorf("store: add record photo: %w", err)
	}
	return n, nil
}

func joinLines(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += "\n"
		}
		out += s
	}
	return out
}

// RecordRow is a record with what an organizer's list and the town
// office's table show.
type RecordRow struct {
	models.ActivityRecord
	Title        string
	Location     string
	BranchPath   string
	Attendance   int                 // checked in
	Satisfaction models.Satisfaction `gorm:"-"` // of its day-after survey
}

// RecordsIn lists the records of the branches within scope whose occurrence
// is in [from, to), by date.
func (s *Store) RecordsIn(ctx context.Context, scope models.Scope, from, to time.Time) ([]RecordRow, error) {
	var rows []RecordRow
	err := s.db.WithContext(ctx).Table("activity_records").
		Select(`activity_records.*, events.title AS title, COALESCE(events.location, '') AS location, COALESCE(branches.path, '') AS branch_path,
			(SELECT COUNT(*) FROM rsvps WHERE rsvps.event_id = activity_records.event_id AND rsvps.occurrence = activity_records.occurrence AND rsvps.checked_in = ?) AS attendance`, true).
		Joins("JOIN events ON events.id = activity_records.event_id").
		Joins("LEFT JOIN branches ON branches.id = activity_records.branch_id").
		Where("activity_records.occurrence >= ? AND activity_records.occurrence < ?", from.UTC(), to.UTC()).
		Order("activity_records.occurrence, activity_records.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: records: %w", err)
	}
	sat, err := s.EventSatisfaction(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		if scope.Admin || (r.BranchPath != "" && scope.Covers(r.BranchPath)) {
			r.Satisfaction = sat[r.EventID][r.Occurrence.UTC()]
			out = append(out, r)
		}
	}
	return out, nil
}

// HeldActivity is an activity that took place, for the record job.
type HeldActivity struct {
	Event      models.Event
	Occurrence time.Time
	Attendance int
}

// ActivitiesWithoutRecord lists the activity days of a branch in [from,
// to) held by now (models.Held with days in loc, the rule /stats counts by)
// that may have a record (models.Event.Recordable) and have none yet, by
// date.
func (s *Store) ActivitiesWithoutRecord(ctx context.Context, from, to, now time.Time, loc *time.Location) ([]HeldActivity, error) {
	days, err := s.activitiesHeld(ctx, from, to, now, loc)
	if err != nil {
		return nil, err
	}
	var out []HeldActivity
	events := map[uint]*models.Event{}
	for _, d := range days {
		e, ok := events[d.EventID]
		if !ok {
			if e, err = s.EventByID(ctx, d.EventID); err != nil {
				return nil, err
			}
			events[d.EventID] = e
		}
		if !e.Recordable() {
			continue
		}
		if _, err := s.RecordOf(ctx, e.ID, d.Occurrence); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		in, err := s.CheckedIn(ctx, e.ID, d.Occurrence)
		if err != nil {
			return nil, err
		}
		out = append(out, HeldActivity{Event: *e, Occurrence: d.Occurrence.UTC(), Attendance: len(in)})
	}
	return out, nil
}
