package scheduler

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models/store"
)

// OutboxCleanup deletes finished outbox rows older than Keep (default 90
// days), so the table holds what is pending plus recent history.
type OutboxCleanup struct {
	Store *store.Store
	Keep  time.Duration
}

// Name is the job's name in logs.
func (OutboxCleanup) Name() string { return "outbox_cleanup" }

// Run purges rows created before now-Keep.
func (j OutboxCleanup) Run(ctx context.Context, now time.Time) (Counts, error) {
	keep := j.Keep
	if keep <= 0 {
		keep = 90 * 24 * time.Hour
	}
	n, err := j.Store.PurgeOutbox(ctx, now.Add(-keep))
	if err != nil {
		return nil, err
	}
	seen, err := j.Store.ForgetSeen(ctx, now.Add(-48*time.Hour))
	if err != nil {
		return nil, err
	}
	return Counts{"purged": n, "seen_updates": seen}, nil
}
