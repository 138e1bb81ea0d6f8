package bot

import (
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
