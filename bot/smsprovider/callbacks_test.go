package smsprovider_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/smsprovider"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

var ctx = context.Background()

const key = "test-callback-key-0001"

// inboxRig is a store with an event announced by SMS to a member, a member
// who left, and the callbacks of both providers.
type inboxRig struct {
	st           *store.Store
	dsn          string
	tencent, ali *httptest.Server
	event        *models.Event
	occ          time.Time
	member, left *models.Member
}

func newInboxRig(t testing.TB) *inboxRig {
	t.Helper()
	r := &inboxRig{}
	r.st, r.dsn = storetest.New(t)
	r.st.SMSOn(true)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	add := func(nm store.NewMember) *models.Member {
		m, err := r.st.AddMember(ctx, nm)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer})
	if _, err := r.st.LinkByPhone(ctx, "13800000001", 1, 1); err != nil {
		t.Fatal(err)
	}
	r.member = add(store.NewMember{Name: "赵大爷", Phone: "13800000005", Branch: "Town"})
	r.left = add(store.NewMember{Name: "钱", Phone: "13800000006", Branch: "Town"})
	r.occ = time.Date(2026, 12, 20, 9, 0, 0, 0, sh)
	r.event = &models.Event{Kind: models.EventMeeting, Title: "会员大会", StartAt: r.occ, Audience: "branch:Town", RSVP: true}
	if _, err := r.st.CreateEvent(ctx, r.event, sh, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The announcements went out by SMS.
	claimed, err := r.st.ClaimOutbox(ctx, "t", time.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var done []store.Finished
	for i, c := range claimed {
		done = append(done, store.Finished{ID: c.ID, Outcome: store.Outcome{Status: outbox.Sent, Channel: c.Channel,
			ProviderMessageID: "p" + string(rune('a'+i)), At: time.Now()}})
	}
	if _, err := r.st.FinishOutbox(ctx, "t", done); err != nil {
		t.Fatal(err)
	}
	if err := r.st.SetMemberStatus(ctx, r.left.ID, models.StatusLeft); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	for _, p := range []string{smsprovider.Tencent, smsprovider.Aliyun} {
		cb := &smsprovider.Callbacks{Provider: p, Key: key, Inbox: &smsprovider.Inbox{Store: r.st, Location: sh, Now: time.Now, Log: log}}
		mux := http.NewServeMux()
		for _, path := range cb.Paths() {
			mux.Handle(path, cb)
		}
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		if p == smsprovider.Tencent {
			r.tencent = srv
		} else {
			r.ali = srv
		}
	}
	return r
}

// state is every row a callback may change, for "nothing changed".
func (r *inboxRig) state(t testing.TB) string {
	t.Helper()
	var parts []string
	for _, q := range []string{
		"SELECT id, status, sms_stopped_at, sms_stop_reason FROM members ORDER BY id",
		"SELECT member_id, answer FROM rsvps ORDER BY member_id",
		"SELECT id, kind, member_id, delivery FROM outboxes ORDER BY id",
	} {
		s, err := storetest.Dump(ctx, r.dsn, q)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

func post(t testing.TB, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestForgedCallbacksChangeNothing: a callback without the key or with a
// wrong one, a body that is not the provider's, a reply from a number not
// on the roster (a stranger), and a digit from a member who left are
// refused or come to nothing, and no row changes.
func TestForgedCallbacksChangeNothing(t *testing.T) {
	r := newInboxRig(t)
	before := r.state(t)
	td := `{"mobile":"13800000005","nationcode":"86","text":"TD","time":1}`
	cases := []struct {
		name, url, body string
		status          int
	}{
		{"no key", r.tencent.URL + "/sms/tencent/reply", td, http.StatusUnauthorized},
		{"wrong key", r.tencent.URL + "/sms/tencent/reply?key=" + key + "x", td, http.StatusUnauthorized},
		{"key of another length", r.tencent.URL + "/sms/tencent/reply?key=k", td, http.StatusUnauthorized},
		{"other provider's path", r.tencent.URL + "/sms/aliyun/reply?key=" + key, td, http.StatusNotFound},
		{"not JSON", r.tencent.URL + "/sms/tencent/reply?key=" + key, "TD", http.StatusBadRequest},
		{"no mobile", r.tencent.URL + "/sms/tencent/reply?key=" + key, `{"text":"TD"}`, http.StatusBadRequest},
		{"a report without sid", r.tencent.URL + "/sms/tencent/status?key=" + key, `[{"report_status":"SUCCESS"}]`, http.StatusBadRequest},
		{"an unknown callback", r.tencent.URL + "/sms/tencent/other?key=" + key, `{}`, http.StatusNotFound},
		{"alibaba: no sequence", r.ali.URL + "/sms/aliyun/reply?key=" + key, `[{"phone_number":"13800000005","content":"TD"}]`, http.StatusBadRequest},
		{"stranger's TD", r.tencent.URL + "/sms/tencent/reply?key=" + key, `{"mobile":"13900000099","nationcode":"86","text":"TD","time":2}`, http.StatusOK},
		{"stranger's 1", r.ali.URL + "/sms/aliyun/reply?key=" + key, `[{"phone_number":"13900000099","content":"1","sequence_id":7}]`, http.StatusOK},
		{"left member's 1", r.tencent.URL + "/sms/tencent/reply?key=" + key, `{"mobile":"13800000006","nationcode":"86","text":"1","time":3}`, http.StatusOK},
		{"a report of no SMS of ours, again", r.tencent.URL + "/sms/tencent/status?key=" + key, `[]`, http.StatusOK},
	}
	for _, c := range cases {
		if got := post(t, c.url, c.body); got != c.status {
			t.Errorf("%s: %d, want %d", c.name, got, c.status)
		}
		if after := r.state(t); after != before {
			t.Fatalf("%s changed rows:\n%s\nwas\n%s", c.name, after, before)
		}
	}
}

// TestRepliesByEitherProvider: the same member's reply by Tencent's and
// Alibaba's callbacks answers the event, a repeat changes nothing, and an
// Alibaba delivery report is recorded.
func TestRepliesByEitherProvider(t *testing.T) {
	r := newInboxRig(t)
	if err := fakesms.Reply(http.DefaultClient, r.tencent.URL+"/sms/tencent/reply?key="+key, "+8613800000005", "３", time.Unix(100, 0)); err != nil {
		t.Fatal(err)
	}
	if a, _ := r.st.RSVPOf(ctx, r.event.ID, r.occ, r.member.ID); a == nil || a.Answer != models.AnswerMaybe {
		t.Fatalf("after ３: %+v", a)
	}
	if got := post(t, r.ali.URL+"/sms/aliyun/reply?key="+key, `[{"phone_number":"13800000005","content":"1","sequence_id":42,"send_time":"2026-12-04 10:00:00"}]`); got != 200 {
		t.Fatalf("alibaba reply: %d", got)
	}
	if a, _ := r.st.RSVPOf(ctx, r.event.ID, r.occ, r.member.ID); a.Answer != models.AnswerYes {
		t.Fatalf("after 1: %+v", a)
	}
	before := r.state(t)
	if got := post(t, r.ali.URL+"/sms/aliyun/reply?key="+key, `[{"phone_number":"13800000005","content":"2","sequence_id":42}]`); got != 200 {
		t.Fatalf("repeat: %d", got)
	}
	if after := r.state(t); after != before {
		t.Fatalf("a repeated callback changed rows")
	}
	acks, _ := r.st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSMSAck})
	if len(acks) != 2 {
		t.Fatalf("%d acks, want one per reply", len(acks))
	}
	// Alibaba's delivery report, on the SMS it names.
	rows, _ := r.st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventAnnounce, MemberID: r.member.ID})
	body := `[{"phone_number":"13800000005","success":false,"err_code":"MK:0001","biz_id":"` + rows[0].ProviderMessageID + `","report_time":"2026-12-04 10:00:05"}]`
	if got := post(t, r.ali.URL+"/sms/aliyun/status?key="+key, body); got != 200 {
		t.Fatalf("report: %d", got)
	}
	rows, _ = r.st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventAnnounce, MemberID: r.member.ID})
	if rows[0].Delivery != outbox.DeliveryFailed {
		t.Fatalf("after a failed report: %+v", rows[0])
	}
}

// FuzzCallbacks: any body to any callback is answered 200, 400 or 503,
// without a panic; what is refused (400) changes no row.
func FuzzCallbacks(f *testing.F) {
	for _, s := range []string{`{"mobile":"13800000005","nationcode":"86","text":"1","time":1}`, `[{"sid":"x","report_status":"SUCCESS"}]`,
		`[{"phone_number":"13800000005","content":"TD","sequence_id":1}]`, `[{"biz_id":"pa","success":true}]`, `null`, `[]`, `{"mobile":5}`} {
		f.Add(s, uint8(0))
	}
	r := newInboxRig(f)
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		urls := []string{r.tencent.URL + "/sms/tencent/reply", r.tencent.URL + "/sms/tencent/status", r.ali.URL + "/sms/aliyun/reply", r.ali.URL + "/sms/aliyun/status"}
		before := r.state(t)
		got := post(t, urls[int(which)%len(urls)]+"?key="+key, body)
		switch got {
		case http.StatusOK, http.StatusServiceUnavailable:
		case http.StatusBadRequest:
			if r.state(t) != before {
				t.Fatalf("a refused body changed rows: %q", body)
			}
		default:
			t.Fatalf("%q: %d", body, got)
		}
	})
}

// TestACheckDoneBySMSOnlyWhenAsked: a member who consented to health
// reminders by SMS reports a check done with "1"; one who did not (who got
// the neutral reminder, which asks nothing) answers with their "1" the
// question before it, the meeting's announcement, and the check does not
// move.
func TestACheckDoneBySMSOnlyWhenAsked(t *testing.T) {
	for _, consent := range []bool{true, false} {
		t.Run(map[bool]string{true: "consented", false: "not asked"}[consent], func(t *testing.T) {
			r := newInboxRig(t)
			if consent {
				yes := true
				if _, err := r.st.EditMember(ctx, r.member.ID, store.MemberChange{SMSHealth: &yes}); err != nil {
					t.Fatal(err)
				}
			}
			k, err := r.st.PlanKindByKey(ctx, "annual_check")
			if err != nil {
				t.Fatal(err)
			}
			due := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
			sh, _ := time.LoadLocation("Asia/Shanghai")
			if _, err := r.st.AssignPlans(ctx, k, models.MembersAudience(r.member.ID), &due, nil, sh, time.Now()); err != nil {
				t.Fatal(err)
			}
			plans, _ := r.st.PlansOf(ctx, r.member.ID)
			if _, err := r.st.Enqueue(ctx, planner.CheckReminder(&plans[0], k, "due", 0, time.Now())); err != nil {
				t.Fatal(err)
			}
			claimed, _ := r.st.ClaimOutbox(ctx, "t", time.Now().Add(time.Second), time.Minute, 10)
			if len(claimed) != 1 || claimed[0].Channel != outbox.BySMS {
				t.Fatalf("claimed %+v", claimed)
			}
			if _, err := r.st.FinishOutbox(ctx, "t", []store.Finished{{ID: claimed[0].ID, Outcome: store.Outcome{Status: outbox.Sent,
				Channel: outbox.BySMS, ProviderMessageID: "check-1", At: time.Now().Add(time.Second)}}}); err != nil {
				t.Fatal(err)
			}
			if err := fakesms.Reply(http.DefaultClient, r.tencent.URL+"/sms/tencent/reply?key="+key, "+8613800000005", "1", time.Unix(500, 0)); err != nil {
				t.Fatal(err)
			}
			p, _ := r.st.PlanByID(ctx, plans[0].ID)
			acks, _ := r.st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSMSAck})
			forwarded, _ := r.st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindInquiry})
			if consent && (p.State != models.PlanSubmitted || len(acks) != 1 || len(forwarded) != 0) {
				t.Fatalf("consented: plan %s, %d acks, %d forwarded", p.State, len(acks), len(forwarded))
			}
			rsvp, _ := r.st.RSVPOf(ctx, r.event.ID, r.occ, r.member.ID)
			if !consent && (p.State != models.PlanOpen || len(acks) != 1 || len(forwarded) != 0 || rsvp == nil || rsvp.Answer != models.AnswerYes) {
				t.Fatalf("not asked: plan %s, %d acks, %d forwarded, the meeting's answer %+v", p.State, len(acks), len(forwarded), rsvp)
			}
		})
	}
}
