// Command rssfloor measures the idle resident memory of a process that links
// only assocbot's fixed libraries (go-telegram/bot, robfig/cron, GORM with
// SQLite, go-i18n) and prometheus/client_golang, and uses each the way
// `assocbot run` does: a SQLite database opened and migrated, a message
// catalogue, a metrics registry served over HTTP, a cron, and a long poll
// waiting on a Bot API. None of assocbot's own code is in it. It is the
// floor under assocbot's idle memory; compare it with TestRunIdleMemory:
//
//	cd cmd/assocbot/testdata/rssfloor && go build -o /tmp/rssfloor . && /tmp/rssfloor
//
// It lives in testdata, a module of its own, so `go test ./...` leaves it
// alone.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/go-telegram/bot"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"
	"golang.org/x/text/language"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

type member struct {
	ID    uint
	Name  string
	Phone string `gorm:"uniqueIndex"`
}

func main() {
	dir, err := os.MkdirTemp("", "rssfloor")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	db, err := gorm.Open(sqlite.Open(filepath.Join(dir, "empty.db")+"?_journal_mode=WAL&_busy_timeout=5000"), &gorm.Config{})
	if err != nil {
		fail(err)
	}
	if err := db.AutoMigrate(&member{}); err != nil {
		fail(err)
	}
	var n int64
	db.Model(&member{}).Count(&n)

	cat := i18n.NewBundle(language.English)
	cat.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	cat.MustParseMessageFileBytes([]byte("hello = \"Hello {{.Name}}\"\n"), "active.en.toml")
	i18n.NewLocalizer(cat, "en").MustLocalize(&i18n.LocalizeConfig{MessageID: "hello", TemplateData: map[string]string{"Name": "x"}})

	// One listener serves /metrics and plays a Bot API whose getUpdates
	// holds each long poll for its timeout and finds nothing.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getUpdates") {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"result":[]}`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	go http.Serve(ln, mux)

	c := cron.New()
	if _, err := c.AddFunc("* * * * *", func() {}); err != nil {
		fail(err)
	}
	c.Start()
	defer c.Stop()

	b, err := bot.New("1:floor", bot.WithServerURL("http://"+ln.Addr().String()), bot.WithSkipGetMe())
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Start(ctx)

	// As assocbot run does: start-up's garbage returned, then idle.
	time.Sleep(time.Second)
	debug.FreeOSMemory()
	time.Sleep(5 * time.Second)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fail(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") || strings.HasPrefix(line, "RssAnon:") || strings.HasPrefix(line, "RssFile:") {
			fmt.Println(strings.Join(strings.Fields(line), " "))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "rssfloor:", err)
	os.Exit(1)
}
