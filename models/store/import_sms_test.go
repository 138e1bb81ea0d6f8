package store_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestImportTakesTheChannel: the channel and the consent to health
// reminders by SMS come from their columns, in Chinese too; a wrong value
// is a problem of its row and nothing is imported; an existing member's
// are changed; a column left empty keeps them.
func TestImportTakesTheChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		opt := store.ImportOptions{Scope: models.Scope{Admin: true}, Location: time.UTC, Now: time.Now()}
		imp := func(file string) *roster.Report {
			t.Helper()
			rows, problems, err := roster.Parse(strings.NewReader(file), roster.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			rep, err := st.ImportRoster(ctx, rows, problems, opt)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		rep := imp("姓名,手机,分会,接收方式,健康提醒短信\n赵大爷,13800000005,东城镇/李家村,短信,是\n王芳,13800000002,东城镇/李家村,sms,maybe\n")
		if rep.Applied() || len(rep.Problems) != 1 || rep.Problems[0].Reason != roster.BadYesNo {
			t.Fatalf("a bad consent: %+v", rep)
		}
		if n, _ := st.CountForTest(ctx, "members"); n != 0 {
			t.Fatalf("%d members after a refused import", n)
		}
		if rep := imp("name,phone,branch,channel,sms_health\nZhao,13800000005,Town,fax,\n"); rep.Applied() || rep.Problems[0].Reason != roster.UnknownChannel {
			t.Fatalf("a bad channel: %+v", rep)
		}
		if rep := imp("姓名,手机,分会,接收方式,健康提醒短信\n赵大爷,13800000005,东城镇/李家村,短信,是\n王芳,13800000002,东城镇/李家村,,\n"); !rep.Applied() {
			t.Fatalf("%+v", rep)
		}
		zhao, _ := st.MemberByPhone(ctx, "13800000005")
		wang, _ := st.MemberByPhone(ctx, "13800000002")
		if zhao.Channel != models.ChannelSMS || !zhao.SMSHealth || wang.Channel != models.ChannelAuto || wang.SMSHealth {
			t.Fatalf("zhao %s %v, wang %s %v", zhao.Channel, zhao.SMSHealth, wang.Channel, wang.SMSHealth)
		}
		// Changed by a later file; kept where it says nothing.
		if rep := imp("name,phone,channel,sms_health\n赵大爷,13800000005,telegram,no\n王芳,13800000002,,\n"); !rep.Applied() {
			t.Fatalf("%+v", rep)
		}
		zhao, _ = st.MemberByPhone(ctx, "13800000005")
		wang, _ = st.MemberByPhone(ctx, "13800000002")
		if zhao.Channel != models.ChannelTelegram || zhao.SMSHealth || wang.Channel != models.ChannelAuto {
			t.Fatalf("after the second file: zhao %s %v, wang %s", zhao.Channel, zhao.SMSHealth, wang.Channel)
		}
	})
}

// TestTakeSMSNeverPassesTheCap: SMS taken at once from many goroutines
// (replicas' workers) stop exactly at the cap; urgent ones pass it and
// are counted.
func TestTakeSMSNeverPassesTheCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var wg sync.WaitGroup
		var ok atomic.Int64
		for range 20 {
			wg.Go(func() {
				if _, took, err := st.TakeSMS(ctx, "2026-12", 10, false); err != nil {
					t.Error(err)
				} else if took {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 10 {
			t.Fatalf("%d taken under a cap of 10", ok.Load())
		}
		if used, took, err := st.TakeSMS(ctx, "2026-12", 10, true); err != nil || !took || used != 11 {
			t.Fatalf("urgent: %d %v %v", used, took, err)
		}
		if used, _ := st.SMSUsed(ctx, "2027-01"); used != 0 {
			t.Fatalf("a new month starts at %d", used)
		}
	})
}

// TestAnEarlyDeliveryReportWaitsForItsSend: a provider's report can come
// before the dispatcher records the send (its commit is slower than the
// provider): it is kept and applied when the send is recorded; a repeat
// changes nothing.
func TestAnEarlyDeliveryReportWaitsForItsSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		st.SMSOn(true)
		m := mustAdd(t, st, store.NewMember{Name: "赵大爷", Phone: "13800000005", Branch: "Town"})
		b, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.BranchAudience("Town"), Text: "停水", SendAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		claimed, err := st.ClaimOutbox(ctx, "me", time.Now(), time.Minute, 10)
		if err != nil || len(claimed) != 1 || claimed[0].Channel != outbox.BySMS {
			t.Fatalf("claimed %+v %v", claimed, err)
		}
		if n, err := st.RecordDelivery(ctx, "2433:1", true, time.Now()); err != nil || n != 0 {
			t.Fatalf("early report: %d %v", n, err)
		}
		if _, err := st.FinishOutbox(ctx, "me", []store.Finished{{ID: claimed[0].ID, Outcome: store.Outcome{Status: outbox.Sent,
			Channel: outbox.BySMS, ProviderMessageID: "2433:1", At: time.Now()}}}); err != nil {
			t.Fatal(err)
		}
		rows, _ := st.Outbox(ctx, store.OutboxQuery{BroadcastID: b.ID, MemberID: m.ID})
		if len(rows) != 1 || rows[0].Delivery != outbox.DeliveryDelivered || rows[0].DeliveredAt == nil {
			t.Fatalf("after the send was recorded: %+v", rows)
		}
		if n, _ := st.CountForTest(ctx, "sms_reports"); n != 0 {
			t.Fatalf("%d reports kept after they were applied", n)
		}
		if n, err := st.RecordDelivery(ctx, "2433:1", false, time.Now()); err != nil || n != 0 {
			t.Fatalf("a repeat: %d %v", n, err)
		}
		if n, _ := st.CountForTest(ctx, "sms_reports"); n != 0 {
			t.Fatal("a repeat of a report applied was kept")
		}
	})
}
