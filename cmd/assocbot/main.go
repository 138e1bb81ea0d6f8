// Command assocbot runs the association's Telegram reminder bot and its
// command-line tools. main only wires: configuration, constructors, signals.
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
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP) // a closed terminal stops the demo (and its temporary database goes)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, getenvOS, time.Now)
	stop()
	os.Exit(code)
}

// env is how the commands read the environment (tests pass their own).
type env func(string) string

// clock is what the commands take as now (tests pass a frozen one).
type clock func() time.Time

// run executes one command line and returns the exit code: 0 ok, 1 a
// failure of the system, 2 bad input. A bad argument is said in a line,
// with the --help that tells more.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env, now clock) int {
	root := commands()
	if len(args) == 0 {
		helpRequest{cmd: root}.usage(stderr)
		return 2
	}
	cmd, path, rest := root.find(args)
	err := cmd.exec(ctx, cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: now}, path, rest)
	var help helpRequest
	var ue usageError
	var bad quietError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		help.usage(stdout)
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &bad):
		// Bad input whose report said what is wrong already.
		fmt.Fprintf(stderr, "assocbot: %v\n", err)
		return 2
	case errors.As(err, &ue), isFlagError(err):
		if cmd.name == "help" {
			path = nil // help's arguments are commands: the list of them helps
		}
		fmt.Fprintf(stderr, "assocbot: %v\nsee `%s --help`\n", err, strings.Join(append([]string{"assocbot"}, path...), " "))
		return 2
	default:
		fmt.Fprintf(stderr, "assocbot: %v\n", err)
		return 1
	}
}

// flagError marks errors from parsing a command's flags.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}

// newFlags makes a command's flag set. It prints nothing itself: run
// says a bad flag in a line, and writes --help to stdout.
func newFlags(name string, _ io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("assocbot "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses and turns a parse failure into a flagError (exit 2),
// and -h or --help into a helpRequest.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return helpRequest{fs: fs}
		}
		return flagError{err}
	}
	return nil
}

// parseNoArgs parses the flags of a command that takes no argument, such
// as the list commands.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (assocbot import FILE --dry-run) and returns those.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// dbFlag adds --db, defaulting to ASSOCBOT_DB.
func dbFlag(fs *flag.FlagSet, getenv env) *string {
	def := getenv("ASSOCBOT_DB")
	if def == "" {
		def = "assocbot.db"
	}
	return fs.String("db", def, "SQLite file or postgres:// URL (ASSOCBOT_DB)")
}

// runMemoryLimit is `assocbot run`'s soft memory limit (GOMEMLIMIT
// overrides): far above an idle bot's 30 MB, and what an import of the
// largest list allowed keeps near.
const runMemoryLimit = 192 << 20

// openStore opens and migrates the database.
func openStore(ctx context.Context, dsn string) (*store.Store, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

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

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("migrate", stderr)
	db := dbFlag(fs, getenv)
	from := fs.String("from", "", "copy this SQLite database …")
	to := fs.String("to", "", "… into this empty PostgreSQL one (postgres://…)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from != "" || *to != "" {
		return copyDatabase(ctx, *from, *to, stdout)
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema at version %d (%d migration(s) applied)\n", store.LatestVersion(), n)
	return nil
}

func cmdInvite(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, now clock) error {
	fs := newFlags("invite", stderr)
	db := dbFlag(fs, getenv)
	token := fs.String("token", getenv("ASSOCBOT_TOKEN"), "bot token (ASSOCBOT_TOKEN)")
	apiURL := fs.String("api-url", getenv("ASSOCBOT_API_URL"), "Bot API base URL (ASSOCBOT_API_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"invite needs exactly one phone number"}
	}
	if _, err := models.NormalizePhone(fs.Arg(0)); err != nil {
		return usageError{fmt.Sprintf("%q is not a valid phone number", fs.Arg(0))}
	}
	if *token == "" {
		return usageError{"ASSOCBOT_TOKEN (or --token) is needed: the link names the bot, which getMe tells"}
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.MemberByPhone(ctx, fs.Arg(0))
	if errors.Is(err, store.ErrNotFound) {
		return usageError{fmt.Sprintf("no member with phone %s; add them with `assocbot member add`", fs.Arg(0))}
	}
	if err != nil {
		return err
	}
	if m.Linked() {
		return usageError{fmt.Sprintf("%s has already linked Telegram: no invitation is needed", m.Name)}
	}
	cat, err := locales.New()
	if err != nil {
		return err
	}
	b, err := bot.New(ctx, bot.Config{Token: *token, APIURL: *apiURL, Logger: slog.New(slog.NewTextHandler(stderr, nil))}, st, cat, nil)
	if err != nil {
		return err
	}
	code, expires, err := st.CreateInvite(ctx, m.ID, store.DefaultInviteTTL, now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", b.InviteLink(code))
	fmt.Fprintf(stderr, "invitation for %s, valid until %s, single use\n", m.Name, expires.Format("2006-01-02 15:04 MST"))
	return nil
}

func cmdBroadcast(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, clock clock) error {
	fs := newFlags("broadcast", stderr)
	db := dbFlag(fs, getenv)
	audience := fs.String("audience", "", "all, branch:Town/Village or tag:T (required)")
	text := fs.String("text", "", "the notice, as members will read it (required)")
	at := fs.String("at", "", `send at "YYYY-MM-DD HH:MM" in the association's time zone (default now)`)
	tz := tzFlag(fs, getenv)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	aud, err := models.ParseAudience(*audience)
	if err != nil {
		return usageError{fmt.Sprintf("--audience: want all, branch:Town/Village or tag:T, got %q", *audience)}
	}
	body := strings.TrimSpace(*text)
	if body == "" {
		return usageError{"--text is required"}
	}
	if err := checkText("text", body, true); err != nil {
		return err
	}
	if len([]rune(body)) > models.MaxNoticeText {
		return usageError{fmt.Sprintf("--text is longer than a notice allows (%d characters)", models.MaxNoticeText)}
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return usageError{fmt.Sprintf("--tz %q is not a time zone", *tz)}
	}
	now := clock()
	sendAt := now
	var note string // said once the broadcast is made
	if *at != "" {
		if sendAt, note, err = localFlag("at", *at, loc); err != nil {
			return err
		}
		if sendAt.Before(now.Add(-time.Minute)) {
			return usageError{fmt.Sprintf("--at %s is in the past", *at)}
		}
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkAudience(ctx, st, aud, true); err != nil {
		return err
	}
	b, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: aud, Text: body, SendAt: sendAt})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "broadcast %d to %s: %d recipients, sending from %s\n", b.ID, aud, b.Total, sendAt.In(loc).Format("2006-01-02 15:04 MST"))
	if note != "" {
		fmt.Fprintln(stderr, note)
	}
	return nil
}

// cmdBackup is `assocbot backup FILE`: an online, consistent copy of the
// SQLite database (a running `assocbot run` goes on serving).
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("backup", stderr)
	db := dbFlag(fs, getenv)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError{"backup needs the file to write: assocbot backup /var/backups/assocbot-2026-11-29.db"}
	}
	if _, err := os.Stat(files[0]); err == nil {
		return usageError{fmt.Sprintf("%s exists already; a backup does not overwrite", files[0])}
	}
	if store.IsPostgres(*db) {
		return usageError{"backup copies a SQLite database; for PostgreSQL use pg_dump"}
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(ctx, files[0]); err != nil {
		return err
	}
	info, err := os.Stat(files[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s (%d KB) in %s\n", files[0], info.Size()/1024, time.Since(start).Round(time.Millisecond))
	return nil
}

// copyDatabase is `assocbot migrate --from FILE.db --to postgres://…`: both
// are brought to the latest schema, and in one transaction the target is
// checked empty, every row is copied and the two are compared.
func copyDatabase(ctx context.Context, from, to string, stdout io.Writer) error {
	switch {
	case from == "" || to == "":
		return usageError{"migrate --from FILE.db --to postgres://… needs both"}
	case store.IsPostgres(from) || !store.IsPostgres(to):
		return usageError{"migrate --from takes a SQLite file and --to a postgres:// URL"}
	}
	if _, err := os.Stat(from); err != nil {
		return usageError{fmt.Sprintf("cannot read %s", from)}
	}
	src, err := openStore(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openStore(ctx, to)
	if err != nil {
		return err
	}
	defer dst.Close()
	start := time.Now()
	rep, err := src.CopyTo(ctx, dst, func(table string, rows int) {
		fmt.Fprintf(stdout, "%-18s %d rows\n", table, rows)
	})
	var full *store.TargetNotEmptyError
	if errors.As(err, &full) {
		return usageError{fmt.Sprintf("the PostgreSQL database is not empty: it holds %s; nothing was copied: copy into a new, empty one", full.Held())}
	}
	if errors.Is(err, store.ErrNULByte) {
		return usageError{fmt.Sprintf("%v; nothing was copied", err)}
	}
	if err != nil {
		// One transaction: whatever failed, the target is as it was.
		return fmt.Errorf("%w; nothing was copied", err)
	}
	total := 0
	for _, n := range rep.Rows {
		total += n
	}
	fmt.Fprintf(stdout, "copied %d rows in %s; every table's count and %d rows compared value by value: equal\n",
		total, time.Since(start).Round(time.Millisecond), rep.Sampled)
	return nil
}
