package dispatch

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// OutboxCollector reads the outbox at each scrape: its depth by status and
// the age of the oldest message due (what an operator watches to see the
// bot falling behind).
type OutboxCollector struct {
	st     *store.Store
	now    func() time.Time
	depth  *prometheus.Desc
	oldest *prometheus.Desc
	up     *prometheus.Desc
}

// NewOutboxCollector makes the collector; register it on the registry.
func NewOutboxCollector(st *store.Store, now func() time.Time) *OutboxCollector {
	if now == nil {
		now = time.Now
	}
	return &OutboxCollector{st: st, now: now,
		depth: prometheus.NewDesc("assocbot_outbox_messages", "Outbox rows by status (pending, sending, sent, failed, stale, skipped).",
			[]string{"status"}, nil),
		oldest: prometheus.NewDesc("assocbot_outbox_oldest_due_seconds", "How long the oldest message due by now has waited (0: none waiting).",
			nil, nil),
		up: prometheus.NewDesc("assocbot_database_up", "1 when the last scrape could read the database.", nil, nil),
	}
}

func (c *OutboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.oldest
	ch <- c.up
}

func (c *OutboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	depth, oldest, err := c.st.OutboxDepth(ctx, c.now())
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, s := range []models.OutboxStatus{models.OutboxPending, models.OutboxSending, models.OutboxSent,
		models.OutboxFailed, models.OutboxStale, models.OutboxSkipped} {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(depth[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest.Seconds())
}
