package scheduler_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

type panicky struct{}

func (panicky) Name() string { return "panicky" }
func (panicky) Run(context.Context, time.Time) (scheduler.Counts, error) {
	var m map[string]int
	m["x"]++ // a nil-map write: the runner must turn this into an error
	return nil, nil
}

type slow struct{}

func (slow) Name() string { return "slow" }
func (slow) Run(ctx context.Context, _ time.Time) (scheduler.Counts, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestRunnerRecoversAndTimesOut(t *testing.T) {
	r := &scheduler.Runner{Timeout: 50 * time.Millisecond}
	if _, err := r.Run(context.Background(), panicky{}); err == nil {
		t.Fatal("a panic was not reported")
	}
	if _, err := r.Run(context.Background(), slow{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: %v", err)
	}
}

func TestOutboxCleanupKeepsPendingAndRecent(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		st := storetest.Open(t, dsn)
		ctx := context.Background()
		if _, err := st.AddMember(ctx, store.NewMember{Name: "A", Phone: "13800000001"}); err != nil {
			t.Fatal(err)
		}
		m, _ := st.LinkByPhone(ctx, "13800000001", 1, 1)
		old := time.Now().Add(-100 * 24 * time.Hour)
		for i, s := range []outbox.Status{outbox.Sent, outbox.Pending, outbox.Failed, outbox.Sent} {
			b := &models.Broadcast{ID: uint(i + 1), Text: "x", SendAt: old}
			if _, err := st.Enqueue(ctx, planner.Broadcast(b, models.MembersAudience(m.ID), "", nil)); err != nil {
				t.Fatal(err)
			}
			created := old
			if i == 3 {
				created = time.Now() // recent
			}
			// A row's age and fate, which only time and the dispatcher give.
			if err := storetest.Exec(ctx, dsn, "UPDATE outboxes SET status = ?, created_at = ? WHERE id = ?", s, created.UTC(), i+1); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := (&scheduler.Runner{}).Run(ctx, scheduler.OutboxCleanup{Store: st})
		if err != nil || counts["purged"] != 2 {
			t.Fatalf("counts %v err %v, want 2 purged (old sent and failed)", counts, err)
		}
		left, _ := st.OutboxTally(ctx, store.OutboxQuery{})
		if left.Status(outbox.Pending) != 1 || left.Status(outbox.Sent) != 1 {
			t.Fatalf("left %v", left)
		}
		// Running again finds nothing more.
		if counts, _ := (&scheduler.Runner{}).Run(ctx, scheduler.OutboxCleanup{Store: st}); counts["purged"] != 0 {
			t.Fatalf("second run %v", counts)
		}
	})
}

type counting struct{}

func (counting) Name() string { return "counting" }
func (counting) Run(context.Context, time.Time) (scheduler.Counts, error) {
	return scheduler.Counts{"enqueued": 3}, nil
}

// TestRunnerCountsRuns: each run is timed by job and result on /metrics,
// and its counts added up.
func TestRunnerCountsRuns(t *testing.T) {
	m := scheduler.NewMetrics(nil)
	r := &scheduler.Runner{Timeout: 50 * time.Millisecond, Metrics: m}
	r.Run(context.Background(), counting{})
	r.Run(context.Background(), counting{})
	r.Run(context.Background(), slow{})
	if n := testutil.CollectAndCount(m.Duration); n != 2 {
		t.Fatalf("%d duration series, want counting/ok and slow/failed", n)
	}
	if got := testutil.ToFloat64(m.Counts.WithLabelValues("counting", "enqueued")); got != 6 {
		t.Fatalf("enqueued = %v, want 6", got)
	}
}
