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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/console"
	"github.com/assocbot/assocbot/bot/smsprovider"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// runMemoryLimit is `assocbot run`'s soft memory limit (GOMEMLIMIT
// overrides): far above an idle bot's 30 MB, and what an import of the
// largest list allowed keeps near.
const runMemoryLimit = 192 << 20

func cmdRun(fs *flag.FlagSet, c cli) runner {
	config := configFlags(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		cfg, err := config()
		if err != nil {
			return flagError{err}
		}
		return serve(ctx, cfg, c.stderr, c.getenv)
	}
}

// serve runs the bot until ctx ends or a part of it fails.
func serve(ctx context.Context, cfg *Config, stderr io.Writer, getenv env) error {
	if getenv("GOMEMLIMIT") == "" {
		// A soft limit keeps the collector close to what is live: a member
		// list being read (at most ASSOCBOT_IMPORT_MAX_MB, and what its
		// rows hold) is garbage soon after, and RSS goes back down with it.
		debug.SetMemoryLimit(runMemoryLimit)
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
	// The schedule's jobs run on the scheduler and forecast for /preview.
	jobs := scheduler.Jobs(st, cfg.Location, cfg.ReminderOffset)
	preview := &scheduler.Previewer{Store: st, Entries: jobs, Location: cfg.Location, Quiet: quiet, DefaultLang: cfg.DefaultLang}
	b, err := bot.New(ctx, bot.Config{
		Token: cfg.Token, APIURL: cfg.APIURL, DefaultLang: cfg.DefaultLang, Location: cfg.Location,
		Admins: cfg.AdminIDs, Logger: log, Preview: preview.Preview, Budget: sends,
		ImportLimits: importLimits(cfg.ImportMaxMB), ConsoleURL: cfg.ConsoleURL(),
	}, st, cat, bot.NewMetrics(reg))
	if err != nil {
		return err
	}
	log.Info("assocbot starting", "version", version, "bot", b.Username(), "db", st.Dialect(), "webhook", cfg.WebhookURL != "")

	// The dispatcher has a Bot API client of its own, so that sends never
	// queue behind long polling.
	sender, err := telegram.NewChannel(telegram.ChannelConfig{Token: cfg.Token, APIURL: cfg.APIURL, Budget: sends, Workers: cfg.Workers,
		ConsoleURL: cfg.ConsoleURL()}, cat)
	if err != nil {
		return fmt.Errorf("dispatcher client: %w", err)
	}
	smsCfg, err := smsChannel(cfg)
	if err != nil {
		return flagError{err}
	}
	st.SMSOn(smsCfg.Channel != nil)
	disp := dispatch.New(dispatch.Config{Rate: cfg.Rate, Workers: cfg.Workers, Lease: cfg.Lease, Quiet: quiet, SendTimeout: budget.SendTimeout,
		Location: cfg.Location, DefaultLang: cfg.DefaultLang, Logger: log, SMS: smsCfg}, st, sender, cat, dispatch.NewMetrics(reg))
	b.OnEnqueue(disp.Wake)
	if smsCfg.Channel != nil {
		log.Info("sms on", "provider", cfg.SMS.Provider, "monthly_cap", cfg.SMSMonthly)
	}
	reg.MustRegister(dispatch.NewOutboxCollector(st, nil))
	sched := scheduler.New(cfg.Location, &scheduler.Runner{Log: log, Metrics: scheduler.NewMetrics(reg)})
	if err := sched.AddAll(jobs); err != nil {
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
	// The organizers' console (SPEC C16): its page and API on this
	// listener, for Telegram through a reverse proxy's HTTPS.
	console.New(st, console.Config{Token: cfg.Token, MaxAge: cfg.AppMaxAge, Location: cfg.Location, Logger: log, Catalog: cat}).Register(mux)
	if cfg.WebhookURL != "" {
		mux.Handle("POST "+webhookPath(cfg.WebhookURL), b.WebhookHandler(ctx, cfg.WebhookSecret))
	}
	if smsCfg.Channel != nil {
		smsCallbacks(mux, cfg, st, log, disp.Wake)
	}
	// Listening before the webhook is registered: Telegram delivers as soon
	// as it is, and /healthz answers meanwhile.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("http server on %s: %w", cfg.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	// The parts run in one errgroup: a signal, or the first part to fail
	// (the HTTP server, polling with a refused token), stops them all.
	// They stop in order: polling first (it ends with the group's
	// context), then the dispatcher and the scheduler, then the HTTP
	// server, which serves /healthz and webhook updates until the end.
	parts, partsCtx := errgroup.WithContext(ctx)
	parts.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server on %s: %w", cfg.Listen, err)
		}
		return nil
	})
	polled := make(chan struct{})
	if cfg.WebhookURL != "" {
		if err := b.SetWebhook(partsCtx, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
			// Updates a webhook left from an earlier run delivered
			// meanwhile are finished and marked before the store closes.
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdownCtx)
			_ = parts.Wait()
			b.Wait()
			return err
		}
		close(polled) // in webhook mode nothing polls
	} else {
		parts.Go(func() error {
			defer close(polled)
			if err := b.Poll(partsCtx); err != nil && partsCtx.Err() == nil {
				return err
			}
			return nil
		})
	}
	// What the start left behind (phonenumbers' and excelize's tables are
	// built at init, from larger temporaries) goes back to the system now
	// rather than at the scavenger's pace: about 1.3 MB of an idle bot.
	debug.FreeOSMemory()

	// The dispatcher and the scheduler finish what they hold (a send under
	// way, a job's transaction) on a context of their own, cancelled only
	// once polling has stopped.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var work errgroup.Group
	work.Go(func() error { return disp.Run(workCtx) })
	work.Go(func() error { sched.Run(workCtx); return nil })

	parts.Go(func() error {
		<-partsCtx.Done()
		log.Info("assocbot stopping")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		select {
		case <-polled:
		case <-shutdownCtx.Done():
			log.Warn("polling did not stop in time")
		}
		stopWork()
		worked := make(chan error, 1)
		go func() { worked <- work.Wait() }()
		select {
		case err := <-worked:
			if err != nil {
				log.Error("dispatcher", "err", err)
			}
		case <-shutdownCtx.Done():
			log.Warn("dispatcher did not stop in time")
		}
		return srv.Shutdown(shutdownCtx)
	})
	err = parts.Wait()
	b.Wait()
	log.Info("assocbot stopped")
	return err
}

// webhookPath is the path of the public webhook URL (no query, no
// fragment: a request's path is matched without them), served locally.
func webhookPath(u string) string {
	if p, err := url.Parse(u); err == nil && p.Path != "" {
		return p.EscapedPath()
	}
	return "/"
}

// smsChannel is the dispatcher's SMS, from the configuration: none
// without a provider.
func smsChannel(cfg *Config) (dispatch.SMSConfig, error) {
	if cfg.SMS.Provider == "" {
		return dispatch.SMSConfig{}, nil
	}
	p, err := smsprovider.New(cfg.SMS)
	if err != nil {
		return dispatch.SMSConfig{}, err
	}
	return dispatch.SMSConfig{Channel: smsprovider.NewChannel(p), Monthly: cfg.SMSMonthly}, nil
}

// smsCallbacks serves the provider's delivery reports and members'
// replies on the listener.
func smsCallbacks(mux *http.ServeMux, cfg *Config, st *store.Store, log *slog.Logger, wake func()) {
	cb := &smsprovider.Callbacks{Provider: cfg.SMS.Provider, Key: cfg.SMS.CallbackKey,
		Inbox: &smsprovider.Inbox{Store: st, Location: cfg.Location, Now: time.Now, Log: log, Wake: wake}}
	for _, p := range cb.Paths() {
		mux.Handle(p, cb)
	}
}
