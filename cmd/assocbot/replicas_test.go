package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
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
	started time.Time // the last replica's start
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
	return newRunRig(t, members, storetest.PostgresDSN(t))
}

// newRunRig prepares `assocbot run` in webhook mode on the database dsn
// (SQLite or PostgreSQL) with an organizer and members in Town/Village,
// against a fake Telegram that answers 429 above its limits.
func newRunRig(t testing.TB, members int, dsn string) *replicaRig {
	t.Helper()
	r := &replicaRig{t: t, bin: buildAssocbot(t), dsn: dsn, orgChat: 1, nextID: 1}
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
	rest := `INSERT INTO members (name, phone, branch_id, role, lang, telegram_lang, tz, telegram_id, chat_id, status, created_at, updated_at)
		SELECT 'M' || g, '+86139' || lpad(g::text, 8, '0'), ?, 'member', 'en', '', '', ? + g, ? + g, 'active', now(), now()
		FROM generate_series(1, ?) g`
	args := []any{*first.BranchID, replicaBase, replicaBase, members - 1}
	if st.Dialect() == "sqlite" {
		rest = `INSERT INTO members (name, phone, branch_id, role, lang, telegram_lang, tz, telegram_id, chat_id, status, created_at, updated_at)
		WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ?)
		SELECT 'M' || g, '+86139' || substr('0000000' || g, -8), ?, 'member', 'en', '', '', ? + g, ? + g, 'active', datetime('now'), datetime('now') FROM s`
		args = []any{members - 1, *first.BranchID, replicaBase, replicaBase}
	}
	if err := storetest.Exec(ctx, r.dsn, rest, args...); err != nil {
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
	r.started = time.Now()
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
	rate          float64       // of them a second while the broadcast went out (its first notice to its last)
	taps          int
	p50, p99, max time.Duration // update to reply sent (the webhook answers once it is), of the taps not held by the chat's gap
	held          int           // taps by a member the notice reached less than a second before: their reply waits for Telegram's chat gap
	p99All        time.Duration // of every tap
	tooMany       int
	leaseExpired  float64 // rows a replica held too long and handed back
}

// twoReplicaBroadcast runs two replicas on one PostgreSQL database in
// webhook mode and sends a broadcast to members while they tap 📅 My events
// (about ten taps a second, at random moments, on each replica in turn, by
// members chosen at random):
// it checks that every member got the notice exactly once and every tap
// its reply, and measures.
func twoReplicaBroadcast(t testing.TB, members int) replicaRun {
	r := newReplicaRig(t, members)
	r.start(0)
	r.start(1)
	return broadcastWhileTapping(t, r, members)
}

// broadcastWhileTapping sends a broadcast to the rig's members through its
// running replicas while members tap (on each replica in turn), checks
// that everyone got the notice once and every tap its reply, measures,
// and stops the replicas with SIGTERM.
func broadcastWhileTapping(t testing.TB, r *replicaRig, members int) replicaRun {
	// A process sends nothing in its first second (budget.Memory.UsedAt:
	// what a process killed just before it sent still counts): measured
	// from then on, as a bot that has been up a while.
	time.Sleep(time.Until(r.started.Add(budget.SlotRest + 100*time.Millisecond)))
	start := time.Now()
	r.broadcast("notice for two replicas")
	stopTaps := make(chan struct{})
	type tapped1 struct {
		chat    int64
		at      time.Time
		latency time.Duration
	}
	var taps []tapped1
	var failed []string
	tapped := map[int64]int{}
	var tapMu sync.Mutex
	var tapWG sync.WaitGroup
	tapWG.Add(1)
	go func() {
		defer tapWG.Done()
		for n := 0; ; n++ {
			select {
			case <-stopTaps:
				return
			case <-time.After(time.Duration(50+rand.IntN(100)) * time.Millisecond):
			}
			chat := replicaBase + int64(rand.IntN(members))
			tapWG.Add(1)
			go func(n int) {
				defer tapWG.Done()
				at := time.Now()
				code, took := r.tap(n%len(r.procs), chat)
				tapMu.Lock()
				defer tapMu.Unlock()
				if code != 200 {
					failed = append(failed, fmt.Sprintf("tap %d: status %d", n, code))
					return
				}
				tapped[chat]++
				taps = append(taps, tapped1{chat, at, took})
			}(n)
		}
	}()
	r.waitReport(members, 10*time.Minute)
	close(stopTaps)
	tapWG.Wait()
	run := replicaRun{took: time.Since(start), taps: len(taps), tooMany: r.api.Count429()}
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
	// The rate while the broadcast goes out: every message and edit from
	// its first notice to its last (before it, the dispatcher finds the
	// broadcast; after it, only the taps' replies are left).
	var first, last time.Time
	for _, q := range r.api.RequestsFor("sendMessage") {
		if q.Status == 200 && strings.HasSuffix(q.Params["text"], "\nnotice for two replicas") {
			if first.IsZero() || q.At.Before(first) {
				first = q.At
			}
			if q.At.After(last) {
				last = q.At
			}
		}
	}
	during := 0
	for _, at := range sends {
		if !at.Before(first) && !at.After(last) {
			during++
		}
	}
	run.rate = float64(during-1) / last.Sub(first).Seconds()
	// A reply to a member whom the notice reached less than a second
	// before they tapped waits, by Telegram's rule of one message a second
	// to a chat, for the rest of that second: those are counted apart.
	sentTo := map[int64][]time.Time{}
	for _, q := range r.api.Requests() {
		if q.Status == 200 && q.Method == "sendMessage" {
			sentTo[q.ChatID] = append(sentTo[q.ChatID], q.At)
		}
	}
	var all, free []time.Duration
	for _, tp := range taps {
		all = append(all, tp.latency)
		held := false
		for _, at := range sentTo[tp.chat] {
			held = held || (at.Before(tp.at) && tp.at.Sub(at) < time.Second+100*time.Millisecond)
		}
		if !held {
			free = append(free, tp.latency)
			if tp.latency > 200*time.Millisecond && os.Getenv("DEBUG_TAPS") != "" {
				var rel []string
				for _, at := range sentTo[tp.chat] {
					rel = append(rel, at.Sub(tp.at).Round(time.Millisecond).String())
				}
				t.Logf("slow tap chat %d at +%v took %v; sends to chat at %v", tp.chat, tp.at.Sub(start).Round(time.Millisecond), tp.latency.Round(time.Millisecond), rel)
			}
		}
	}
	pct := func(d []time.Duration, p int) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[min(len(d)-1, len(d)*p/100)]
	}
	run.held = len(all) - len(free)
	run.p50, run.p99, run.max = pct(free, 50), pct(free, 99), pct(free, 100)
	run.p99All = pct(all, 99)
	for i := range r.addrs {
		run.leaseExpired += sum(scrape(t, r.addrs[i]), "assocbot_messages_total", map[string]string{"result": "lease_expired"})
	}
	for i := range r.procs {
		r.stop(i)
	}
	return run
}

// TestTwoReplicasShareOneBudget: two replicas on one PostgreSQL database in
// webhook mode send a 1,000-recipient broadcast while members tap: every
// member gets the notice exactly once, Telegram answers no 429, the bot
// uses at least 0.95 of Telegram's 30 messages a second, and replies go
// out within the second they are asked in (update to reply sent; see
// checkBroadcastRun). Both stop cleanly on SIGTERM.
func TestTwoReplicasShareOneBudget(t *testing.T) {
	// 1,000 members: about 35 s at the limit, half a minute of taps
	// (BenchmarkTwoReplicas sends to 5,000).
	run := twoReplicaBroadcast(t, 1000)
	t.Logf("1000 members, 2 replicas: %s", run)
	checkBroadcastRun(t, run)
}

// TestRepliesDuringABroadcastOnSQLite: `assocbot run` on SQLite in webhook
// mode sends a 450-recipient broadcast at Telegram's limit while members
// tap: the same promises as two replicas on PostgreSQL.
func TestRepliesDuringABroadcastOnSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; 15 s at Telegram's limit")
	}
	r := newRunRig(t, 450, filepath.Join(t.TempDir(), "assocbot.db"))
	r.start(0)
	run := broadcastWhileTapping(t, r, 450)
	t.Logf("450 members, SQLite: %s", run)
	checkBroadcastRun(t, run)
}

func (run replicaRun) String() string {
	return fmt.Sprintf("%s; %d sends, %.2f/s (%.3f of 30/s); %d taps, update to reply sent: p50 %s, p99 %s, max %s (%d held by the chat's one-a-second gap: p99 of all %s); %d × 429; %v leases expired",
		run.took.Round(time.Millisecond), run.sends, run.rate, run.rate/30, run.taps,
		run.p50.Round(time.Millisecond), run.p99.Round(time.Millisecond), run.max.Round(time.Millisecond), run.held, run.p99All.Round(time.Millisecond),
		run.tooMany, run.leaseExpired)
}

// checkBroadcastRun holds a run to issue 17's promises: no 429, no lease
// run out, at least 0.95 of the limit, replies within the second they were
// asked in.
func checkBroadcastRun(t *testing.T, run replicaRun) {
	t.Helper()
	if run.tooMany != 0 {
		t.Errorf("Telegram answered 429 %d times", run.tooMany)
	}
	if run.leaseExpired != 0 {
		t.Errorf("%v rows handed back as their lease ran out: a replica claimed more than its share of the rate", run.leaseExpired)
	}
	// The goals are ≥ 0.95 of the limit, replies p50 < 50 ms and p99 <
	// 200 ms; the benchmarks report them (met by far on an idle machine).
	// The test allows twice the latency, for a machine busy with the other
	// packages' tests, and more under the race detector, which slows
	// every goroutine several times. Before the budget spread its slots,
	// replies waited for the next whole second: p50 0.5 s, p99 1 s; the
	// looser bar still tells that apart.
	share, p50, p99 := 0.95, 100*time.Millisecond, 400*time.Millisecond
	if raceEnabled {
		share, p50, p99 = 0.9, 200*time.Millisecond, time.Second
	}
	if run.rate < share*30 {
		t.Errorf("the bot used %.2f messages a second, less than %.2f of 30", run.rate, share)
	}
	if run.p50 > p50 || run.p99 > p99 {
		t.Errorf("replies p50 %s, p99 %s: more than %s, %s", run.p50, run.p99, p50, p99)
	}
}

// BenchmarkBroadcastOnSQLite is TestRepliesDuringABroadcastOnSQLite as a
// benchmark, for its numbers (as BenchmarkTwoReplicas). ASSOCBOT_BENCH_N
// sets the members (default 450).
func BenchmarkBroadcastOnSQLite(b *testing.B) {
	members := 450
	if s := os.Getenv("ASSOCBOT_BENCH_N"); s != "" {
		fmt.Sscan(s, &members)
	}
	for i := 0; i < b.N; i++ {
		r := newRunRig(b, members, filepath.Join(b.TempDir(), "assocbot.db"))
		r.start(0)
		reportRun(b, broadcastWhileTapping(b, r, members))
	}
}

func reportRun(b *testing.B, run replicaRun) {
	b.ReportMetric(run.rate/30, "of_limit")
	b.ReportMetric(float64(run.p99.Microseconds())/1000, "tap_p99_ms")
	b.ReportMetric(float64(run.p50.Microseconds())/1000, "tap_p50_ms")
	b.ReportMetric(float64(run.tooMany), "429s")
	b.ReportMetric(float64(run.taps), "taps")
	b.ReportMetric(float64(run.held), "taps_held_by_chat_gap")
	b.ReportMetric(float64(run.p99All.Microseconds())/1000, "all_taps_p99_ms")
	b.ReportMetric(run.leaseExpired, "lease_expired")
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
		reportRun(b, twoReplicaBroadcast(b, members))
	}
}

// TestKillOneReplicaMidBroadcast: kill -9 of one of two replicas halfway
// through a broadcast loses nothing; the other finishes it, and the
// members sent twice are at most the killed one's in-flight sends (its
// four workers).
func TestKillOneReplicaMidBroadcast(t *testing.T) {
	const members = 1000
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
