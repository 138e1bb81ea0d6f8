package store

import (
	"context"
	"time"
)

// CameForTest runs came, models.Came in SQL: the ids of the members who
// came to the occurrence, by id (TestCameIsOneRule).
func (s *Store) CameForTest(ctx context.Context, eventID uint, occ time.Time) ([]uint, error) {
	q, err := came(s.db.WithContext(ctx), eventID, occ)
	if err != nil {
		return nil, err
	}
	var ids []uint
	err = q.Order("member_id").Scan(&ids).Error
	return ids, err
}
