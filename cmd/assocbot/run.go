package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// runMemoryLimit is `assocbot run`'s soft memory limit (GOMEMLIMIT
// overrides): far above an idle bot's 30 MB, and what an import of the
// largest list allowed keeps near.
const runMemoryLimit = 192 << 20

func cmdRun(ctx context.Context, args []string, stderr io.Writer, getenv env) error {
	if getenv("GOMEMLIMIT") == "" {
		// A soft limit keeps the collector close to what is live: a member
		// list being read (at most ASSOCBOT_IMPORT_MAX_MB, and what its
		// rows hold) is garbage soon after, and RSS goes back down with it.
		debug.SetMemoryLimit(runMemoryLimit)
	}
	fs := newFlags("run", stderr)
	cfg, err := loadConfig(fs, args, getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return helpRequest{fs: fs}
		}
		var ue usageError
		if errors.As(err, &ue) {
			return err
		}
		return flagError{err}
	}
	if err := cfg.Validate(true); err != nil {
		return flagError{fmt.Errorf("configuration:\n%w", err)}
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := locales.New()
	if err != nil {
		return err
	}
	cat.OnMissing = func(l locales.Lang, key string, err error) {
		log.Error("missing message", "lang", string(l), "key", key)
	}
	cat.Home = cfg.Location // a time shown in a member's own zone names it, with the association's beside it
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	quiet, err := outbox.ParseQuietHours(cfg.QuietHours)
	if err != nil {
		return flagError{fmt.Errorf("ASSOCBOT_QUIET_HOURS: %w", err)}
	}
	// One send budget for replies and the dispatcher: in memory for one
	// process on SQLite, in the database for replicas on PostgreSQL.
	var slots budget.Slots
	if st.Dialect() == "postgres" {
		if slots, err = st.SharedSlots(ctx, int(cfg.Rate), budget.DefaultChatGap, budget.SendTimeout); err != nil {
			return err
		}
	} else {
		// Counted as used now: the last second of a process killed just
		// before this one started is in Telegram's window, not in memory.
		slots = budget.NewMemory(int(cfg.Rate), budget.DefaultChatGap, budget.SendTimeout).UsedAt(time.Now())
	}
	sends := budget.New(slots, budget.NewMetrics(reg))
	b, err := bot.New(ctx, bot.Config{
		Token: cfg.Token, APIURL: cfg.APIURL, DefaultLang: cfg.DefaultLang, Location: cfg.Location,
		Admins: cfg.AdminIDs, Logger: log, Offsets: cfg.ReminderOffset, Quiet: quiet, Budget: sends,
		ImportLimits: importLimits(cfg.ImportMaxMB),
	}, st, cat, bot.NewMetrics(reg))
	if err != nil {
		return err
	}
	log.Info("assocbot starting", "version", version, "bot", b.Username(), "db", st.Dialect(), "webhook", cfg.WebhookURL != "")

	// The dispatcher has a Bot API client of its own, so that sends never
	// queue behind long polling.
	sender, err := telegram.NewChannel(telegram.ChannelConfig{Token: cfg.Token, APIURL: cfg.APIURL, Budget: sends, Workers: cfg.Workers}, cat)
	if err != nil {
		return fmt.Errorf("dispatcher client: %w", err)
	}
	disp := dispatch.New(dispatch.Config{Rate: cfg.Rate, Workers: cfg.Workers, Lease: cfg.Lease, Quiet: quiet, SendTimeout: budget.SendTimeout,
		Location: cfg.Location, DefaultLang: cfg.DefaultLang, Logger: log}, st, sender, cat, dispatch.NewMetrics(reg))
	b.OnEnqueue(disp.Wake)
	reg.MustRegister(dispatch.NewOutboxCollector(st, nil))
	sched := scheduler.New(cfg.Location, &scheduler.Runner{Log: log, Metrics: scheduler.NewMetrics(reg)})
	if err := sched.AddAll(scheduler.Jobs(st, cfg.Location, cfg.ReminderOffset)); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := disp.Healthy(ctx); err != nil {
			log.Warn("unhealthy", "err", err)
			http.Error(w, "dispatcher stalled: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if cfg.WebhookURL != "" {
		mux.Handle("POST "+webhookPath(cfg.WebhookURL), b.WebhookHandler(ctx, cfg.WebhookSecret))
	}
	// Listening before the webhook is registered: Telegram delivers as soon
	// as it is, and /healthz answers meanwhile.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("http server on %s: %w", cfg.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	if cfg.WebhookURL != "" {
		if err := b.SetWebhook(ctx, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
			// Updates a webhook left from an earlier run delivered
			// meanwhile are finished and marked before the store closes.
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdownCtx)
			b.Wait()
			return err
		}
	}
	// What the start left behind (phonenumbers' and excelize's tables are
	// built at init, from larger temporaries) goes back to the system now
	// rather than at the scavenger's pace: about 1.3 MB of an idle bot.
	debug.FreeOSMemory()

	// The parts stop in reverse order: polling first (it ends when ctx
	// does), then the dispatcher and the scheduler, then the HTTP server.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := disp.Run(workCtx); err != nil {
				log.Error("dispatcher", "err", err)
			}
		}()
		go func() { defer wg.Done(); sched.Run(workCtx) }()
		wg.Wait()
	}()
	ctx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	// In webhook mode nothing polls: pollDone stays nil, and the service
	// runs until it is stopped (or its HTTP server fails).
	var pollDone chan error
	if cfg.WebhookURL == "" {
		pollDone = make(chan error, 1)
		go func() { pollDone <- b.Poll(ctx); close(pollDone) }()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case err := <-srvErr:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("http server on %s: %w", cfg.Listen, err)
		}
	case err := <-pollDone:
		runErr = err
	}
	log.Info("assocbot stopping")
	stopPolling()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if pollDone != nil {
		select {
		case <-pollDone:
		case <-shutdownCtx.Done():
			log.Warn("polling did not stop in time")
		}
	}
	stopWork()
	select {
	case <-workDone:
	case <-shutdownCtx.Done():
		log.Warn("dispatcher did not stop in time")
	}
	_ = srv.Shutdown(shutdownCtx)
	b.Wait()
	log.Info("assocbot stopped")
	return runErr
}

// webhookPath is the path of the public webhook URL (no query, no
// fragment: a request's path is matched without them), served locally.
func webhookPath(u string) string {
	if p, err := url.Parse(u); err == nil && p.Path != "" {
		return p.EscapedPath()
	}
	return "/"
}
