package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/console"
	"github.com/assocbot/assocbot/bot/smsprovider"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/calendar"
	"github.com/assocbot/assocbot/models/roster"
)

// Config is every setting of `assocbot run`: defaults, then the environment,
// then flags (SPEC C10).
type Config struct {
	Token         string
	APIURL        string
	DB            string
	TZ            string
	Lang          string
	Admins        string
	Rate          float64
	QuietHours    string
	WebhookURL    string
	WebhookSecret string
	Listen        string
	Workers       int
	Lease         time.Duration
	Offsets       string
	ImportMaxMB   int
	SMS           smsprovider.Config
	SMSMonthly    int
	Holidays      string
	AppMaxAge     time.Duration
	PublicURL     string

	// Derived by Validate.
	Location       *time.Location
	DefaultLang    locales.Lang
	AdminIDs       []int64
	ReminderOffset map[models.EventKind][]time.Duration
}

// envVars maps each setting to its variable, for loading and for errors.
var envVars = []struct {
	name, flag, def, help string
	set                   func(c *Config, v string) error
}{
	{"ASSOCBOT_TOKEN", "token", "", "bot token from @BotFather", func(c *Config, v string) error { c.Token = v; return nil }},
	{"ASSOCBOT_API_URL", "api-url", "https://api.telegram.org", "Bot API base URL", func(c *Config, v string) error { c.APIURL = v; return nil }},
	{"ASSOCBOT_DB", "db", "assocbot.db", "SQLite file, or postgres://… URL", func(c *Config, v string) error { c.DB = v; return nil }},
	{"ASSOCBOT_TZ", "tz", "Asia/Shanghai", "the association's time zone", func(c *Config, v string) error { c.TZ = v; return nil }},
	{"ASSOCBOT_LANG", "lang", "zh-Hans", "default language: zh-Hans, zh-Hant or en", func(c *Config, v string) error { c.Lang = v; return nil }},
	{"ASSOCBOT_ADMINS", "admins", "", "comma-separated Telegram user ids of the first admins", func(c *Config, v string) error { c.Admins = v; return nil }},
	{"ASSOCBOT_RATE", "rate", "30", "messages per second for the whole bot: replies and broadcasts, every replica together", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		c.Rate = f
		return nil
	}},
	{"ASSOCBOT_QUIET_HOURS", "quiet-hours", "21:00-08:00", "HH:MM-HH:MM when non-urgent messages wait, or off", func(c *Config, v string) error { c.QuietHours = v; return nil }},
	{"ASSOCBOT_WEBHOOK_URL", "webhook-url", "", "public HTTPS URL for webhook mode (empty: long polling)", func(c *Config, v string) error { c.WebhookURL = v; return nil }},
	{"ASSOCBOT_WEBHOOK_SECRET", "webhook-secret", "", "webhook secret token (1-256 of A-Z a-z 0-9 _ -)", func(c *Config, v string) error { c.WebhookSecret = v; return nil }},
	{"ASSOCBOT_LISTEN", "listen", ":8080", "address for /healthz, /metrics and the webhook", func(c *Config, v string) error { c.Listen = v; return nil }},
	{"ASSOCBOT_WORKERS", "workers", "4", "concurrent senders of the dispatcher", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		c.Workers = n
		return nil
	}},
	{"ASSOCBOT_REMINDER_OFFSETS", "reminder-offsets", "", "event reminder offsets by kind, e.g. meeting=24h,2h;activity_day=72h,24h (empty: the defaults)", func(c *Config, v string) error { c.Offsets = v; return nil }},
	{"ASSOCBOT_IMPORT_MAX_MB", "import-max-mb", "20", "the largest member list an import reads, in MB (the bot can download 20 at most)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		c.ImportMaxMB = n
		return nil
	}},
	{"ASSOCBOT_PUBLIC_URL", "public-url", "", "the https:// address this listener is reached at (a reverse proxy): organizers get the console, the Mini App at /app/ (their chat's menu button, 📊 on their keyboard)", func(c *Config, v string) error { c.PublicURL = v; return nil }},
	{"ASSOCBOT_APP_MAX_AGE", "app-max-age", "24h", "how old the console's Telegram init data may be (auth_date)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration: %q", v)
		}
		c.AppMaxAge = d
		return nil
	}},
	{"ASSOCBOT_HOLIDAYS", "holidays", "", "a file of statutory holidays for years after lunar-go's data, in its fix format (README: holidays)", func(c *Config, v string) error { c.Holidays = v; return nil }},
	{"ASSOCBOT_SMS_PROVIDER", "sms-provider", "", "SMS for members without Telegram: tencent or aliyun (empty: no SMS)", func(c *Config, v string) error { c.SMS.Provider = v; return nil }},
	{"ASSOCBOT_SMS_ENDPOINT", "sms-endpoint", "", "the SMS API's host, to override the provider's (http:// only to this machine)", func(c *Config, v string) error { c.SMS.Endpoint = v; return nil }},
	{"ASSOCBOT_SMS_KEY_ID", "sms-key-id", "", "the provider's access key id (Tencent SecretId, Alibaba AccessKey ID)", func(c *Config, v string) error { c.SMS.KeyID = v; return nil }},
	{"ASSOCBOT_SMS_KEY_SECRET", "sms-key-secret", "", "the provider's access key secret", func(c *Config, v string) error { c.SMS.KeySecret = v; return nil }},
	{"ASSOCBOT_SMS_APP_ID", "sms-app-id", "", "Tencent's SdkAppId (Tencent only)", func(c *Config, v string) error { c.SMS.AppID = v; return nil }},
	{"ASSOCBOT_SMS_SIGN", "sms-sign", "", "the approved sign name (签名)", func(c *Config, v string) error { c.SMS.Sign = v; return nil }},
	{"ASSOCBOT_SMS_REGION", "sms-region", "", "the provider's region (default ap-guangzhou for Tencent, cn-hangzhou for Alibaba)", func(c *Config, v string) error { c.SMS.Region = v; return nil }},
	{"ASSOCBOT_SMS_CALLBACK_KEY", "sms-callback-key", "", "a secret of 16+ letters and digits, in the callback URLs set in the provider's console", func(c *Config, v string) error { c.SMS.CallbackKey = v; return nil }},
	{"ASSOCBOT_SMS_MONTHLY", "sms-monthly", "0", "the most SMS a calendar month (0: no cap; cancellations and changes pass it)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		c.SMSMonthly = n
		return nil
	}},
	{"ASSOCBOT_SMS_PARAM_MAX", "sms-param-max", "0", "the longest template parameter your account allows (0: the provider's usual, Tencent 12, Alibaba 35)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		c.SMS.MaxParam = n
		return nil
	}},
	{"ASSOCBOT_LEASE", "lease", "30s", "how long a dispatcher holds claimed messages before another may take them", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration: %q", v)
		}
		c.Lease = d
		return nil
	}},
}

// secretVars are never shown: --help prints no default for them.
var secretVars = map[string]bool{"ASSOCBOT_TOKEN": true, "ASSOCBOT_WEBHOOK_SECRET": true, "ASSOCBOT_SMS_KEY_SECRET": true, "ASSOCBOT_SMS_CALLBACK_KEY": true}

// configFlags declares a flag for every setting, its default from the
// environment; what it returns reads the parsed flags into a Config.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (*Config, error) {
	values := map[string]*string{}
	for _, e := range envVars {
		v := e.def
		if env := getenv(e.name); env != "" {
			v = env
		}
		if secretVars[e.name] {
			// A secret's flag shows no default: --help must not print it.
			values[e.name] = fs.String(e.flag, "", e.help+" ("+e.name+")")
			continue
		}
		values[e.name] = fs.String(e.flag, v, e.help+" ("+e.name+")")
	}
	return func() (*Config, error) {
		c := &Config{}
		for _, e := range envVars {
			v := *values[e.name]
			if secretVars[e.name] && v == "" {
				v = getenv(e.name)
			}
			if err := e.set(c, v); err != nil {
				return nil, fmt.Errorf("%s: %w", e.name, err)
			}
		}
		return c, nil
	}
}

var quietPattern = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$`)

// Validate checks every setting and derives the parsed ones; each error names
// its variable. needToken is false for commands that never call Telegram.
func (c *Config) Validate(needToken bool) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if needToken {
		if c.Token == "" {
			bad("ASSOCBOT_TOKEN", "missing; get a token from @BotFather")
		} else if !strings.Contains(c.Token, ":") || strings.ContainsAny(c.Token, " \t\n/") {
			bad("ASSOCBOT_TOKEN", "does not look like a bot token (id:secret)")
		}
	}
	if !strings.HasPrefix(c.APIURL, "http://") && !strings.HasPrefix(c.APIURL, "https://") {
		bad("ASSOCBOT_API_URL", "must start with http:// or https://, got %q", c.APIURL)
	}
	if strings.TrimSpace(c.DB) == "" {
		bad("ASSOCBOT_DB", "empty")
	}
	loc, err := time.LoadLocation(c.TZ)
	if err != nil || c.TZ == "" {
		bad("ASSOCBOT_TZ", "unknown time zone %q (use an IANA name such as Asia/Shanghai)", c.TZ)
	}
	c.Location = loc
	l, ok := locales.Parse(c.Lang)
	if !ok {
		bad("ASSOCBOT_LANG", "must be zh-Hans, zh-Hant or en, got %q", c.Lang)
	}
	c.DefaultLang = l
	c.AdminIDs = nil
	for _, part := range strings.Split(c.Admins, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			bad("ASSOCBOT_ADMINS", "%q is not a Telegram user id", part)
			continue
		}
		c.AdminIDs = append(c.AdminIDs, id)
	}
	if c.Rate <= 0 || c.Rate > 100000 {
		bad("ASSOCBOT_RATE", "must be between 0 and 100000 messages per second, got %v", c.Rate)
	}
	if c.QuietHours != "off" && !quietPattern.MatchString(c.QuietHours) {
		bad("ASSOCBOT_QUIET_HOURS", "must be HH:MM-HH:MM or off, got %q", c.QuietHours)
	}
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("ASSOCBOT_WEBHOOK_URL", "must be an https:// URL")
		} else if !webhookPathPattern.MatchString(u.Path) || !cleanPath(u.Path) || u.RawQuery != "" || u.Fragment != "" {
			bad("ASSOCBOT_WEBHOOK_URL", "its path may hold only A-Z a-z 0-9 / - _ . ~ (no // . or .. steps), and no query or fragment, got %q", c.WebhookURL)
		}
		if !bot.ValidWebhookSecret(c.WebhookSecret) {
			bad("ASSOCBOT_WEBHOOK_SECRET", "required in webhook mode: 1-256 characters of A-Z a-z 0-9 _ -")
		}
	}
	if c.Workers < 1 || c.Workers > 64 {
		bad("ASSOCBOT_WORKERS", "must be between 1 and 64, got %d", c.Workers)
	}
	if c.ImportMaxMB < 1 || c.ImportMaxMB > maxImportMB {
		bad("ASSOCBOT_IMPORT_MAX_MB", "must be between 1 and %d, got %d", maxImportMB, c.ImportMaxMB)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("ASSOCBOT_PUBLIC_URL", "must be an https:// URL without query or fragment (Telegram opens Mini Apps over HTTPS), got %q", c.PublicURL)
		}
	}
	if c.AppMaxAge == 0 {
		c.AppMaxAge = console.DefaultMaxAge
	} else if c.AppMaxAge < time.Minute {
		bad("ASSOCBOT_APP_MAX_AGE", "must be at least 1m, got %v", c.AppMaxAge)
	}
	if c.Lease < time.Second {
		bad("ASSOCBOT_LEASE", "must be at least 1s, got %v", c.Lease)
	}
	offsets, err := parseOffsets(c.Offsets)
	if err != nil {
		bad("ASSOCBOT_REMINDER_OFFSETS", "%v", err)
	}
	c.ReminderOffset = offsets
	if c.Listen == "" {
		bad("ASSOCBOT_LISTEN", "empty")
	}
	if c.SMS.Provider != "" {
		if err := c.SMS.Validate(); err != nil {
			errs = append(errs, err) // it names its variable, never a secret
		}
	} else if c.SMS.KeyID != "" || c.SMS.Sign != "" || c.SMS.AppID != "" {
		bad("ASSOCBOT_SMS_PROVIDER", "SMS settings are given but no provider: tencent or aliyun")
	}
	if c.SMSMonthly < 0 {
		bad("ASSOCBOT_SMS_MONTHLY", "must be 0 (no cap) or more, got %d", c.SMSMonthly)
	}
	if err := loadHolidays(c.Holidays); err != nil {
		bad("ASSOCBOT_HOLIDAYS", "%v", err)
	}
	return errors.Join(errs...)
}

// ConsoleURL is the console's address for the keyboards' 📊 ("" without
// ASSOCBOT_PUBLIC_URL).
func (c *Config) ConsoleURL() string {
	if c.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(c.PublicURL, "/") + "/app/"
}

// loadHolidays adds a holiday file (calendar.LoadFix's format) to the
// table, before anything looks a holiday up: `run` (ASSOCBOT_HOLIDAYS or
// --holidays) and every other command (ASSOCBOT_HOLIDAYS), so that the CLI
// and the bot agree. "" adds nothing.
func loadHolidays(path string) error {
	holidaysLoaded.Lock()
	defer holidaysLoaded.Unlock()
	if path == "" || holidaysLoaded.paths[path] {
		return nil // each file once: every command reads ASSOCBOT_HOLIDAYS, and run's --holidays is often the same
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := calendar.LoadFix(f); err != nil {
		return err
	}
	holidaysLoaded.paths[path] = true
	return nil
}

// holidaysLoaded are the holiday files already added to the table.
var holidaysLoaded = struct {
	sync.Mutex
	paths map[string]bool
}{paths: map[string]bool{}}

// maxImportMB bounds ASSOCBOT_IMPORT_MAX_MB: a file is read into memory
// whole (an XLSX needs its directory at the end), so its size is memory.
const maxImportMB = 100

// importLimits are the roster limits with the file size in MB.
func importLimits(mb int) roster.Limits {
	lim := roster.DefaultLimits()
	lim.MaxBytes = int64(mb) << 20
	return lim
}

// webhookPathPattern is the webhook URL's path this bot serves: plain
// characters only, so that it is matched as written.
var webhookPathPattern = regexp.MustCompile(`^(/[A-Za-z0-9._~/-]*)?$`)

// cleanPath reports whether p has no empty, . or .. steps (a trailing /
// aside): the HTTP server serves only such paths as written.
func cleanPath(p string) bool {
	if p == "" {
		return true
	}
	c := path.Clean(p)
	return c == p || c+"/" == p
}

// usageError is a bad command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func getenvOS(name string) string { return os.Getenv(name) }

// parseOffsets reads "meeting=24h,2h;activity_day=72h,24h".
func parseOffsets(s string) (map[models.EventKind][]time.Duration, error) {
	out := map[models.EventKind][]time.Duration{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, list, ok := strings.Cut(part, "=")
		k := models.EventKind(strings.TrimSpace(kind))
		if !ok || !k.Valid() {
			return nil, fmt.Errorf("%q: want kind=duration,duration with a kind of activity_day, meeting, health_check_session, training, other", part)
		}
		for _, d := range strings.Split(list, ",") {
			dur, err := time.ParseDuration(strings.TrimSpace(d))
			if err != nil || dur <= 0 || dur > 60*24*time.Hour {
				return nil, fmt.Errorf("%q: %q is not a duration between 0 and 60 days (e.g. 24h, 2h, 30m)", part, d)
			}
			out[k] = append(out[k], dur)
		}
	}
	return out, nil
}
