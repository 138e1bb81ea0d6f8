// Package scheduler runs assocbot's timed jobs on robfig/cron in the
// association's time zone. A job reads what it needs, asks models/planner
// what is due, and writes it to the outbox through the store (unique dedupe
// keys make any number of runs write each message once); the dispatcher does
// the sending.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
)

// Counts is what one run of a job did, e.g. {"enqueued": 12, "stale": 1}.
type Counts map[string]int

// String renders counts in a stable order for logs.
func (c Counts) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
	}
	return strings.Join(parts, " ")
}

// Job is one kind of timed work.
type Job interface {
	Name() string
	// Run does the work as of now; it must be safe to run any number of times.
	Run(ctx context.Context, now time.Time) (Counts, error)
}

// Runner runs jobs with a timeout, a recover, logging and counts.
type Runner struct {
	Timeout time.Duration
	Now     func() time.Time
	Log     *slog.Logger
	Metrics *Metrics // nil: not counted
}

// Metrics are the jobs' series on /metrics.
type Metrics struct {
	Duration *prometheus.HistogramVec // by job and result (ok, failed)
	Counts   *prometheus.CounterVec   // what runs did, by job and count (enqueued, stale …)
}

// NewMetrics creates the series, registered on reg when it is not nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "assocbot_job_duration_seconds",
			Help:    "How long a run of a timed job (the planner's ticks) took, by job and result (ok, failed).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"job", "result"}),
		Counts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assocbot_job_counts_total",
			Help: "What timed jobs did, by job and count (enqueued, stale, …)."}, []string{"job", "count"}),
	}
	if reg != nil {
		reg.MustRegister(m.Duration, m.Counts)
	}
	return m
}

// Run runs job once; a panic becomes an error.
func (r *Runner) Run(ctx context.Context, job Job) (counts Counts, err error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	started := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", job.Name(), p)
			log.Error("job panicked", "job", job.Name(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
		result := "ok"
		if err != nil {
			result = "failed"
		}
		if r.Metrics != nil {
			r.Metrics.Duration.WithLabelValues(job.Name(), result).Observe(time.Since(started).Seconds())
			for k, n := range counts {
				r.Metrics.Counts.WithLabelValues(job.Name(), k).Add(float64(n))
			}
		}
		if err != nil {
			log.Error("job failed", "job", job.Name(), "err", err, "took", time.Since(started).String())
			return
		}
		log.Info("job done", "job", job.Name(), "counts", counts.String(), "took", time.Since(started).String())
	}()
	return job.Run(ctx, now())
}

// Scheduler owns the cron and its jobs.
type Scheduler struct {
	cron   *cron.Cron
	runner *Runner
	ctx    context.Context
	mu     sync.Mutex
}

// New makes a scheduler in loc.
func New(loc *time.Location, runner *Runner) *Scheduler {
	if runner.Log == nil {
		runner.Log = slog.Default()
	}
	c := cron.New(cron.WithLocation(loc), cron.WithChain(cron.Recover(cron.DiscardLogger), cron.SkipIfStillRunning(cron.DiscardLogger)))
	return &Scheduler{cron: c, runner: runner, ctx: context.Background()}
}

// Add schedules job at spec (standard 5-field cron, in the scheduler's zone).
func (s *Scheduler) Add(spec string, job Job) error {
	_, err := s.cron.AddFunc(spec, func() {
		s.mu.Lock()
		ctx := s.ctx
		s.mu.Unlock()
		_, _ = s.runner.Run(ctx, job)
	})
	if err != nil {
		return fmt.Errorf("scheduler: %s at %q: %w", job.Name(), spec, err)
	}
	return nil
}

// Run starts the cron and blocks until ctx ends, then waits for running jobs.
func (s *Scheduler) Run(ctx context.Context) {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	s.cron.Start()
	<-ctx.Done()
	<-s.cron.Stop().Done()
}
