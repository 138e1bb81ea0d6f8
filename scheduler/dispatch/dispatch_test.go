package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

const token = "555:dispatch-test-token"

var (
	ctx      = context.Background()
	shanghai = mustZone("Asia/Shanghai")
)

func mustZone(n string) *time.Location {
	l, err := time.LoadLocation(n)
	if err != nil {
		panic(err)
	}
	return l
}

// rig is a dispatcher on a real database, sending to the fake Bot API.
type rig struct {
	t    testing.TB
	st   *store.Store
	api  *fakeapi.Server
	cat  *locales.Catalog
	d    *dispatch.Dispatcher
	mu   sync.Mutex
	now  time.Time
	cfg  dispatch.Config
	stop func()
	seq  int
	// sends is the send budget (default: one of its own at cfg.Rate,
	// one message a second to a chat).
	sends   *budget.Budget
	chatGap time.Duration
}

// channel is the Telegram channel the dispatcher sends through, on the
// rig's budget.
func (r *rig) channel() *telegram.Channel {
	if r.sends == nil {
		rate, gap := int(r.cfg.Rate), r.chatGap
		if rate <= 0 {
			rate = budget.DefaultRate
		}
		if gap <= 0 {
			gap = time.Second
		}
		r.sends = budget.New(budget.NewMemory(rate, gap, budget.SendTimeout), nil)
	}
	ch, err := telegram.NewChannel(telegram.ChannelConfig{Token: token, APIURL: r.api.URL(), Budget: r.sends, Workers: 16, TokenPause: r.cfg.TokenPause}, r.cat)
	if err != nil {
		r.t.Fatal(err)
	}
	return ch
}

func newRig(t testing.TB, cfg dispatch.Config) *rig {
	t.Helper()
	r := &rig{t: t, api: fakeapi.New(token)}
	t.Cleanup(r.api.Close)
	r.st, _ = storetest.New(t)
	var err error
	if r.cat, err = locales.New(); err != nil {
		t.Fatal(err)
	}
	if cfg.Poll == 0 {
		cfg.Poll = 20 * time.Millisecond
	}
	if cfg.Location == nil {
		cfg.Location = shanghai
	}
	r.cfg = cfg
	return r
}

// frozen makes the dispatcher's clock r.now.
func (r *rig) frozen(at time.Time) {
	r.now = at
	r.cfg.Now = func() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now }
}

func (r *rig) setNow(at time.Time) {
	r.mu.Lock()
	r.now = at
	r.mu.Unlock()
	r.d.Wake()
}

func (r *rig) start() {
	r.d = dispatch.New(r.cfg, r.st, r.channel(), r.cat, nil)
	c, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); r.d.Run(c) }()
	r.stop = func() { cancel(); <-done }
	r.t.Cleanup(r.stop)
}

// members adds n linked members (chat ids from 1000) known to the fake.
func (r *rig) members(n int, branch string) []*models.Member {
	r.t.Helper()
	out := make([]*models.Member, n)
	for i := 0; i < n; i++ {
		r.seq++
		phone := fmt.Sprintf("+861390%07d", r.seq)
		m, err := r.st.AddMember(ctx, store.NewMember{Name: fmt.Sprintf("M%d", i), Phone: phone, Branch: branch})
		if err != nil {
			r.t.Fatal(err)
		}
		chat := int64(1000 + m.ID)
		if m, err = r.st.LinkByPhone(ctx, phone, chat, chat); err != nil {
			r.t.Fatal(err)
		}
		r.api.Meet(fakeapi.User{ID: chat, FirstName: m.Name})
		out[i] = m
	}
	return out
}

func (r *rig) enqueue(msgs ...planner.Message) {
	r.t.Helper()
	if _, err := r.st.Enqueue(ctx, msgs...); err != nil {
		r.t.Fatal(err)
	}
	if r.d != nil {
		r.d.Wake()
	}
}

func (r *rig) waitStatus(id uint64, want outbox.Status, within time.Duration) *outbox.Row {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for {
		o, err := r.st.OutboxByID(ctx, id)
		if err == nil && o.Status == want {
			return o
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("outbox %d: status %v (err %v), want %s; last error %q", id, o.Status, err, want, o.LastError)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// notice is a message in an organizer's words to one member, as a broadcast
// of its own.
func (r *rig) notice(m *models.Member, text string) planner.Message {
	r.seq++
	return planner.Broadcast(&models.Broadcast{ID: uint(r.seq), Text: text, SendAt: time.Unix(0, 0)}, models.MembersAudience(m.ID), "", nil)
}

func sendsTo(api *fakeapi.Server, chat int64) []fakeapi.Request {
	var out []fakeapi.Request
	for _, q := range api.RequestsFor("sendMessage") {
		if q.ChatID == chat {
			out = append(out, q)
		}
	}
	return out
}

func TestEnqueueDedupes(t *testing.T) {
	r := newRig(t, dispatch.Config{})
	m := r.members(1, "")[0]
	a := r.notice(m, "a")
	n1, _ := r.st.Enqueue(ctx, a)
	n2, _ := r.st.Enqueue(ctx, a, r.notice(m, "b"))
	if n1 != 1 || n2 != 1 {
		t.Fatalf("enqueued %d then %d, want 1 and 1", n1, n2)
	}
}

func TestTemplateRenderedAtSendTimeInTheMembersLanguage(t *testing.T) {
	r := newRig(t, dispatch.Config{})
	m := r.members(1, "")[0]
	ask := planner.JoinRequest(&models.JoinRequest{ID: 1, Name: "陳美玲"}, "東城鎮", "", time.Unix(0, 0))
	ask.To = models.MembersAudience(m.ID)
	r.enqueue(ask)
	// The member changes language after the row was written.
	if err := r.st.SetLanguage(ctx, *m.TelegramID, "zh-Hant"); err != nil {
		t.Fatal(err)
	}
	r.start()
	got, _ := r.api.WaitMessages(ctx, *m.ChatID, 1)
	if !strings.HasPrefix(got[0].Text, "申請加入 東城鎮") || !strings.Contains(got[0].Text, "未分享") || got[0].Inline[0][0].Text != "✅ 同意" {
		t.Fatalf("sent %q %v", got[0].Text, got[0].Inline)
	}
}

func TestTooManyRequestsPausesEverything(t *testing.T) {
	// Four workers, one slot (a message a second, counted from its
	// answer): without the pause the next request would follow the 429
	// after a second.
	r := newRig(t, dispatch.Config{Rate: 1, Workers: 4})
	ms := r.members(3, "")
	r.api.FailNext("sendMessage", 1, fakeapi.Failure{Status: 429, Description: "Too Many Requests: retry after 2", RetryAfter: 2})
	var ids []uint64
	for _, m := range ms {
		r.enqueue(r.notice(m, "hello"))
	}
	r.start()
	for i := range ms {
		ids = append(ids, uint64(i+1))
	}
	for _, id := range ids {
		r.waitStatus(id, outbox.Sent, 10*time.Second)
	}
	reqs := r.api.RequestsFor("sendMessage")
	var at429 time.Time
	for i, q := range reqs {
		if q.Status == 429 {
			at429 = q.At
			for _, later := range reqs[i+1:] {
				if gap := later.At.Sub(at429); gap < 2*time.Second-50*time.Millisecond {
					t.Fatalf("a request %v after the 429 with retry_after=2", gap)
				}
			}
		}
	}
	if at429.IsZero() {
		t.Fatal("the 429 never happened")
	}
	for _, m := range ms {
		if got := r.api.Messages(*m.ChatID); len(got) != 1 {
			t.Fatalf("chat %d got %d messages", *m.ChatID, len(got))
		}
	}
}

func TestForbiddenMakesTheMemberUnreachable(t *testing.T) {
	r := newRig(t, dispatch.Config{Rate: 1000})
	m := r.members(1, "")[0]
	r.api.Block(*m.ChatID)
	r.enqueue(r.notice(m, "first"), r.notice(m, "second"))
	r.start()
	// One is sent and fails; the other, claimed with it (either may go
	// first), is not sent to the blocked chat.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _ := r.st.OutboxTally(ctx, store.OutboxQuery{})
		if c[outbox.Failed][outbox.ReasonBlocked] == 1 && c[outbox.Skipped][outbox.ReasonUnreachable] == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rows %v, want one failed as blocked and one skipped as unreachable", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got, _ := r.st.MemberByID(ctx, m.ID); got.Status != models.StatusUnreachable {
		t.Fatalf("member status %s", got.Status)
	}
	// Nothing more is planned for them.
	if n, err := r.st.Enqueue(ctx, r.notice(m, "third")); err != nil || n != 0 {
		t.Fatalf("a message planned for an unreachable member: %d %v", n, err)
	}
	if n := len(sendsTo(r.api, *m.ChatID)); n != 1 {
		t.Fatalf("%d requests to a blocked chat, want 1 (no retry, nothing after)", n)
	}
}

func TestServerErrorsAndTimeoutsRetryWithBackoffThenFail(t *testing.T) {
	r := newRig(t, dispatch.Config{Rate: 1000, MaxAttempts: 3, BackoffBase: 200 * time.Millisecond, SendTimeout: 300 * time.Millisecond})
	ms := r.members(2, "")
	r.api.FailNext("sendMessage", 1, fakeapi.Failure{Status: 502, NonJSON: true})
	r.api.FailNext("sendMessage", 1, fakeapi.Failure{Delay: 2 * time.Second}) // a timeout
	r.api.FailNext("sendMessage", 1, fakeapi.Failure{Status: 500, Description: "Internal Server Error"})
	r.enqueue(r.notice(ms[0], "x"))
	r.start()
	o := r.waitStatus(1, outbox.Failed, 10*time.Second)
	if o.Attempts != 3 || o.Reason != outbox.ReasonServerError || !strings.Contains(o.LastError, "500") {
		t.Fatalf("after three failures: %+v", o)
	}
	reqs := sendsTo(r.api, *ms[0].ChatID)
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	if g1, g2 := reqs[1].At.Sub(reqs[0].At), reqs[2].At.Sub(reqs[1].At); g1 < 200*time.Millisecond || g2 < 400*time.Millisecond {
		t.Fatalf("no backoff: gaps %v, %v", g1, g2)
	}
	// A transient failure followed by success delivers.
	r.api.FailNext("sendMessage", 1, fakeapi.Failure{Status: 503, Description: "Service Unavailable"})
	r.enqueue(r.notice(ms[1], "y"))
	o = r.waitStatus(2, outbox.Sent, 10*time.Second)
	if o.Attempts != 1 || o.TelegramMessageID == 0 {
		t.Fatalf("retried row %+v", o)
	}
}

func TestBadRequestFailsWithItsReason(t *testing.T) {
	r := newRig(t, dispatch.Config{Rate: 1000})
	m := r.members(1, "")[0]
	// A text too long is fitted before it is sent (telegram.Fit); a 400
	// Telegram gives for another reason fails the row with it.
	r.api.FailNext("sendMessage", 1, fakeapi.Failure{Status: 400, Description: "Bad Request: can't parse entities: unsupported start tag"})
	r.enqueue(r.notice(m, strings.Repeat("x", 5000)))
	r.start()
	o := r.waitStatus(1, outbox.Failed, 5*time.Second)
	if o.Reason != outbox.ReasonBadRequest || !strings.Contains(o.LastError, "can't parse entities") || o.Attempts != 1 {
		t.Fatalf("row %+v", o)
	}
}

func TestQuietHoursHoldNonUrgent(t *testing.T) {
	q, _ := outbox.ParseQuietHours("21:00-08:00")
	r := newRig(t, dispatch.Config{Rate: 1000, Quiet: q})
	r.frozen(time.Date(2026, 11, 23, 22, 30, 0, 0, shanghai))
	ms := r.members(2, "")
	r.enqueue(r.notice(ms[0], "tomorrow"))
	// A report the organizer waits for is urgent.
	r.enqueue(planner.BroadcastReport(&models.Broadcast{ID: 99}, ms[1].ID, planner.BroadcastCounts{Total: 1, Delivered: 1}, r.now))
	r.start()
	r.waitStatus(2, outbox.Sent, 5*time.Second)
	o := r.waitStatus(1, outbox.Pending, 5*time.Second)
	if want := time.Date(2026, 11, 24, 8, 0, 0, 0, shanghai); !o.NextAttemptAt.Equal(want) {
		t.Fatalf("held until %v, want %v", o.NextAttemptAt.In(shanghai), want)
	}
	if n := len(sendsTo(r.api, *ms[0].ChatID)); n != 0 {
		t.Fatal("a non-urgent message went out in quiet hours")
	}
	// At 07:59 it is not due: a claim then finds nothing.
	if got, err := r.st.ClaimOutbox(ctx, "probe", time.Date(2026, 11, 24, 7, 59, 0, 0, shanghai), time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("due before 08:00: %v %v", got, err)
	}
	r.setNow(time.Date(2026, 11, 24, 8, 0, 0, 0, shanghai))
	r.waitStatus(1, outbox.Sent, 5*time.Second)
}

func TestQuietHoursInTheMembersZone(t *testing.T) {
	q, _ := outbox.ParseQuietHours("21:00-08:00")
	r := newRig(t, dispatch.Config{Rate: 1000, Quiet: q})
	// 22:30 in Shanghai is 15:30 in Berlin: a member working there gets it now.
	r.frozen(time.Date(2026, 11, 23, 22, 30, 0, 0, shanghai))
	m, err := r.st.AddMember(ctx, store.NewMember{Name: "Away", Phone: "13800138000", TZ: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ = r.st.LinkByPhone(ctx, "13800138000", 77, 77)
	r.api.Meet(fakeapi.User{ID: 77})
	r.enqueue(r.notice(m, "hi"))
	r.start()
	r.waitStatus(1, outbox.Sent, 5*time.Second)
}

func TestStaleRowsAreNeverSent(t *testing.T) {
	r := newRig(t, dispatch.Config{Rate: 1000})
	r.frozen(time.Date(2026, 11, 23, 12, 0, 0, 0, shanghai))
	m := r.members(1, "")[0]
	stale := r.notice(m, "the meeting starts in 2 hours")
	past := r.now.Add(-time.Minute)
	stale.ExpiresAt = &past
	r.enqueue(stale)
	r.start()
	if o := r.waitStatus(1, outbox.Stale, 5*time.Second); o.Reason != outbox.ReasonStale {
		t.Fatalf("stale row %+v", o)
	}
	if n := len(r.api.RequestsFor("sendMessage")); n != 0 {
		t.Fatalf("%d sends of a stale row", n)
	}
}

func TestOneMessagePerSecondPerChat(t *testing.T) {
	r := newRig(t, dispatch.Config{Rate: 1000, Workers: 4})
	m := r.members(1, "")[0]
	r.api.EnforceLimits(30, 1)
	for i := 0; i < 3; i++ {
		r.enqueue(r.notice(m, fmt.Sprintf("n%d", i)))
	}
	r.start()
	for i := 1; i <= 3; i++ {
		r.waitStatus(uint64(i), outbox.Sent, 10*time.Second)
	}
	if r.api.Count429() != 0 {
		t.Fatalf("%d 429s", r.api.Count429())
	}
	reqs := sendsTo(r.api, *m.ChatID)
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < 990*time.Millisecond {
			t.Fatalf("two messages to one chat %v apart", gap)
		}
	}
}

func TestBroadcastOf2000UnderTelegramLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("about 70 s at 30 messages per second")
	}
	r := newRig(t, dispatch.Config{Rate: 30, Workers: 4})
	r.api.EnforceLimits(30, 1)
	ms := r.members(2000, "Town/Village")
	b, err := r.st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.Everyone(), Text: "通知：明天上午九点体检", SendAt: time.Now()})
	if err != nil || b.Total != 2000 {
		t.Fatalf("broadcast %+v %v", b, err)
	}
	start := time.Now()
	r.start()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		c, _ := r.st.OutboxTally(ctx, store.OutboxQuery{BroadcastID: b.ID})
		if c.Status(outbox.Sent) == 2000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts after 3 min: %v", c)
		}
		time.Sleep(200 * time.Millisecond)
	}
	elapsed := time.Since(start)
	for _, m := range ms {
		if got := r.api.Messages(*m.ChatID); len(got) != 1 {
			t.Fatalf("member %d got %d messages", m.ID, len(got))
		}
	}
	if n := r.api.Count429(); n != 0 {
		t.Fatalf("%d 429s from the fake", n)
	}
	t.Logf("2000 messages in %v: %.1f/s", elapsed, 2000/elapsed.Seconds())
}

func TestShutdownReleasesWhatItHolds(t *testing.T) {
	r := newRig(t, dispatch.Config{Rate: 1000, Workers: 2})
	ms := r.members(10, "")
	r.api.SetLatency(300 * time.Millisecond)
	for _, m := range ms {
		r.enqueue(r.notice(m, "x"))
	}
	r.start()
	time.Sleep(150 * time.Millisecond)
	r.stop()
	c, _ := r.st.OutboxTally(ctx, store.OutboxQuery{})
	if c.Status(outbox.Sending) != 0 || c.Status(outbox.Pending)+c.Status(outbox.Sent) != 10 {
		t.Fatalf("after shutdown: %v (nothing may stay claimed)", c)
	}
	// Whatever went out is recorded as sent; the rest goes out next time.
	r.api.SetLatency(0)
	r.start()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _ = r.st.OutboxTally(ctx, store.OutboxQuery{})
		if c.Status(outbox.Sent) == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after restart: %v", c)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHealthyFailsWhenDueMessagesStall: a dispatcher that handles nothing
// while messages are due (here every send is paused) turns unhealthy after
// StallAfter; once they go out, it is healthy again.
func TestHealthyFailsWhenDueMessagesStall(t *testing.T) {
	sends := budget.New(budget.NewMemory(30, time.Millisecond, time.Minute), nil)
	r := newRig(t, dispatch.Config{Rate: 30, StallAfter: 300 * time.Millisecond})
	r.sends = sends
	ms := r.members(1, "")
	r.start()
	time.Sleep(400 * time.Millisecond)
	if err := r.d.Healthy(ctx); err != nil {
		t.Fatalf("idle with nothing due: %v", err)
	}
	sends.Pause(ctx, 1500*time.Millisecond)
	r.enqueue(r.notice(ms[0], "held up"))
	r.d.Wake()
	time.Sleep(700 * time.Millisecond)
	if err := r.d.Healthy(ctx); !errors.Is(err, dispatch.ErrStalled) {
		t.Fatalf("a message due and none handled for 700 ms (stall after 300 ms): %v", err)
	}
	r.waitStatus(1, outbox.Sent, 5*time.Second)
	if err := r.d.Healthy(ctx); err != nil {
		t.Fatalf("after the message went out: %v", err)
	}
}

// TestARefusedTokenHoldsEverythingAndFailsHealth: Telegram answers 401 (the
// token was revoked): no message fails or loses an attempt for it, nothing
// is sent during the pause, /healthz says why, and once the token works
// again every message goes out once.
func TestARefusedTokenHoldsEverythingAndFailsHealth(t *testing.T) {
	counted := budget.NewMetrics(nil)
	sends := budget.New(budget.NewMemory(1000, time.Millisecond, time.Minute), counted)
	r := newRig(t, dispatch.Config{Rate: 1000, Workers: 1, TokenPause: 600 * time.Millisecond})
	r.sends = sends
	ms := r.members(3, "")
	r.api.FailNext("sendMessage", 1, fakeapi.Failure{Status: 401, Description: "Unauthorized"})
	for _, m := range ms {
		r.enqueue(r.notice(m, "hello"))
	}
	r.start()
	deadline := time.Now().Add(5 * time.Second)
	for !errors.Is(r.d.Healthy(ctx), dispatch.ErrTokenRefused) {
		if time.Now().After(deadline) {
			t.Fatalf("healthy after a 401: %v", r.d.Healthy(ctx))
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Refused: the row waits with no attempt counted, and none failed.
	c, _ := r.st.OutboxTally(ctx, store.OutboxQuery{})
	if len(c[outbox.Failed]) != 0 {
		t.Fatalf("rows failed for a refused token: %v", c)
	}
	refused := r.api.RequestsFor("sendMessage")[0]
	if refused.Status != 401 {
		t.Fatalf("the first send answered %d", refused.Status)
	}
	// Operators read 429s as going too fast: a refused token is not one.
	if n := testutil.ToFloat64(counted.Pauses); n != 0 {
		t.Fatalf("a 401 counted as %v 429s", n)
	}
	for _, id := range []uint64{1, 2, 3} {
		o := r.waitStatus(id, outbox.Sent, 5*time.Second)
		if o.Attempts != 0 {
			t.Fatalf("row %d counts %d failed attempts", id, o.Attempts)
		}
	}
	reqs := r.api.RequestsFor("sendMessage")
	if len(reqs) != 4 {
		t.Fatalf("%d sends, want the refused one and one for each message", len(reqs))
	}
	if gap := reqs[1].At.Sub(refused.At); gap < 600*time.Millisecond-50*time.Millisecond {
		t.Fatalf("a send %v after the 401, within the pause", gap)
	}
	for _, m := range ms {
		if got := r.api.Messages(*m.ChatID); len(got) != 1 {
			t.Fatalf("chat %d got %d messages", *m.ChatID, len(got))
		}
	}
	// Healthy again two pauses (1.2 s) after the 401.
	deadline = time.Now().Add(5 * time.Second)
	for r.d.Healthy(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("still unhealthy %v after the 401: %v", time.Since(refused.At), r.d.Healthy(ctx))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
