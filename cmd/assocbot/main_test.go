package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

func noEnv(string) string { return "" }

// testClock is the CLI's now in tests: the harness's frozen day, so that
// no test depends on the date it runs on.
func testClock() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, bottest.Shanghai) }

func runCLI(t *testing.T, getenv env, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, getenv, testClock)
	return code, out.String(), errOut.String()
}

// TestCLIMemberInviteThenStart is the walking skeleton end to end: a member
// added with the CLI, an invite made with the CLI (getMe through the Bot API),
// and the member's /start in Traditional Chinese.
func TestCLIMemberInviteThenStart(t *testing.T) {
	h := bottest.New(t)
	code, out, errOut := runCLI(t, noEnv, "", "member", "add", "--db", h.DSN, "--name", "陳美玲", "--phone", "+86 138-0013-8000",
		"--branch", "东城镇/王庄村", "--new-branch", "--tags", "away,volunteer")
	if code != 0 || !strings.Contains(out, "陳美玲 138 0013 8000") {
		t.Fatalf("member add: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, noEnv, "", "invite", "--db", h.DSN, "--token", bottest.Token, "--api-url", h.API.URL(), "13800138000")
	prefix := "https://t.me/" + h.API.BotUser().Username + "?start="
	if code != 0 || !strings.HasPrefix(out, prefix) {
		t.Fatalf("invite: %d %q %q", code, out, errOut)
	}
	invite := strings.TrimSpace(strings.TrimPrefix(out, prefix))
	if len(invite) < 16 || len(invite) > 64 {
		t.Fatalf("code %q", invite)
	}
	u := fakeapi.User{ID: 501, FirstName: "美玲", LanguageCode: "zh-hant"}
	reply := h.Say(u, "/start "+invite)
	if reply.Text != h.T(locales.ZhHant, "start.linked", "Name", "陳美玲", "Branch", "东城镇/王庄村") {
		t.Fatalf("greeting %q", reply.Text)
	}
	if !bottest.Contains(bottest.KeyboardTexts(reply), "📅 我的活動") {
		t.Fatalf("keyboard %v", reply.Keyboard)
	}
	if again := h.Say(u, "/start "+invite); again.Text != h.T(locales.ZhHant, "link.already", "Name", "陳美玲") {
		t.Fatalf("second use %q", again.Text)
	}
	code, out, _ = runCLI(t, noEnv, "", "member", "list", "--db", h.DSN)
	if code != 0 || !strings.Contains(out, "陳美玲") || !strings.Contains(out, "yes") || !strings.Contains(out, "away,volunteer") {
		t.Fatalf("member list: %q", out)
	}
	if strings.Contains(errOut+out, bottest.Token) {
		t.Fatal("the token was printed")
	}
}

func TestCLIBadArgumentsExitTwo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "Usage"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"membr", "list"}, `unknown command "membr"; did you mean member?`},
		{[]string{"plan", "knd", "list"}, `unknown plan command "knd"; did you mean kind?`},
		{[]string{"member", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"--version", "extra"}, `unexpected argument "extra"`},
		{[]string{"--db", db, "member", "list"}, "a command's flags go after it"},
		{[]string{"member"}, "member needs add, edit, list or remove"},
		{[]string{"member", "add", "--db", db, "--name", "X"}, "needs --name and --phone"},
		{[]string{"member", "add", "--db", db, "--name", "X", "--phone", "12"}, "not a valid phone number"},
		{[]string{"member", "add", "--db", db, "--name", "X", "--phone", "13800138000", "--role", "boss"}, "--role must be"},
		{[]string{"member", "add", "--db", db, "--name", "X", "--phone", "13800138000", "--lang", "fr"}, "--lang must be"},
		{[]string{"member", "add", "--db", db, "--name", "X", "--phone", "13800138000", "--branch", "A//B"}, "none may be empty"},
		{[]string{"member", "add", "--bogus"}, "flag provided but not defined"},
		{[]string{"invite", "--db", db}, "exactly one phone number"},
		{[]string{"invite", "--db", db, "abc"}, "not a valid phone number"},
		{[]string{"demo", "--lang", "klingon"}, "--lang must be"},
		{[]string{"demo", "en"}, `unexpected argument "en"`},
		{[]string{"migrate", "--db", db, "now"}, `unexpected argument "now"`},
	} {
		code, _, errOut := runCLI(t, noEnv, "", c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// TestWebhookURLIsServedAtItsPath: the path Telegram posts to is the one
// served; a URL whose path the server could not match as written (a query,
// a fragment, a pattern's braces) is refused at start, naming the variable.
func TestWebhookURLIsServedAtItsPath(t *testing.T) {
	for u, want := range map[string]string{
		"https://bot.example.org":              "/",
		"https://bot.example.org/":             "/",
		"https://bot.example.org:8443/tg/hook": "/tg/hook",
		"https://bot.example.org/a.b~c_d-e/":   "/a.b~c_d-e/",
	} {
		if got := webhookPath(u); got != want {
			t.Errorf("webhookPath(%q) = %q, want %q", u, got, want)
		}
		c := Config{WebhookURL: u, WebhookSecret: "s3cret", Token: "1:x", Rate: 30, QuietHours: "off", Workers: 4, Lease: time.Minute, Listen: ":8080"}
		if err := c.Validate(true); err != nil && strings.Contains(err.Error(), "ASSOCBOT_WEBHOOK_URL") {
			t.Errorf("%q refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://bot.example.org/tg", "https:///tg", "https://bot.example.org/tg?k=1", "https://bot.example.org/tg#x",
		"https://bot.example.org/{id}", "https://bot.example.org/a%20b", "bot.example.org/tg",
		"https://bot.example.org/tg//hook", "https://bot.example.org/tg/./hook", "https://bot.example.org/tg/../hook", "https://bot.example.org/tg/.."} {
		c := Config{WebhookURL: u, WebhookSecret: "s3cret", Token: "1:x", Rate: 30, QuietHours: "off", Workers: 4, Lease: time.Minute, Listen: ":8080"}
		if err := c.Validate(true); err == nil || !strings.Contains(err.Error(), "ASSOCBOT_WEBHOOK_URL") {
			t.Errorf("%q accepted: %v", u, err)
		}
	}
}

func TestRunConfigErrorsNameTheVariable(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"ASSOCBOT_TZ": "Mars/Olympus", "ASSOCBOT_LANG": "fr", "ASSOCBOT_RATE": "-3",
			"ASSOCBOT_QUIET_HOURS": "late", "ASSOCBOT_ADMINS": "12,abc", "ASSOCBOT_WEBHOOK_URL": "http://x",
			"ASSOCBOT_REMINDER_OFFSETS": "meeting=soon"}[k]
	}
	code, _, errOut := runCLI(t, getenv, "", "run")
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	for _, v := range []string{"ASSOCBOT_TOKEN", "ASSOCBOT_TZ", "ASSOCBOT_LANG", "ASSOCBOT_RATE", "ASSOCBOT_QUIET_HOURS", "ASSOCBOT_ADMINS", "ASSOCBOT_WEBHOOK_URL", "ASSOCBOT_WEBHOOK_SECRET", "ASSOCBOT_REMINDER_OFFSETS"} {
		if !strings.Contains(errOut, v) {
			t.Errorf("stderr does not name %s:\n%s", v, errOut)
		}
	}
	// A flag overrides the environment.
	code, _, errOut = runCLI(t, getenv, "", "run", "--tz", "Asia/Shanghai")
	if code != 2 || strings.Contains(errOut, "ASSOCBOT_TZ") {
		t.Fatalf("--tz did not override: %q", errOut)
	}
}

// TestRunNeverLogsTheToken runs `assocbot run` against the fake, and against
// a Bot API that is down, and looks for the token in everything printed.
func TestRunNeverLogsTheToken(t *testing.T) {
	api := fakeapi.New(bottest.Token)
	defer api.Close()
	api.FailNext("getUpdates", 2, fakeapi.Failure{Status: 502, NonJSON: true})
	api.FailNext("setMyCommands", 1, fakeapi.Failure{Status: 500, Description: "Internal Server Error"})
	dir := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"ASSOCBOT_TOKEN": bottest.Token, "ASSOCBOT_API_URL": api.URL(),
			"ASSOCBOT_DB": filepath.Join(dir, "a.db"), "ASSOCBOT_LISTEN": "127.0.0.1:0"}[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"run"}, strings.NewReader(""), &out, &errOut, getenv, time.Now) }()
	u := fakeapi.User{ID: 9, FirstName: "A", LanguageCode: "en"}
	api.SendText(u, "/start")
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	if _, err := api.WaitMessages(wctx, u.ID, 1); err != nil {
		t.Fatalf("the running bot did not answer: %v\n%s", err, errOut.String())
	}
	wcancel()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("run exit %d: %s", code, errOut.String())
	}
	// Down: the dial error carries the URL, which carries the token.
	api.Close()
	code, _, errDown := runCLI(t, getenv, "", "run")
	if code != 1 {
		t.Fatalf("run against a dead API: exit %d", code)
	}
	logs := errOut.String() + errDown
	if !strings.Contains(logs, "telegram client") || !strings.Contains(errDown, "getMe") {
		t.Fatalf("expected logged API errors, got:\n%s", logs)
	}
	if strings.Contains(logs, bottest.Token) || strings.Contains(logs, strings.Split(bottest.Token, ":")[1]) {
		t.Fatalf("the token appeared in the output:\n%s", logs)
	}
}

func TestMigrateAndVersion(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	code, out, _ := runCLI(t, noEnv, "", "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("schema at version %d (%d migration(s) applied)", store.LatestVersion(), store.LatestVersion())) {
		t.Fatalf("migrate: %d %q", code, out)
	}
	code, out, _ = runCLI(t, noEnv, "", "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, "0 migration(s) applied") {
		t.Fatalf("migrate again: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, noEnv, "", "version"); code != 0 || !strings.HasPrefix(out, "assocbot ") {
		t.Fatalf("version: %d %q", code, out)
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func TestParseOffsets(t *testing.T) {
	got, err := parseOffsets("meeting=24h,2h; activity_day=72h")
	if err != nil || len(got["meeting"]) != 2 || got["meeting"][1] != 2*time.Hour || got["activity_day"][0] != 72*time.Hour {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"party=1h", "meeting", "meeting=-1h", "meeting=1y"} {
		if _, err := parseOffsets(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestMigrateCopiesSQLiteIntoPostgres is the move as an operator makes it:
// members added with the CLI to a SQLite file, then `migrate --from --to`,
// then the CLI on PostgreSQL lists them; a second move is refused (exit 2).
func TestMigrateCopiesSQLiteIntoPostgres(t *testing.T) {
	pg := storetest.PostgresDSN(t)
	db := filepath.Join(t.TempDir(), "old.db")
	for i, p := range []string{"13800000001", "13800000002", "13800000003"} {
		if code, _, errOut := runCLI(t, noEnv, "", "member", "add", "--db", db, "--name", fmt.Sprint("会员", i), "--phone", p, "--branch", "东城镇/李家村", "--new-branch"); code != 0 {
			t.Fatalf("member add: %d %s", code, errOut)
		}
	}
	code, out, errOut := runCLI(t, noEnv, "", "migrate", "--from", db, "--to", pg)
	if code != 0 || !strings.Contains(out, "members            3 rows") || !strings.Contains(out, ": equal") {
		t.Fatalf("migrate --from --to: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, noEnv, "", "member", "list", "--db", pg)
	for i := 0; i < 3; i++ {
		if !strings.Contains(out, fmt.Sprint("会员", i)) {
			t.Fatalf("member list on PostgreSQL after the move (%d):\n%s", code, out)
		}
	}
	code, _, errOut = runCLI(t, noEnv, "", "migrate", "--from", db, "--to", pg)
	if code != 2 || !strings.Contains(errOut, "not empty") {
		t.Fatalf("second move: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, noEnv, "", "migrate", "--from", pg, "--to", db); code != 2 || !strings.Contains(errOut, "SQLite file") {
		t.Fatalf("move the wrong way: %d %q", code, errOut)
	}
}
