package dispatch

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
)

// OutboxCollector reads the outbox queue at each scrape: the messages
// waiting and in hand, and the age of the oldest one due (what an operator
// watches to see the bot falling behind). What became of the others is
// counted as it happens (assocbot_messages_total).
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
		depth: prometheus.NewDesc("assocbot_outbox_messages", "Outbox messages waiting (pending) and in a dispatcher's hands (sending).",
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
	depth, oldest, err := c.st.OutboxQueue(ctx, c.now())
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, s := range []outbox.Status{outbox.Pending, outbox.Sending} {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(depth[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest.Seconds())
}
