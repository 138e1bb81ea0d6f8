package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// tcpProxy stands between the bot and its database, so that a test can
// take the database away (a network cut) and bring it back.
type tcpProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	l      net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{target: target}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	p.serve(l)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(l net.Listener) {
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection: the database is gone.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *tcpProxy) restore(t *testing.T) {
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(l)
}

func scrape(t testing.TB, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mf, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return mf
}

// samples are the samples of family name whose labels include want.
func samples(mf map[string]*dto.MetricFamily, name string, want map[string]string) []*dto.Metric {
	var out []*dto.Metric
next:
	for _, m := range mf[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// value is the first such sample's value (a histogram's count), or -1
// when there is none.
func value(mf map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	ms := samples(mf, name, want)
	if len(ms) == 0 {
		return -1
	}
	if h := ms[0].GetHistogram(); h != nil {
		return float64(h.GetSampleCount())
	}
	return ms[0].GetCounter().GetValue() + ms[0].GetGauge().GetValue()
}

// sum adds the values of all such samples (counters and gauges).
func sum(mf map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	total := 0.0
	for _, m := range samples(mf, name, want) {
		total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	return total
}

// TestMetricsAndHealth runs `assocbot run` on PostgreSQL (through a proxy
// the test can cut) and sends a notice to five members, one of whom blocked
// the bot, with Telegram failing one send with a 502: /metrics then says
// what an operator needs to know, in numbers; /healthz fails while the
// database is unreachable and recovers with it.
func TestMetricsAndHealth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const token = "999:metrics-test-token"
	bin := buildAssocbot(t)
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	st, err := openStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	api := fakeapi.New(token)
	defer api.Close()
	org, _ := st.AddMember(ctx, store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	st.LinkByPhone(ctx, "13800000001", 1, 1)
	api.Meet(fakeapi.User{ID: 1})
	for i := 0; i < 5; i++ {
		phone := fmt.Sprintf("1390000%04d", i)
		if _, err := st.AddMember(ctx, store.NewMember{Name: fmt.Sprint("M", i), Phone: phone, Branch: "Town/East", Lang: "en"}); err != nil {
			t.Fatal(err)
		}
		st.LinkByPhone(ctx, phone, int64(300+i), int64(300+i))
		api.Meet(fakeapi.User{ID: int64(300 + i)})
	}
	api.Block(304)
	api.FailNext("sendMessage", 1, fakeapi.Failure{Status: 502, NonJSON: true})

	u, _ := url.Parse(dsn)
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	addr := freeAddr(t)
	run := startBin(t, bin, append(os.Environ(), "ASSOCBOT_TOKEN="+token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+u.String(),
		"ASSOCBOT_LISTEN="+addr, "ASSOCBOT_QUIET_HOURS=off"), "run")
	logs := run.logs
	base := "http://" + addr
	run.waitServing(t, base, 20*time.Second)
	orgChat := int64(1)
	if _, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, ChatID: &orgChat,
		Audience: models.BranchAudience("Town/East"), Text: "metrics notice", SendAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Done when the organizer's report is counted and the queue is empty
	// (a message the 502 hit goes again after 5 s). Read from /metrics, not
	// from the chat: a message is counted only after its outcome is stored,
	// a moment after Telegram has it.
	mf := scrape(t, base)
	done := func() bool {
		return sum(mf, "assocbot_messages_total", map[string]string{"kind": "broadcast.report", "result": "sent"}) == 1 &&
			sum(mf, "assocbot_outbox_messages", nil) == 0
	}
	for deadline := time.Now().Add(60 * time.Second); !done(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no report, or the queue did not drain:\n%s", logs.String())
		}
		mf = scrape(t, base)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"assocbot_messages_total", map[string]string{"kind": "broadcast", "result": "sent", "reason": ""}, 4},
		{"assocbot_messages_total", map[string]string{"kind": "broadcast", "result": "unreachable", "reason": "blocked"}, 1},
		{"assocbot_outbox_messages", map[string]string{"status": "pending"}, 0},
		{"assocbot_outbox_messages", map[string]string{"status": "sending"}, 0},
		{"assocbot_outbox_oldest_due_seconds", nil, 0},
		{"assocbot_database_up", nil, 1},
		{"assocbot_telegram_429_total", nil, 0},
		{"assocbot_send_wait_seconds", map[string]string{"class": "bulk"}, -2}, // any count > 0
	} {
		got := value(mf, c.name, c.labels)
		if c.want == -2 {
			if got <= 0 {
				t.Errorf("%s%v: no samples", c.name, c.labels)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// The 502 hit one message, a notice or the organizer's progress: it
	// was sent again.
	if got := sum(mf, "assocbot_messages_total", map[string]string{"result": "retry", "reason": "server_error"}); got != 1 {
		t.Errorf("retries after a 5xx = %v, want 1", got)
	}
	// The report went out, and the progress message too, unless the 502
	// held it back until the broadcast was over: then it was withdrawn.
	row, err := storetest.Dump(ctx, dsn, "SELECT status, reason FROM outboxes WHERE kind = 'broadcast.progress'")
	if err != nil {
		t.Fatal(err)
	}
	progressSent := strings.Contains(row, "status=sent")
	if !progressSent && !strings.Contains(row, "reason=withdrawn") {
		t.Errorf("the progress message is %s, want sent or withdrawn", row)
	}
	want := 5.0 // four notices and the report
	if progressSent {
		want++
	}
	if got := sum(mf, "assocbot_messages_total", map[string]string{"result": "sent"}); got != want {
		var all []string
		for _, m := range samples(mf, "assocbot_messages_total", nil) {
			all = append(all, fmt.Sprintf("%v=%v", m.GetLabel(), m.GetCounter().GetValue()))
		}
		t.Errorf("messages sent = %v, want %v:\n%s", got, want, strings.Join(all, "\n"))
	}

	// The database goes away: /healthz fails within seconds, and /metrics
	// says so; it comes back: healthy again.
	proxy.cut()
	for deadline := time.Now().Add(15 * time.Second); healthz(base) != http.StatusServiceUnavailable; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("/healthz stayed healthy with the database unreachable")
		}
	}
	if got := value(scrape(t, base), "assocbot_database_up", nil); got != 0 {
		t.Errorf("assocbot_database_up = %v with the database unreachable", got)
	}
	proxy.restore(t)
	for deadline := time.Now().Add(15 * time.Second); healthz(base) != 200; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not recover with the database:\n%s", logs.String())
		}
	}
	if err := run.stop(t, syscall.SIGTERM, 30*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Fatal("the token is in the logs")
	}
}
