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
	}
	if reg != nil {
		reg.MustRegister(m.Updates, m.APIErrors, m.Panics)
	}
	return m
}

func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout}
}
