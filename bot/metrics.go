package bot

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the bot front end does, for /metrics.
type Metrics struct {
	Updates   *prometheus.CounterVec // by kind: message, callback, other
	APIErrors *prometheus.CounterVec // Bot API calls that failed, by method
	Panics    prometheus.Counter
	Webhook   *prometheus.CounterVec   // webhook requests by answer: 200, 401, 413, 503, duplicate
	Handling  *prometheus.HistogramVec // how long an update takes to handle, by kind
}

// NewMetrics creates the counters and registers them on reg (nil: not
// registered, for tests and the demo).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assocbot_updates_total", Help: "Telegram updates received, by kind.",
		}, []string{"kind"}),
		APIErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assocbot_bot_api_errors_total", Help: "Bot API calls made by the front end that failed, by method.",
		}, []string{"method"}),
		Panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "assocbot_handler_panics_total", Help: "Updates whose handler panicked (recovered).",
		}),
		Webhook: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assocbot_webhook_requests_total", Help: "Webhook requests, by answer (200, 400, 401, 413, 503, duplicate).",
		}, []string{"status"}),
		Handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "assocbot_update_handling_seconds", Help: "How long an update took to handle, by kind.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"kind"}),
	}
	if reg != nil {
		reg.MustRegister(m.Updates, m.APIErrors, m.Panics, m.Webhook, m.Handling)
	}
	return m
}

func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout}
}

// passOver logs and counts an update from Telegram that the library's
// models cannot decode (err), and returns its update_id; false when even
// that cannot be read (not an update). The decoder's message names the
// field and the types, not the value: no member's words reach the log.
func (b *Bot) passOver(raw []byte, err error) (int64, bool) {
	var id struct {
		ID *int64 `json:"update_id"` // 0 is an id like any other
	}
	if json.Unmarshal(raw, &id) != nil || id.ID == nil {
		return 0, false
	}
	b.log.Warn("update passed over: the Bot API library cannot read it", "update_id", *id.ID, "err", err.Error())
	b.metrics.Updates.WithLabelValues("unreadable").Inc()
	return *id.ID, true
}
