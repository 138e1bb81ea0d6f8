package store

import (
	"context"
	"fmt"
	"time"
)

// UpdateTake is what taking an update found.
type UpdateTake int

const (
	// UpdateOurs: the update is new, or its taker went away before handling
	// it (its hold is older than the hold time): handle it.
	UpdateOurs UpdateTake = iota
	// UpdateHandled: handled already; Telegram sent it again.
	UpdateHandled
	// UpdateInHand: another request is handling it now; Telegram should
	// send it again later.
	UpdateInHand
	// UpdatePoison: taken MaxUpdateAttempts times already, each taker gone
	// before it was handled: its handling stops the process. It is marked
	// handled now, not handled again.
	UpdatePoison
)

// MaxUpdateAttempts is how many times an update is taken for handling
// before it is given up as one that stops the process.
const MaxUpdateAttempts = 3

// TakeUpdate takes an update id for handling, so that an update Telegram
// sends again (it got no 2xx, a replica went away, polling fetched it
// again after a restart) is handled once: taken, it is another's for hold;
// marked with MarkUpdateHandled, it is no one's to handle again. A taker
// that dies before marking it leaves it to the next delivery after hold
// (polling, with one poller, passes hold 0); the MaxUpdateAttempts-th
// such delivery finds it poison. update_id 0 is an id like any other.
func (s *Store) TakeUpdate(ctx context.Context, updateID int64, now time.Time, hold time.Duration) (UpdateTake, error) {
	var attempts []int
	if err := s.db.WithContext(ctx).Raw(`INSERT INTO seen_updates (update_id, seen_at, attempts) VALUES (?, ?, 1)
		ON CONFLICT (update_id) DO UPDATE SET seen_at = excluded.seen_at, attempts = seen_updates.attempts + 1
		WHERE seen_updates.handled_at IS NULL AND seen_updates.seen_at <= ?
		RETURNING attempts`,
		updateID, now.UTC(), now.Add(-hold).UTC()).Scan(&attempts).Error; err != nil {
		return 0, fmt.Errorf("store: take update: %w", err)
	}
	if len(attempts) == 1 {
		if attempts[0] > MaxUpdateAttempts {
			if err := s.MarkUpdateHandled(ctx, updateID, now); err != nil {
				return 0, err
			}
			return UpdatePoison, nil
		}
		return UpdateOurs, nil
	}
	var handled []time.Time
	if err := s.db.WithContext(ctx).Raw("SELECT handled_at FROM seen_updates WHERE update_id = ? AND handled_at IS NOT NULL", updateID).
		Scan(&handled).Error; err != nil {
		return 0, fmt.Errorf("store: take update: %w", err)
	}
	if len(handled) > 0 {
		return UpdateHandled, nil
	}
	return UpdateInHand, nil
}

// MarkUpdateHandled marks a taken update as handled.
func (s *Store) MarkUpdateHandled(ctx context.Context, updateID int64, now time.Time) error {
	if err := s.db.WithContext(ctx).Exec("UPDATE seen_updates SET handled_at = ? WHERE update_id = ?", now.UTC(), updateID).Error; err != nil {
		return fmt.Errorf("store: update handled: %w", err)
	}
	return nil
}

// ForgetSeen deletes the update ids seen before cutoff (Telegram re-sends
// for a day at most).
func (s *Store) ForgetSeen(ctx context.Context, cutoff time.Time) (int, error) {
	res := s.db.WithContext(ctx).Exec("DELETE FROM seen_updates WHERE seen_at < ?", cutoff.UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("store: forget seen updates: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}
