package bot_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler"
)

// checkRig is a branch with an organizer and members in three languages,
// the real bot and dispatcher, and the plan jobs run at chosen moments.
type checkRig struct {
	t       *testing.T
	h       *bottest.Harness
	org     fakeapi.User
	members map[string]fakeapi.User // by language
}

func newCheckRig(t *testing.T) *checkRig {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	c := &checkRig{t: t, h: h, members: map[string]fakeapi.User{}}
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	c.org = fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", c.org)
	for i, l := range []string{"en", "zh-Hant", "zh-Hans"} {
		phone := fmt.Sprintf("1380000000%d", i)
		h.Add(store.NewMember{Name: "M-" + l, Phone: phone, Branch: "Town/Village", Lang: l})
		u := fakeapi.User{ID: int64(901 + i), FirstName: "M", LanguageCode: strings.ToLower(l)}
		h.Link(phone, u)
		c.members[l] = u
	}
	return c
}

// at moves the clock to t, runs the reminder job and waits until the
// dispatcher has sent what it enqueued.
func (c *checkRig) at(t time.Time) scheduler.Counts {
	c.t.Helper()
	c.h.SetNow(t)
	counts, err := scheduler.PlanReminders{Store: c.h.St, Location: bottest.Shanghai}.Run(ctx, t)
	if err != nil {
		c.t.Fatal(err)
	}
	// The reminders are out before the test goes on: a reply it waits for
	// next is the reply, not a reminder the dispatcher was still sending.
	settleOutbox(c.t, c.h)
	return counts
}

func (c *checkRig) assign(kind string, a models.Audience, due time.Time) {
	c.t.Helper()
	k, err := c.h.St.PlanKindByKey(ctx, kind)
	if err != nil {
		c.t.Fatal(err)
	}
	d := models.DayOf(due, bottest.Shanghai)
	if _, err := c.h.St.AssignPlans(ctx, k, a, &d, nil, bottest.Shanghai, c.h.Clock()); err != nil {
		c.t.Fatal(err)
	}
}

func (c *checkRig) plan(u fakeapi.User, kind string) models.Plan {
	c.t.Helper()
	m, _ := c.h.St.MemberByTelegramID(ctx, u.ID)
	ps, _ := c.h.St.PlansOf(ctx, m.ID)
	for _, p := range ps {
		if p.Kind.Key == kind {
			return p
		}
	}
	c.t.Fatalf("%d has no %s plan", u.ID, kind)
	return models.Plan{}
}

// reminders lists the reminder rows of a plan.
func (c *checkRig) reminders(planID uint) []outbox.Row {
	rows, _ := c.h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindCheckReminder})
	var out []outbox.Row
	for _, r := range rows {
		if r.PlanID != nil && *r.PlanID == planID {
			out = append(out, r)
		}
	}
	return out
}

func day(y int, m time.Month, d, hh int) time.Time {
	return time.Date(y, m, d, hh, 0, 0, 0, bottest.Shanghai)
}

// date is a calendar date as plans keep it.
func date(y int, m time.Month, d int) models.Day { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestCheckCycleInEachLanguage: seven days before, on the day, three and
// seven days overdue, each in the member's language with ✅ Done and ⏰;
// then the branch's organizer gets one message listing the newly overdue.
func TestCheckCycleInEachLanguage(t *testing.T) {
	c := newCheckRig(t)
	c.assign("quarterly_check", models.BranchAudience("Town/Village"), day(2026, 12, 10, 0))
	want := map[string][]string{
		"en":      {"🩺 Reminder: Quarterly check-up is due on Thu 10 Dec.", "🩺 Today: Quarterly check-up is due (Thu 10 Dec).", "🩺 Quarterly check-up was due on Thu 10 Dec.", "🩺 Quarterly check-up was due on Thu 10 Dec."},
		"zh-Hant": {"🩺 提醒：季度孕檢（三查）將在12月10日（週四）到期。", "🩺 今天到期：季度孕檢（三查），12月10日（週四）。", "🩺 季度孕檢（三查）已於12月10日（週四）到期", "🩺 季度孕檢（三查）已於12月10日（週四）到期"},
		"zh-Hans": {"🩺 提醒：季度孕检（三查）将在12月10日（周四）到期。", "🩺 今天到期：季度孕检（三查），12月10日（周四）。", "🩺 季度孕检（三查）已于12月10日（周四）到期", "🩺 季度孕检（三查）已于12月10日（周四）到期"},
	}
	buttons := map[string][]string{"en": {"✅ Done", "⏰ Remind me tomorrow"}, "zh-Hant": {"✅ 已完成", "⏰ 明天再提醒我"}, "zh-Hans": {"✅ 已完成", "⏰ 明天再提醒我"}}
	// Before the first reminder: nothing due.
	if n := c.at(day(2026, 12, 3, 8))["enqueued"]; n != 0 {
		t.Fatalf("%d reminders before 09:00 seven days ahead", n)
	}
	for i, at := range []time.Time{day(2026, 12, 3, 9), day(2026, 12, 10, 9), day(2026, 12, 13, 9), day(2026, 12, 17, 9)} {
		if n := c.at(at)["enqueued"]; n != 3 {
			t.Fatalf("step %d: %d reminders, want 3", i, n)
		}
		for l, u := range c.members {
			msg := c.h.Nth(u.ID, i+1)
			if !strings.HasPrefix(msg.Text, want[l][i]) || !reflect.DeepEqual(bottest.InlineTexts(msg), buttons[l]) {
				t.Fatalf("%s step %d: %q %v", l, i, msg.Text, bottest.InlineTexts(msg))
			}
		}
		// Running again at the same moment sends nothing more.
		if n := c.at(at)["enqueued"]; n != 0 {
			t.Fatalf("step %d again: %d", i, n)
		}
	}
	if p := c.plan(c.members["en"], "quarterly_check"); !p.Overdue() || p.NextRemindAt != nil {
		t.Fatalf("after the last follow-up: %+v", p)
	}
	// The next day's digest: one message for the organizer, listing all three.
	c.h.SetNow(day(2026, 12, 18, 10))
	counts, err := scheduler.OverdueDigest{Store: c.h.St, Location: bottest.Shanghai}.Run(ctx, c.h.Clock())
	if err != nil || counts["digests"] != 1 || counts["overdue"] != 3 {
		t.Fatalf("digest %v %v", counts, err)
	}
	digest := c.h.Nth(c.org.ID, 1)
	if !strings.HasPrefix(digest.Text, "⚠️ Newly overdue (3):") || strings.Count(digest.Text, "Quarterly check-up (due Thu 10 Dec)") != 3 ||
		len(digest.Inline) != 3 {
		t.Fatalf("digest %q %v", digest.Text, bottest.InlineTexts(digest))
	}
	// Once told, not again.
	if counts, _ := (scheduler.OverdueDigest{Store: c.h.St, Location: bottest.Shanghai}).Run(ctx, c.h.Clock()); counts["digests"] != 0 {
		t.Fatalf("second digest %v", counts)
	}
	// The organizer records one from the digest: that member's cycle moves on.
	h := c.h
	h.Press(c.org, digest, "✅ M-en")
	p := c.plan(c.members["en"], "quarterly_check")
	if p.Overdue() || p.Cycle != 1 || p.LastDone == nil || !p.NextDue.Equal(date(2027, 3, 18)) {
		t.Fatalf("recorded plan %+v", p)
	}
	if got := h.Nth(c.members["en"].ID, 5); !strings.HasPrefix(got.Text, "✅ Quarterly check-up: done on Fri 18 Dec, confirmed. Next due: Thu 18 Mar 2027.") {
		t.Fatalf("member told %q", got.Text)
	}
}

// TestDonePhotoApprovalAdvancesAndStopsTheCycle: ✅ Done, a certificate's
// photo to the branch's organizer, approval: the due date moves on by the
// interval from the day done, and nothing more of that cycle is sent.
func TestDonePhotoApprovalAdvancesAndStopsTheCycle(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	u := c.members["zh-Hans"]
	c.assign("away_certificate", models.MembersAudience(c.plan0(u)), day(2026, 12, 10, 0))
	c.at(day(2026, 12, 3, 9))
	rem := h.Nth(u.ID, 1)
	if !bottest.Contains(bottest.InlineTexts(rem), "📷 发送证明") {
		t.Fatalf("certificate kinds offer a photo: %v", bottest.InlineTexts(rem))
	}
	h.SetNow(day(2026, 12, 4, 15))
	h.Press(u, rem, "✅ 已完成")
	if got := h.Nth(u.ID, 2); got.Text != h.T(locales.ZhHans, "checks.done.above", "Branch", "Town") {
		t.Fatalf("after done: %q", got.Text)
	}
	h.API.SendPhoto(u, []byte("a certificate's jpeg"), "")
	if got := h.Nth(u.ID, 3); got.Text != h.T(locales.ZhHans, "checks.photo_received") {
		t.Fatalf("after the photo: %q", got.Text)
	}
	// The organizer gets the report, then the photo, each with Approve/Reject.
	h.WaitFor("the photo to the organizer", func() bool {
		for _, m := range h.API.Messages(c.org.ID) {
			if m.Photo != nil {
				return true
			}
		}
		return false
	})
	var photo fakeapi.Message
	for _, m := range h.API.Messages(c.org.ID) {
		if m.Photo != nil {
			photo = m
		}
	}
	if !strings.Contains(photo.Text, "sent a certificate for Quarterly check certificate (working away)") || string(photo.Photo.Data) != "a certificate's jpeg" {
		t.Fatalf("organizer's photo %+v", photo)
	}
	h.Press(c.org, photo, "✅ Approve")
	p := c.plan(u, "away_certificate")
	if p.State != models.PlanOpen || p.Cycle != 1 || !p.NextDue.Equal(date(2027, 3, 4)) {
		t.Fatalf("approved plan %+v", p)
	}
	if got := h.Nth(u.ID, 4); !strings.HasPrefix(got.Text, "✅ 外出人员季度查验证明：12月4日（周五）已完成，已确认。下次到期：2027年3月4日（周四）。") {
		t.Fatalf("member told %q", got.Text)
	}
	recs, _ := h.St.CheckRecords(ctx, p.ID)
	if len(recs) != 1 || recs[0].Status != models.CheckApproved || recs[0].PhotoFileID == "" {
		t.Fatalf("records %+v", recs)
	}
	// Nothing more of the first cycle: the due day, +3, +7 pass quietly.
	for _, at := range []time.Time{day(2026, 12, 10, 9), day(2026, 12, 13, 9), day(2026, 12, 17, 9)} {
		c.at(at)
	}
	if rs := c.reminders(p.ID); len(rs) != 1 {
		t.Fatalf("%d reminders of the plan, want only the first", len(rs))
	}
	// The organizer's message says so, without its buttons; a second
	// approval of the same report (another organizer, an old button)
	// changes nothing.
	h.WaitFor("the decided message", func() bool {
		m := h.Message(c.org.ID, photo.ID)
		return len(m.Inline) == 0 && strings.HasSuffix(m.Text, "✅ Confirmed: M-zh-Hans — Quarterly check certificate (working away)")
	})
	if ans := h.CallbackAnswer(h.API.SendCallback(c.org, c.org.ID, photo.ID, photo.Inline[0][0].CallbackData)); ans != h.T(locales.En, "checks.already_decided") {
		t.Fatalf("second approval %q", ans)
	}
}

// plan0 is the member id of u (for a members audience).
func (c *checkRig) plan0(u fakeapi.User) uint {
	m, _ := c.h.St.MemberByTelegramID(ctx, u.ID)
	return m.ID
}

// TestSnoozeAndRejection: ⏰ moves that one reminder to 09:00 the next day;
// a rejection gives the member the organizer's words and keeps the plan
// open, its reminders going on.
func TestSnoozeAndRejection(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	u := c.members["en"]
	c.assign("quarterly_check", models.MembersAudience(c.plan0(u)), day(2026, 12, 10, 0))
	c.at(day(2026, 12, 10, 9))
	due := h.Nth(u.ID, 1)
	if ans := h.Press(u, due, "⏰ Remind me tomorrow"); ans != h.T(locales.En, "checks.snoozed") {
		t.Fatalf("snooze %q", ans)
	}
	if n := c.at(day(2026, 12, 11, 8))["enqueued"]; n != 0 {
		t.Fatalf("%d before the snooze is due", n)
	}
	if n := c.at(day(2026, 12, 11, 9))["enqueued"]; n != 1 {
		t.Fatalf("the snoozed reminder: %d", n)
	}
	if got := h.Nth(u.ID, 2); !strings.HasPrefix(got.Text, "🩺 Quarterly check-up was due on Thu 10 Dec.") {
		t.Fatalf("snoozed reminder %q", got.Text)
	}
	// Done, rejected with the organizer's words.
	h.SetNow(day(2026, 12, 11, 10))
	h.Press(u, h.Nth(u.ID, 2), "✅ Done")
	report := h.Nth(c.org.ID, 1)
	if !strings.HasPrefix(report.Text, "🩺 M-en (Town/Village) says Quarterly check-up was done on Fri 11 Dec. Please confirm.") {
		t.Fatalf("report %q", report.Text)
	}
	h.Press(c.org, report, "❌ Reject")
	if ask := h.Nth(c.org.ID, 2); ask.Text != h.T(locales.En, "checks.ask_reason", "Name", "M-en") {
		t.Fatalf("ask %q", ask.Text)
	}
	h.Say(c.org, "The certificate is from last year.")
	got := h.Nth(u.ID, 4) // reminder, snoozed reminder, thanks, rejection
	if !strings.HasPrefix(got.Text, "❌ Quarterly check-up was not confirmed by Org: The certificate is from last year.") {
		t.Fatalf("rejection %q", got.Text)
	}
	p := c.plan(u, "quarterly_check")
	if p.State != models.PlanOpen || p.Cycle != 0 || p.NextRemindAt == nil {
		t.Fatalf("rejected plan %+v", p)
	}
	// Its reminders go on: +3 days.
	if n := c.at(day(2026, 12, 13, 9))["enqueued"]; n != 1 {
		t.Fatalf("after the rejection: %d", n)
	}
}

// TestPlansAreNotOthersToSeeOrClose: a plain member, a member of another
// branch and an organizer of another branch can neither see nor close
// someone's plan; forged data changes no row.
func TestPlansAreNotOthersToSeeOrClose(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	owner := c.members["en"]
	c.assign("quarterly_check", models.MembersAudience(c.plan0(owner)), day(2026, 12, 10, 0))
	h.Add(store.NewMember{Name: "Other org", Phone: "13900000009", Branch: "Elsewhere", Role: models.RoleOrganizer, Lang: "en"})
	otherOrg := fakeapi.User{ID: 990, FirstName: "O", LanguageCode: "en"}
	h.Link("13900000009", otherOrg)
	h.Add(store.NewMember{Name: "Stranger to it", Phone: "13900000008", Branch: "Elsewhere", Lang: "en"})
	other := fakeapi.User{ID: 991, FirstName: "S", LanguageCode: "en"}
	h.Link("13900000008", other)
	p := c.plan(owner, "quarterly_check")
	// The owner reports it done, so that there is a report to decide on.
	h.SetNow(day(2026, 12, 4, 10))
	h.CallbackAnswer(h.API.SendCallback(owner, owner.ID, 0, fmt.Sprintf("pd:%d:0", p.ID)))
	recs, _ := h.St.CheckRecords(ctx, p.ID)
	// What must not change: plans, records, and which messages exist (the
	// dispatcher may be sending meanwhile).
	rows := map[string]string{
		"plans":   "SELECT id, state, cycle, slot, next_due, last_done, snooze_at, overdue_since FROM plans ORDER BY id",
		"records": "SELECT id, status, note, photo_file_id FROM check_records ORDER BY id",
		"outbox":  "SELECT dedupe_key FROM outboxes ORDER BY id",
	}
	before := dump(t, h, rows)
	for _, try := range []struct {
		who  fakeapi.User
		data string
		want string
	}{
		{c.members["zh-Hans"], fmt.Sprintf("pd:%d:0", p.ID), h.T(locales.ZhHans, "checks.not_yours")},
		{other, fmt.Sprintf("pz:%d:0", p.ID), h.T(locales.En, "checks.not_yours")},
		{other, fmt.Sprintf("pa:%d", recs[0].ID), h.T(locales.En, "auth.organizers_only_action")},
		{otherOrg, fmt.Sprintf("pa:%d", recs[0].ID), h.T(locales.En, "auth.not_your_branch")},
		{otherOrg, fmt.Sprintf("pr:%d", recs[0].ID), h.T(locales.En, "auth.not_your_branch")},
		{otherOrg, fmt.Sprintf("po:%d:0", p.ID), h.T(locales.En, "auth.not_your_branch")},
		{owner, fmt.Sprintf("pd:%d:7", p.ID), h.T(locales.En, "callback.stale")},
		{owner, fmt.Sprintf("pa:%d", recs[0].ID), h.T(locales.En, "auth.organizers_only_action")},
	} {
		if ans := h.CallbackAnswer(h.API.SendCallback(try.who, try.who.ID, 0, try.data)); ans != try.want {
			t.Errorf("%d %s: %q, want %q", try.who.ID, try.data, ans, try.want)
		}
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused actions changed rows:\n%v\n%v", before, after)
	}
	if got := h.Say(otherOrg, "/overdue"); got.Text != h.T(locales.En, "overdue.none") {
		t.Fatalf("another branch's organizer sees %q", got.Text)
	}
	if got := h.Say(other, "/checks"); got.Text != h.T(locales.En, "checks.none") {
		t.Fatalf("another member sees %q", got.Text)
	}
}

// TestFiftyOverdueOneMessagePerOrganizer: fifty members going overdue on
// one day give each organizer of their branch one message listing them.
func TestFiftyOverdueOneMessagePerOrganizer(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	orgs := []fakeapi.User{{ID: 900, FirstName: "A", LanguageCode: "en"}, {ID: 901, FirstName: "B", LanguageCode: "zh-hans"}}
	h.Add(store.NewMember{Name: "Org A", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	h.Link("13900000000", orgs[0])
	h.Add(store.NewMember{Name: "Org B", Phone: "13900000001", Branch: "Town", Role: models.RoleOrganizer})
	h.Link("13900000001", orgs[1])
	for i := 0; i < 50; i++ {
		phone := fmt.Sprintf("138%08d", i)
		h.Add(store.NewMember{Name: fmt.Sprintf("M%02d", i), Phone: phone, Branch: "Town/Village"})
	}
	k, _ := h.St.PlanKindByKey(ctx, "annual_check")
	d := date(2026, 12, 1)
	if res, err := h.St.AssignPlans(ctx, k, models.BranchAudience("Town/Village"), &d, nil, bottest.Shanghai, h.Clock()); err != nil || res.Created != 50 {
		t.Fatalf("assign %+v %v", res, err)
	}
	if _, err := (scheduler.PlanReminders{Store: h.St, Location: bottest.Shanghai}).Run(ctx, day(2026, 12, 8, 9)); err != nil {
		t.Fatal(err)
	}
	h.SetNow(day(2026, 12, 9, 10))
	counts, err := scheduler.OverdueDigest{Store: h.St, Location: bottest.Shanghai}.Run(ctx, h.Clock())
	if err != nil || counts["overdue"] != 50 || counts["digests"] != 2 {
		t.Fatalf("digest %v %v", counts, err)
	}
	for _, o := range orgs {
		m, _ := h.St.MemberByTelegramID(ctx, o.ID)
		rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindCheckOverdue, MemberID: m.ID})
		if len(rows) != 1 {
			t.Fatalf("organizer %d has %d digests", o.ID, len(rows))
		}
		msg := h.Nth(o.ID, 1)
		// Twenty-five names fit one message; the rest are counted and
		// /overdue lists them all.
		if n := strings.Count(msg.Text, "\n•"); n != 26 || len(msg.Inline) != 20 || !strings.Contains(msg.Text, "25") || !strings.Contains(msg.Text, "/overdue") {
			t.Fatalf("organizer %d's digest lists %d with %d buttons:\n%s", o.ID, n, len(msg.Inline), msg.Text)
		}
	}
}

// TestDutiesWeeklyAndQuarterlyActivity: the weekly report reminds its
// organizer each Thursday and Friday until done (a missed week is recorded
// and the next comes); overdue duties go to the admins; the quarterly
// activity duty closes by itself after an activity of the branch with a
// check-in.
func TestDutiesWeeklyAndQuarterlyActivity(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying), bottest.WithAdmins(1))
	admin := fakeapi.User{ID: 1, FirstName: "Root", LanguageCode: "en"}
	h.Say(admin, "/start") // a configured admin becomes one by writing
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town/Village", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "M", Phone: "13800000001", Branch: "Town/Village"})
	for _, key := range []string{"weekly_report", "quarterly_activity"} {
		k, _ := h.St.PlanKindByKey(ctx, key)
		if res, err := h.St.AssignPlans(ctx, k, models.BranchAudience("Town"), nil, nil, bottest.Shanghai, h.Clock()); err != nil || res.Created != 1 {
			t.Fatalf("assign %s: %+v %v", key, res, err)
		}
	}
	jobs := scheduler.PlanReminders{Store: h.St, Location: bottest.Shanghai}
	run := func(at time.Time) int {
		h.SetNow(at)
		c, err := jobs.Run(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return c["enqueued"]
	}
	// Harness day: Monday 23 November. Thursday 26 and Friday 27 remind.
	if n := run(day(2026, 11, 25, 9)); n != 0 {
		t.Fatalf("Wednesday: %d", n)
	}
	if n := run(day(2026, 11, 26, 9)); n != 1 {
		t.Fatalf("Thursday: %d", n)
	}
	h.Nth(org.ID, 1)
	if got := h.Nth(org.ID, 1); !strings.HasPrefix(got.Text, "📋 Reminder: Weekly report is due on Fri 27 Nov.") {
		t.Fatalf("Thursday's reminder %q", got.Text)
	}
	if n := run(day(2026, 11, 27, 9)); n != 1 {
		t.Fatalf("Friday: %d", n)
	}
	h.Nth(org.ID, 2)
	// Not done: overdue, and the admins hear of it the next day.
	h.SetNow(day(2026, 11, 28, 10))
	if c, _ := (scheduler.OverdueDigest{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock()); c["digests"] != 1 {
		t.Fatalf("duty digest %v", c)
	}
	if got := h.Nth(admin.ID, 2); !strings.Contains(got.Text, "• Org — Weekly report (due Fri 27 Nov)") {
		t.Fatalf("admin's digest %q", got.Text)
	}
	// The next week reminds again, Thursday and Friday; the missed week is
	// on record. (The quarterly activity's first reminder, a month before
	// the quarter ends, came on Tuesday.)
	if n := run(day(2026, 12, 1, 9)); n != 1 {
		t.Fatalf("the activity's first reminder: %d", n)
	}
	h.Nth(org.ID, 3)
	if n := run(day(2026, 12, 3, 9)); n != 1 {
		t.Fatalf("next Thursday: %d", n)
	}
	weekly := c0(t, h, org, "weekly_report")
	recs, _ := h.St.CheckRecords(ctx, weekly.ID)
	if weekly.Cycle != 1 || !weekly.NextDue.Equal(date(2026, 12, 4)) || len(recs) != 1 || recs[0].Status != models.CheckMissed {
		t.Fatalf("rolled plan %+v, records %+v", weekly, recs)
	}
	// Done by the organizer's own tap, Thursday: Friday is quiet.
	thursday := h.Nth(org.ID, 4)
	if ans := h.Press(org, thursday, "✅ Done"); !strings.HasPrefix(ans, "✅ Weekly report done. Next due: Fri 11 Dec.") {
		t.Fatalf("duty done %q", ans)
	}
	if n := run(day(2026, 12, 4, 9)); n != 0 {
		t.Fatalf("Friday after done: %d", n)
	}
	// The quarterly activity closes by itself after an activity day of the
	// branch with a check-in.
	h.SetNow(day(2026, 12, 5, 9))
	e := &models.Event{Kind: models.EventActivityDay, Title: "Dance", StartAt: day(2026, 12, 6, 9), Audience: "branch:Town/Village", RSVP: true}
	if _, err := h.St.CreateEvent(ctx, e, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	m, _ := h.St.MemberByPhone(ctx, "13800000001")
	activities := scheduler.ActivityDuties{Store: h.St, Location: bottest.Shanghai}
	if c, _ := activities.Run(ctx, day(2026, 12, 6, 12)); c["closed"] != 0 {
		t.Fatalf("closed without a check-in: %v", c)
	}
	orgM, _ := h.St.MemberByTelegramID(ctx, org.ID)
	if err := h.St.SetCheckIn(ctx, e.ID, e.StartAt, m.ID, true, orgM, bottest.Shanghai, day(2026, 12, 6, 9)); err != nil {
		t.Fatal(err)
	}
	if c, _ := activities.Run(ctx, day(2026, 12, 6, 12)); c["closed"] != 1 {
		t.Fatalf("not closed after a check-in: %v", c)
	}
	activity := c0(t, h, org, "quarterly_activity")
	if activity.Cycle != 1 || activity.LastDone == nil || !activity.LastDone.Equal(date(2026, 12, 6)) ||
		!activity.NextDue.Equal(date(2027, 3, 31)) {
		t.Fatalf("activity duty %+v", activity)
	}
}

func c0(t *testing.T, h *bottest.Harness, u fakeapi.User, kind string) models.Plan {
	t.Helper()
	m, _ := h.St.MemberByTelegramID(ctx, u.ID)
	ps, _ := h.St.PlansOf(ctx, m.ID)
	for _, p := range ps {
		if p.Kind.Key == kind {
			return p
		}
	}
	t.Fatalf("no %s plan", kind)
	return models.Plan{}
}

// TestChecksStayPrivate: asked in a group, the list goes to the member's
// private chat and the group reads only that it did; a whole cycle logs no
// name, phone or kind.
func TestChecksStayPrivate(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	u := c.members["en"]
	c.assign("prepregnancy", models.MembersAudience(c.plan0(u)), day(2026, 12, 10, 0))
	const group = -100200300
	h.API.Inject([]byte(fmt.Sprintf(`{"message":{"message_id":5,"date":1,"from":{"id":%d,"is_bot":false,"first_name":"M","language_code":"en"},"chat":{"id":%d,"type":"supergroup","title":"Village"},"text":"/checks","entities":[{"type":"bot_command","offset":0,"length":7}]}}`, u.ID, group)))
	reply := h.Nth(group, 1)
	if reply.Text != h.T(locales.En, "checks.sent_private", "Bot", h.API.BotUser().Username) {
		t.Fatalf("group told %q", reply.Text)
	}
	if private := h.Nth(u.ID, 1); !strings.Contains(private.Text, "Pre-pregnancy health check") {
		t.Fatalf("private list %q", private.Text)
	}
	if n := len(h.API.Messages(group)); n != 1 {
		t.Fatalf("%d messages in the group", n)
	}
	// A whole cycle, then the logs.
	for i, at := range []time.Time{day(2026, 12, 3, 9), day(2026, 12, 10, 9)} {
		c.at(at)
		h.Nth(u.ID, 2+i)
	}
	h.Press(u, h.Nth(u.ID, 3), "✅ Done")
	h.API.SendPhoto(u, []byte("jpeg"), "")
	h.Nth(u.ID, 5)
	report := h.Nth(c.org.ID, 1)
	h.Press(c.org, report, "✅ Approve")
	h.Nth(u.ID, 6)
	logs := h.Logs.String()
	recs, _ := h.St.CheckRecords(ctx, c.plan(u, "prepregnancy").ID)
	for _, secret := range []string{"M-en", "13800000000", "+8613800000000", "prepregnancy", "Pre-pregnancy", "孕前", recs[0].PhotoFileID} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %q", secret)
		}
	}
}

// TestAssignInTheBot: an organizer assigns a check to a branch by buttons
// and to one member by phone; another branch is refused.
func TestAssignInTheBot(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	h.St.EnsureBranch(ctx, "Elsewhere")
	ask := h.Say(c.org, "/assign")
	h.Press(c.org, ask, "🩺 Annual health check")
	branches := h.Nth(c.org.ID, 2)
	if branches.Text != h.T(locales.En, "assign.ask_audience") || !bottest.Contains(bottest.InlineTexts(branches), "Town/Village") {
		t.Fatalf("branches %q %v", branches.Text, bottest.InlineTexts(branches))
	}
	h.Press(c.org, branches, "Town/Village")
	if got := h.Nth(c.org.ID, 3); got.Text != h.T(locales.En, "assign.done", "Kind", "Annual health check", "Created", 3, "Kept", 0) {
		t.Fatalf("assigned %q", got.Text)
	}
	if got := h.Say(c.org, "/assign prepregnancy 13800000001 2026-12-31"); got.Text != h.T(locales.En, "assign.done", "Kind", "Pre-pregnancy health check", "Created", 1, "Kept", 0) {
		t.Fatalf("one member %q", got.Text)
	}
	if p := c.plan(c.members["zh-Hant"], "prepregnancy"); !p.NextDue.Equal(date(2026, 12, 31)) {
		t.Fatalf("first due %v", p.NextDue)
	}
	plans, _ := h.St.AllPlans(ctx)
	if got := h.Say(c.org, "/assign annual_check branch:Elsewhere"); got.Text != h.T(locales.En, "auth.branch_not_yours") {
		t.Fatalf("another branch %q", got.Text)
	}
	if after, _ := h.St.AllPlans(ctx); len(after) != len(plans) {
		t.Fatalf("plans %d → %d", len(plans), len(after))
	}
}
