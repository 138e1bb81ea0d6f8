package dispatch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/smsprovider"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// withSMS gives the rig's dispatcher SMS through the real Tencent SDK to a
// fake gateway, the broadcast template set, and the store routing members
// without Telegram to SMS.
func (r *rig) withSMS(tb testing.TB) *fakesms.Gateway {
	tb.Helper()
	g, err := fakesms.Start("AKIDbench")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { g.Close() })
	p, err := smsprovider.New(smsprovider.Config{Provider: smsprovider.Tencent, Endpoint: g.URL(), KeyID: "AKIDbench",
		KeySecret: "secret", AppID: "1400000000", Sign: "计生协会", CallbackKey: "bench-callback-key-01"})
	if err != nil {
		tb.Fatal(err)
	}
	r.cfg.SMS = dispatch.SMSConfig{Channel: smsprovider.NewChannel(p)}
	r.st.SMSOn(true)
	if err := r.st.SetSMSTemplate(ctx, "broadcast", "", "1400001", ""); err != nil {
		tb.Fatal(err)
	}
	return g
}

// smsMembers adds n members without Telegram, with phones.
func (r *rig) smsMembers(n int, branch string) {
	r.t.Helper()
	for i := range n {
		r.seq++
		if _, err := r.st.AddMember(ctx, store.NewMember{Name: fmt.Sprintf("S%d", i), Phone: fmt.Sprintf("+861370%07d", r.seq), Branch: branch}); err != nil {
			r.t.Fatal(err)
		}
	}
}

// BenchmarkSMSThroughGateway sends a notice to 5,000 members without
// Telegram (ASSOCBOT_BENCH_N) by SMS, through the real SDK (signing each
// request) to the fake gateway answering at once, no cap: the SMS a second
// the dispatcher hands a provider.
func BenchmarkSMSThroughGateway(b *testing.B) {
	n := benchN(5000)
	for _, workers := range []int{4, 16} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r := newRig(b, dispatch.Config{Rate: 100000, Workers: workers})
				g := r.withSMS(b)
				r.smsMembers(n, "Town")
				if _, err := r.st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.Everyone(), Text: "短信基准", SendAt: time.Now()}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				r.start()
				for g.Requests() < n {
					time.Sleep(2 * time.Millisecond)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				r.stop()
				if len(g.Sent()) != n {
					b.Fatalf("%d SMS, want %d", len(g.Sent()), n)
				}
				b.ReportMetric(float64(n)/elapsed.Seconds(), "sms/s")
			}
		})
	}
}

// BenchmarkTelegramLimitWithSMSBeside sends a notice to 900 members on
// Telegram (ASSOCBOT_BENCH_N) at the Telegram limit (30/s overall, 1/s a
// chat, enforced by the fake) alone, and again with as many members by
// SMS in the same notice: the Telegram rate over 30 (goal ≥ 0.97 both
// times) and the 429s (goal 0). About a minute.
func BenchmarkTelegramLimitWithSMSBeside(b *testing.B) {
	n := benchN(900)
	for _, beside := range []int{0, n} {
		b.Run(fmt.Sprintf("sms=%d", beside), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r := newRig(b, dispatch.Config{Rate: 30, Workers: 4})
				g := r.withSMS(b)
				r.api.EnforceLimits(30, 1)
				r.members(n, "Town")
				r.smsMembers(beside, "Town")
				if _, err := r.st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.Everyone(), Text: "benchmark notice", SendAt: time.Now()}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				r.start()
				for r.api.Delivered() < n {
					time.Sleep(2 * time.Millisecond)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				for len(g.Sent()) < beside {
					time.Sleep(2 * time.Millisecond)
				}
				r.stop()
				rate := float64(n) / elapsed.Seconds()
				b.ReportMetric(rate, "tg_msgs/s")
				b.ReportMetric(rate/30, "of-limit")
				b.ReportMetric(float64(r.api.Count429()), "429s")
			}
		})
	}
}
