package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// replicaRig is assocbot as compose.yaml runs it: two `assocbot run`
// processes on one PostgreSQL database behind one webhook, against a fake
// Telegram that enforces 30 messages a second per bot and one a second per
// chat. The test is the load balancer: it posts each update to one replica.
type replicaRig struct {
	t       testing.TB
	bin     string
	dsn     string
	api     *fakeapi.Server
	org     *models.Member
	orgChat int64
	env     []string
	procs   []*runningBin
	addrs   []string
	nextID  int64
	mu      sync.Mutex
}

const (
	replicaToken  = "888:replica-test-token"
	replicaSecret = "replica_secret"
	replicaBase   = int64(200000) // members' chat ids start here
)

func newReplicaRig(t testing.TB, members int) *replicaRig {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary twice on PostgreSQL")
	}
	r := &replicaRig{t: t, bin: buildAssocbot(t), dsn: storetest.PostgresDSN(t), orgChat: 1, nextID: 1}
	ctx := context.Background()
	st, err := openStore(ctx, r.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r.org, err = st.AddMember(ctx, store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "13800000001", r.orgChat, r.orgChat); err != nil {
		t.Fatal(err)
	}
	first, err := st.AddMember(ctx, store.NewMember{Name: "M0", Phone: "+8613900000000", Branch: "Town/Village", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "+8613900000000", replicaBase, replicaBase); err != nil {
		t.Fatal(err)
	}
	// The rest in one statement: 5,000 AddMember calls would be most of
	// the test's time.
	if err := st.ExecForTest(ctx, `INSERT INTO members (name, phone, branch_id, role, lang, telegram_lang, tz, telegram_id, chat_id, status, created_at, updated_at)
		SELECT 'M' || g, '+86139' || lpad(g::text, 8, '0'), ?, 'member', 'en', '', '', ? + g, ? + g, 'active', now(), now()
		FROM generate_series(1, ?) g`, *first.BranchID, replicaBase, replicaBase, members-1); err != nil {
		t.Fatal(err)
	}
	r.api = fakeapi.New(replicaToken)
	t.Cleanup(r.api.Close)
	r.api.EnforceLimits(30, 1)
	r.api.Meet(fakeapi.User{ID: r.orgChat, FirstName: "Org"})
	for i := 0; i < members; i++ {
		r.api.Meet(fakeapi.User{ID: replicaBase + int64(i), FirstName: "M"})
	}
	r.env = append(os.Environ(), "ASSOCBOT_TOKEN="+replicaToken, "ASSOCBOT_API_URL="+r.api.URL(), "ASSOCBOT_DB="+r.dsn,
		"ASSOCBOT_WEBHOOK_URL=https://bot.example.org/tg/hook", "ASSOCBOT_WEBHOOK_SECRET="+replicaSecret,
		"ASSOCBOT_QUIET_HOURS=off", "ASSOCBOT_WORKERS=4")
	return r
}

// start runs replica i and waits until it serves.
func (r *replicaRig) start(i int) {
	r.t.Helper()
	addr := freeAddr(r.t)
	run := startBin(r.t, r.bin, append(r.env, "ASSOCBOT_LISTEN="+addr), "run")
	for len(r.procs) <= i {
		r.procs, r.addrs = append(r.procs, nil), append(r.addrs, "")
	}
	r.procs[i], r.addrs[i] = run, "http://"+addr
	run.waitServing(r.t, r.addrs[i], 20*time.Second)
}

// stop sends SIGTERM and expects a clean exit.
func (r *replicaRig) stop(i int) {
	r.t.Helper()
	if err := r.procs[i].stop(r.t, syscall.SIGTERM, 30*time.Second); err != nil {
		r.t.Errorf("replica %d after SIGTERM: %v\n%s", i, err, r.procs[i].logs.String())
	}
}

// tap posts a member's tap on 📅 My events (a keyboard key: a text
// message) to replica i, as Telegram would, and returns the webhook's
// status and how long until it answered: the webhook answers once the
// update is handled, its reply sent.
func (r *replicaRig) tap(i int, chat int64) (int, time.Duration) {
	r.mu.Lock()
	id := r.nextID
	r.nextID++
	r.mu.Unlock()
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"M","language_code":"en"},"text":"📅 My events"}}`,
		id, id, time.Now().Unix(), chat, chat)
	req, _ := http.NewRequest(http.MethodPost, r.addrs[i]+"/tg/hook", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", replicaSecret)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, time.Since(start)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// broadcast enqueues a notice from the organizer to every member.
func (r *replicaRig) broadcast(text string) {
	r.t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, r.dsn)
	if err != nil {
		r.t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &r.org.ID, ChatID: &r.orgChat,
		Audience: models.BranchAudience("Town/Village"), Text: text, SendAt: time.Now()}); err != nil {
		r.t.Fatal(err)
	}
}

// waitReport waits for the organizer's final report on the broadcast with
// this many recipients.
func (r *replicaRig) waitReport(recipients int, within time.Duration) {
	r.t.Helper()
	cat, _ := locales.New()
	want := cat.T(locales.En, "broadcast.report", "Total", recipients, "Delivered", recipients, "Blocked", 0, "Failed", 0)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := r.api.WaitFor(ctx, func() bool {
		for _, m := range r.api.Messages(r.orgChat) {
			if m.Text == want {
				return true
			}
		}
		return false
	}); err != nil {
		var last []string
		for _, m := range r.api.Messages(r.orgChat) {
			last = append(last, m.Text)
		}
		r.t.Fatalf("no final report %q; the organizer's chat:\n%s\n--- replica 0:\n%s", want, strings.Join(last, "\n"), tail(r.procs[0].logs.String(), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// received counts, per member, the messages whose text ends with suffix.
func (r *replicaRig) received(members int, suffix string) (missed, dups int) {
	for i := 0; i < members; i++ {
		n := 0
		for _, m := range r.api.Messages(replicaBase + int64(i)) {
			if strings.HasSuffix(m.Text, suffix) {
				n++
			}
		}
		if n == 0 {
			missed++
		}
		if n > 1 {
			dups += n - 1
		}
	}
	return
}

// counted are the Bot API methods Telegram's limits count, answered 200.
func (r *replicaRig) sendTimes(from time.Time) []time.Time {
	var at []time.Time
	for _, q := range r.api.Requests() {
		m := strings.ToLower(q.Method)
		if q.Status == 200 && !q.At.Before(from) && (strings.HasPrefix(m, "send") || strings.HasPrefix(m, "edit")) {
			at = append(at, q.At)
		}
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	return at
}

// replicaRun is what two replicas did with one broadcast.
type replicaRun struct {
	took          time.Duration // from the broadcast to the organizer's report
	sends         int           // messages and edits Telegram accepted meanwhile
	rate          float64       // of them a second, from the first to the last
	taps          int
	p50, p99, max time.Duration // tap to reply (the webhook answers once the reply is sent)
	tooMany       int
	leaseExpired  float64 // rows a replica held too long and handed back
}

// twoReplicaBroadcast runs two replicas on one PostgreSQL database in
// webhook mode and sends a broadcast to members while they tap 📅 My events
// (one tap every 250 ms, on either replica, by members chosen at random):
// it checks that every member got the notice exactly once and every tap
// its reply, and measures.
func twoReplicaBroadcast(t testing.TB, members int) replicaRun {
	r := newReplicaRig(t, members)
	r.start(0)
	r.start(1)
	start := time.Now()
	r.broadcast("notice for two replicas")
	stopTaps := make(chan struct{})
	var latencies []time.Duration
	var failed []string
	tapped := map[int64]int{}
	var tapMu sync.Mutex
	var tapWG sync.WaitGroup
	tapWG.Add(1)
	go func() {
		defer tapWG.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-stopTaps:
				return
			case <-tick.C:
			}
			chat := replicaBase + int64(rand.IntN(members))
			tapWG.Add(1)
			go func(n int) {
				defer tapWG.Done()
				code, took := r.tap(n%2, chat)
				tapMu.Lock()
				defer tapMu.Unlock()
				if code != 200 {
					failed = append(failed, fmt.Sprintf("tap %d: status %d", n, code))
					return
				}
				tapped[chat]++
				latencies = append(latencies, took)
			}(n)
		}
	}()
	r.waitReport(members, 10*time.Minute)
	close(stopTaps)
	tapWG.Wait()
	run := replicaRun{took: time.Since(start), taps: len(latencies), tooMany: r.api.Count429()}
	if len(failed) > 0 {
		t.Fatalf("taps not answered: %v", failed)
	}
	missed, dups := r.received(members, "\nnotice for two replicas")
	if missed != 0 || dups != 0 {
		t.Fatalf("%d members missed the notice, %d got it more than once", missed, dups)
	}
	cat, _ := locales.New()
	none := cat.T(locales.En, "events.none")
	for chat, n := range tapped {
		got := 0
		for _, m := range r.api.Messages(chat) {
			if m.Text == none {
				got++
			}
		}
		if got != n {
			t.Fatalf("chat %d tapped %d times and got %d replies", chat, n, got)
		}
	}
	sends := r.sendTimes(start)
	run.sends = len(sends)
	run.rate = float64(len(sends)-1) / sends[len(sends)-1].Sub(sends[0]).Seconds()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	run.p50, run.p99, run.max = latencies[len(latencies)/2], latencies[len(latencies)*99/100], latencies[len(latencies)-1]
	for i := range r.addrs {
		run.leaseExpired += sum(scrape(t, r.addrs[i]), "assocbot_messages_total", map[string]string{"result": "lease_expired"})
	}
	r.stop(0)
	r.stop(1)
	return run
}

// TestTwoReplicasShareOneBudget: two replicas on one PostgreSQL database in
// webhook mode send a 5,000-recipient broadcast while members tap: every
// member gets the notice exactly once, Telegram answers no 429, the bot
// uses at least 0.95 of Telegram's 30 messages a second, and 99% of taps are
// answered within 1.5 s. Both stop cleanly on SIGTERM.
func TestTwoReplicasShareOneBudget(t *testing.T) {
	run := twoReplicaBroadcast(t, 5000)
	t.Logf("5000 members, 2 replicas: %s; %d sends, %.2f/s (%.3f of 30/s); %d taps: p50 %s, p99 %s, max %s; %d × 429; %v leases expired",
		run.took.Round(time.Millisecond), run.sends, run.rate, run.rate/30, run.taps,
		run.p50.Round(time.Millisecond), run.p99.Round(time.Millisecond), run.max.Round(time.Millisecond), run.tooMany, run.leaseExpired)
	if run.tooMany != 0 {
		t.Errorf("Telegram answered 429 %d times", run.tooMany)
	}
	if run.leaseExpired != 0 {
		t.Errorf("%v rows handed back as their lease ran out: a replica claimed more than its share of the rate", run.leaseExpired)
	}
	if run.rate < 0.95*30 {
		t.Errorf("the bot used %.2f messages a second, less than 0.95 of 30", run.rate)
	}
	if run.p99 > 1500*time.Millisecond {
		t.Errorf("p99 reply %s, more than 1.5 s", run.p99)
	}
}

// BenchmarkTwoReplicas is the same run as a benchmark, for its numbers:
// of_limit (the send rate over Telegram's 30/s), tap_p99_ms, tap_p50_ms and
// 429s. ASSOCBOT_BENCH_N sets the members (default 5,000); needs
// ASSOCBOT_TEST_PG.
func BenchmarkTwoReplicas(b *testing.B) {
	members := 5000
	if s := os.Getenv("ASSOCBOT_BENCH_N"); s != "" {
		fmt.Sscan(s, &members)
	}
	for i := 0; i < b.N; i++ {
		run := twoReplicaBroadcast(b, members)
		b.ReportMetric(run.rate/30, "of_limit")
		b.ReportMetric(float64(run.p99.Milliseconds()), "tap_p99_ms")
		b.ReportMetric(float64(run.p50.Milliseconds()), "tap_p50_ms")
		b.ReportMetric(float64(run.tooMany), "429s")
		b.ReportMetric(float64(run.taps), "taps")
		b.ReportMetric(run.leaseExpired, "lease_expired")
	}
}

// TestKillOneReplicaMidBroadcast: kill -9 of one of two replicas halfway
// through a broadcast loses nothing; the other finishes it, and the
// members sent twice are at most the killed one's in-flight sends (its
// four workers).
func TestKillOneReplicaMidBroadcast(t *testing.T) {
	const members = 2000
	r := newReplicaRig(t, members)
	r.start(0)
	r.start(1)
	r.broadcast("notice through a crash")
	delivered := func() int {
		n := 0
		for _, q := range r.api.RequestsFor("sendMessage") {
			if q.Status == 200 && strings.HasSuffix(q.Params["text"], "\nnotice through a crash") {
				n++
			}
		}
		return n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := r.api.WaitFor(ctx, func() bool { return delivered() >= members/3 }); err != nil {
		t.Fatalf("delivered %d", delivered())
	}
	r.procs[0].stop(t, syscall.SIGKILL, 10*time.Second)
	atKill := delivered()
	if atKill >= members {
		t.Fatal("the broadcast finished before the kill: nothing was tested")
	}
	r.waitReport(members, 4*time.Minute)
	missed, dups := r.received(members, "\nnotice through a crash")
	t.Logf("killed one replica after %d of %d; the other finished: %d missed, %d duplicates, %d × 429", atKill, members, missed, dups, r.api.Count429())
	if missed != 0 {
		t.Fatalf("%d members missed the notice", missed)
	}
	if dups > 4 {
		t.Fatalf("%d duplicates, more than the killed replica's 4 workers", dups)
	}
	if n := r.api.Count429(); n != 0 {
		t.Fatalf("Telegram answered 429 %d times", n)
	}
	r.stop(1)
}
