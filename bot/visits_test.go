package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

// TestNewbornVisitReachesTheCentreHousehold, with a frozen clock: a birth
// recorded (by the organizer's 👶 on the member card) for a household whose
// centre household is on Telegram plans its two newborn visits; the day's
// list reaches the centre household — not the family — and says no more
// than "visit this family"; the centre household closes the first by a
// tap and adds what was given; the visit log export shows it; the second,
// not made in its window, is missed and told to the branch's organizer
// once, and /stats counts one of two. A member and an organizer of
// another branch cannot close a visit or see the family's facts; the
// refused taps change no row.
func TestNewbornVisitReachesTheCentreHousehold(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	people := map[string]fakeapi.User{}
	for i, p := range []struct {
		name, phone, branch string
		role                models.Role
	}{
		{"Org", "13900000000", "Town/East", models.RoleOrganizer},
		{"OrgW", "13900000001", "West", models.RoleOrganizer},
		{"Centre", "13800000001", "Town/East", ""},
		{"Wang", "13800000002", "Town/East", ""},
		{"Li", "13800000003", "Town/East", ""},
	} {
		u := fakeapi.User{ID: int64(900 + i), FirstName: p.name, LanguageCode: "en"}
		h.Add(store.NewMember{Name: p.name, Phone: p.phone, Branch: p.branch, Role: p.role, Lang: "en"})
		h.Link(p.phone, u)
		people[p.name] = u
	}
	org, centre, wang, li, other := people["Org"], people["Centre"], people["Wang"], people["Li"], people["OrgW"]
	wangM, centreM := memberOf(t, h, wang), memberOf(t, h, centre)
	if _, err := h.St.SetFamily(ctx, &models.Family{MemberID: wangM.ID, Household: "0012", CentreID: &centreM.ID}, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	// The organizer records the birth from Wang's card.
	card := h.Say(org, "/member 13800000002")
	if !strings.Contains(card.Text, "household 0012") || !strings.Contains(card.Text, "centre household: Centre") {
		t.Fatalf("the card: %q", card.Text)
	}
	if got := h.Press(org, card, en("member.button.birth_today")); got != en("member.family.saved", "Visits", 2) {
		t.Fatalf("👶: %q", got)
	}
	// Another branch's organizer sees no card and cannot record a birth.
	if got := h.Say(other, "/member 13800000002").Text; strings.Contains(got, "0012") {
		t.Fatalf("another branch's organizer sees the family: %q", got)
	}
	rows := func() string {
		s, err := storetest.Dump(ctx, h.DSN, "SELECT id, state, done_on, note, gave FROM visits ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := rows()
	if got := h.CallbackAnswer(h.API.SendCallback(other, other.ID, 0, models.Callback{Action: models.ActMemberCard, ID: wangM.ID, Op: "bt"}.Encode())); got != en("auth.not_your_branch") {
		t.Fatalf("a forged 👶 from another branch: %q", got)
	}
	// The day's lists: the centre household's names the family only.
	if _, err := (scheduler.Visits{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.Dispatcher.Wake()
	var list fakeapi.Message
	h.WaitFor("the centre household's list", func() bool {
		for _, m := range h.API.Messages(centre.ID) {
			if strings.HasPrefix(m.Text, "🏠") {
				list = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(list.Text, "Visit Wang's family (household 0012)") || strings.Contains(list.Text, "newborn") {
		t.Fatalf("the centre household's list: %q", list.Text)
	}
	for _, u := range []fakeapi.User{wang, li, org} {
		for _, m := range h.API.Messages(u.ID) {
			if strings.HasPrefix(m.Text, "🏠 Home visits") {
				t.Fatalf("%s got the list: %q", u.FirstName, m.Text)
			}
		}
	}
	// Refused, changing nothing: another member, another branch's organizer.
	visits, _ := h.St.Visits(ctx, store.VisitQuery{Assignee: centreM.ID})
	if len(visits) != 2 {
		t.Fatalf("visits %+v", visits)
	}
	done := models.Callback{Action: models.ActVisitDone, ID: visits[0].ID}.Encode()
	before = rows()
	for _, u := range []fakeapi.User{li, other, wang} {
		if got := h.CallbackAnswer(h.API.SendCallback(u, u.ID, 0, done)); got != en("visit.refused.not_yours") {
			t.Fatalf("%s closed the visit: %q", u.FirstName, got)
		}
	}
	if got := h.Say(li, "/visits").Text; got != en("visit.none") {
		t.Fatalf("another member's /visits: %q", got)
	}
	if after := rows(); after != before {
		t.Fatalf("refused taps changed visits:\n%s\nwas\n%s", after, before)
	}
	// The organizer's 🏠 key: the visits are the centre household's.
	if got := h.Say(org, en("menu.visits")).Text; got != en("visit.none") {
		t.Fatalf("the organizer's 🏠: %q", got)
	}
	// The centre household makes the visit, and says what was given.
	n := len(h.API.Messages(centre.ID))
	if got := h.Press(centre, list, "✅ Wang"); got != en("visit.saved") {
		t.Fatalf("✅: %q", got)
	}
	offer := h.Nth(centre.ID, n+1)
	n = len(h.API.Messages(centre.ID))
	h.Press(centre, offer, en("visit.button.gave"))
	h.Nth(centre.ID, n+1)
	if got := h.Say(centre, "大米 1 袋，现金 500 元").Text; got != en("visit.annotated", "Name", "Wang") {
		t.Fatalf("what was given: %q", got)
	}
	n = len(h.API.Messages(centre.ID))
	h.Press(centre, offer, en("visit.button.note"))
	h.Nth(centre.ID, n+1)
	if got := h.Say(centre, "母子平安").Text; got != en("visit.annotated", "Name", "Wang") {
		t.Fatalf("the note: %q", got)
	}
	if got := h.CallbackAnswer(h.API.SendCallback(centre, centre.ID, 0, done)); got != en("visit.refused.closed") {
		t.Fatalf("twice: %q", got)
	}
	// Privacy: the family's facts (the birth) show to no one but the
	// organizers of its branch, on no path that shows member data.
	for _, u := range []fakeapi.User{centre, li, wang} {
		if got := h.Say(u, "/member 13800000002").Text; got != en("auth.organizers_only", "Command", "/member") {
			t.Fatalf("%s's /member: %q", u.FirstName, got)
		}
		for _, m := range h.API.Messages(u.ID) {
			if strings.Contains(m.Text, "newborn") || strings.Contains(m.Text, "a birth on") {
				t.Fatalf("%s was shown the family's facts: %q", u.FirstName, m.Text)
			}
		}
	}
	for _, cmd := range []string{"/member 13800000002", "/member Wang", "/visits"} {
		if got := h.Say(other, cmd).Text; strings.Contains(got, "0012") || strings.Contains(got, "birth") || strings.Contains(got, "newborn") {
			t.Fatalf("another branch's organizer, %s: %q", cmd, got)
		}
	}
	if x := exportRows(t, h, other, "/export members"); strings.Contains(fmt.Sprint(x), "0012") || strings.Contains(fmt.Sprint(x), "Wang") {
		t.Fatalf("another branch's members export: %v", x)
	}
	if x := exportRows(t, h, org, "/export members"); !strings.Contains(fmt.Sprint(x), "0012") {
		t.Fatalf("the branch's members export lacks the household: %v", x)
	}
	// The visit log, for the organizer.
	x := exportRows(t, h, org, "/export visits")
	if len(x) != 3 || x[1][2] != "Wang" || x[1][6] != "done" || x[1][8] != "Centre" || x[1][9] != "大米 1 袋，现金 500 元" || x[1][10] != "母子平安" || x[2][6] != "to make" {
		t.Fatalf("the visit log: %v", x)
	}
	if x := exportRows(t, h, other, "/export visits"); len(x) != 1 {
		t.Fatalf("another branch's visit log: %v", x)
	}
	// The second is not made in its window: missed, told once.
	late := h.Clock().Add(40 * 24 * time.Hour)
	h.SetNow(late)
	for range 2 {
		if _, err := (scheduler.Visits{Store: h.St, Location: bottest.Shanghai}).Run(ctx, late); err != nil {
			t.Fatal(err)
		}
	}
	h.Dispatcher.Wake()
	h.WaitFor("the missed visit told", func() bool {
		for _, m := range h.API.Messages(org.ID) {
			if strings.HasPrefix(m.Text, "⚠️ Visits not made in time (1)") && strings.Contains(m.Text, "newborn visit") {
				return true
			}
		}
		return false
	})
	told := 0
	for _, m := range h.API.Messages(org.ID) {
		if strings.HasPrefix(m.Text, "⚠️ Visits not made in time") {
			told++
		}
	}
	if told != 1 {
		t.Fatalf("told %d times", told)
	}
	h.SetNow(h.Clock().Add(-39 * 24 * time.Hour)) // back in the quarter
	if stats := h.Say(org, "/stats").Text; !strings.Contains(stats, en("stats.visits", "Done", 1, "Missed", 1, "Rate", "50%")) {
		t.Fatalf("/stats:\n%s", stats)
	}
	if recs := h.Say(org, "/records").Text; !strings.Contains(recs, en("stats.visits", "Done", 1, "Missed", 1, "Rate", "50%")) {
		t.Fatalf("/records:\n%s", recs)
	}
	if od := h.Say(org, "/overdue").Text; !strings.HasPrefix(od, "🏠 Visits missed this quarter (1):") || !strings.Contains(od, "Wang (household 0012) — newborn visit") {
		t.Fatalf("/overdue: %q", od)
	}
	if od := h.Say(other, "/overdue").Text; od != en("overdue.none") {
		t.Fatalf("another branch's /overdue: %q", od)
	}
	orgM := memberOf(t, h, org)
	d, err := h.St.DigestFor(ctx, orgM, models.Scope{Paths: []string{"Town/East"}},
		store.DigestWindow{Week: h.Clock(), Now: h.Clock(), QuarterStart: time.Date(2026, 10, 1, 0, 0, 0, 0, bottest.Shanghai)}, bottest.Shanghai)
	if err != nil || d.VisitsDone != 1 || d.VisitsMissed != 1 {
		t.Fatalf("the digest's visits: %+v %v", d, err)
	}
	// The household changed by taps on the card: ✏️, then its words.
	if got := h.CallbackAnswer(h.API.SendCallback(other, other.ID, 0, models.Callback{Action: models.ActMemberCard, ID: wangM.ID, Op: "fe"}.Encode())); got != en("auth.not_your_branch") {
		t.Fatalf("another branch's ✏️: %q", got)
	}
	card = h.Say(org, "/member 13800000002")
	n = len(h.API.Messages(org.ID))
	h.Press(org, card, en("member.button.family_edit"))
	if ask := h.Nth(org.ID, n+1).Text; ask != en("member.family.ask", "Name", "Wang") {
		t.Fatalf("✏️: %q", ask)
	}
	before = storeFamily(t, h)
	if got := h.Say(org, "a b c d").Text; got != en("member.family.bad") {
		t.Fatalf("four words: %q", got)
	}
	if got := h.Say(org, "0015 13800000099").Text; got != en("member.family.no_centre", "Value", "13800000099") {
		t.Fatalf("an unknown centre household: %q", got)
	}
	if after := storeFamily(t, h); after != before {
		t.Fatalf("refused words changed the family:\n%s\nwas\n%s", after, before)
	}
	h.Say(org, "0015 2027-05")
	h.WaitFor("the card again", func() bool {
		ms := h.API.Messages(org.ID)
		last := ms[len(ms)-1].Text
		return strings.Contains(last, "household 0015") && strings.Contains(last, "a birth expected in 2027-05") && strings.Contains(last, "centre household: Centre")
	})
}

// storeFamily dumps the families table.
func storeFamily(t *testing.T, h *bottest.Harness) string {
	t.Helper()
	s, err := storetest.Dump(ctx, h.DSN, "SELECT member_id, household, centre_id, expected, difficulty FROM families ORDER BY member_id")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exportRows sends an /export command as u and reads the file's rows.
func exportRows(t *testing.T, h *bottest.Harness, u fakeapi.User, command string) [][]string {
	t.Helper()
	n := len(h.API.Messages(u.ID))
	h.API.SendText(u, command)
	msg := h.Nth(u.ID, n+1)
	if msg.Document == nil {
		t.Fatalf("%s: no file but %q", command, msg.Text)
	}
	return readXLSX(t, msg.Document.Data)
}

// TestOneOffDutyIsNotRenewed: a campaign's self-check given once, due on
// a date, to a branch's organizer: reminded like a duty, overdue told to
// the admins when not done, closed by the organizer's tap — and then
// neither reminded nor renewed; given again next year, it opens again.
func TestOneOffDutyIsNotRenewed(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying), bottest.WithAdmins(1))
	admin := fakeapi.User{ID: 1, FirstName: "Root", LanguageCode: "en"}
	h.Say(admin, "/start")
	h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town/Village", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13900000000", org)
	k := &models.PlanKind{Key: "selfcheck", For: models.ForDuty, NameZhHans: "自查", NameZhHant: "自查", NameEn: "Self-check", Every: "12m", Offsets: "-3,0,2"}
	if err := h.St.AddPlanKind(ctx, k); err != nil {
		t.Fatal(err)
	}
	due := date(2026, 11, 30)
	res, err := h.St.AssignOnce(ctx, k, models.BranchAudience("Town"), due, nil, bottest.Shanghai, h.Clock())
	if err != nil || res.Created != 1 {
		t.Fatalf("assign once: %+v %v", res, err)
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
	if n := run(day(2026, 11, 27, 9)); n != 1 {
		t.Fatalf("three days before: %d", n)
	}
	first := h.Nth(org.ID, 1)
	if !strings.Contains(first.Text, "Self-check") {
		t.Fatalf("the reminder: %q", first.Text)
	}
	run(day(2026, 11, 30, 9))
	run(day(2026, 12, 2, 9))
	h.SetNow(day(2026, 12, 3, 10))
	if c, _ := (scheduler.OverdueDigest{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock()); c["digests"] != 1 {
		t.Fatalf("overdue digest %v", c)
	}
	h.WaitFor("the admins told", func() bool {
		for _, m := range h.API.Messages(admin.ID) {
			if strings.Contains(m.Text, "• Org — Self-check (due Mon 30 Nov)") {
				return true
			}
		}
		return false
	})
	planID := c0(t, h, org, "selfcheck").ID
	if ans := h.Press(org, first, "✅ Done"); ans != h.T(locales.En, "checks.duty_done_once", "Kind", "Self-check") {
		t.Fatalf("done: %q", ans)
	}
	p, _ := h.St.PlanByID(ctx, planID)
	if p.State != models.PlanClosed || p.NextRemindAt != nil || p.LastDone == nil {
		t.Fatalf("the plan after done %+v", p)
	}
	// Nothing more, weeks and a year on.
	for _, at := range []time.Time{day(2026, 12, 10, 9), day(2027, 11, 27, 9), day(2027, 11, 30, 9)} {
		if n := run(at); n != 0 {
			t.Fatalf("reminded on %v: %d", at, n)
		}
	}
	if p, _ := h.St.PlanByID(ctx, planID); p.State != models.PlanClosed {
		t.Fatalf("renewed: %+v", p)
	}
	// The next campaign opens it again.
	if res, err := h.St.AssignOnce(ctx, k, models.BranchAudience("Town"), date(2027, 12, 20), nil, bottest.Shanghai, h.Clock()); err != nil || res.Created != 1 {
		t.Fatalf("the next campaign: %+v %v", res, err)
	}
	if p, _ := h.St.PlanByID(ctx, planID); p.State != models.PlanOpen || !p.NextDue.Equal(date(2027, 12, 20)) || !p.Once {
		t.Fatalf("opened again: %+v", p)
	}
}

// TestReportFiguresDialog: a weekly report duty with two figures, to the
// organizers of three branches. ✅ Done asks each figure, with the last
// period's value; a bad number is refused and nothing is stored; the two
// figures close the duty. /figures totals the two branches that reported,
// against the week before's, and names the one that did not.
func TestReportFiguresDialog(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	k := &models.PlanKind{Key: "weekly_ops", For: models.ForDuty, NameZhHans: "每周手术报告", NameZhHant: "每週手術報告", NameEn: "Operations report",
		RRule: "FREQ=WEEKLY;BYDAY=FR", Offsets: "-1,0", Figures: "ops:节育手术:operations:節育手術,moved:流入人口:moved in:流入人口"}
	if err := h.St.AddPlanKind(ctx, k); err != nil {
		t.Fatal(err)
	}
	orgs := map[string]fakeapi.User{}
	for i, b := range []string{"East", "West", "North"} {
		u := fakeapi.User{ID: int64(950 + i), FirstName: "Org" + b, LanguageCode: "en"}
		phone := "1390000000" + string(rune('1'+i))
		h.Add(store.NewMember{Name: u.FirstName, Phone: phone, Branch: "Town/" + b, Role: models.RoleOrganizer, Lang: "en"})
		h.Link(phone, u)
		orgs[b] = u
	}
	if res, err := h.St.AssignPlans(ctx, k, models.BranchAudience("Town"), nil, nil, bottest.Shanghai, h.Clock()); err != nil || res.Created != 3 {
		t.Fatalf("assign: %+v %v", res, err)
	}
	h.SetNow(day(2026, 11, 26, 9))
	if c, err := (scheduler.PlanReminders{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock()); err != nil || c["enqueued"] != 3 {
		t.Fatalf("reminders %v %v", c, err)
	}
	values := func() string {
		s, err := storetest.Dump(ctx, h.DSN, "SELECT key, value FROM figure_values ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	report := func(u fakeapi.User, answers ...string) string {
		t.Helper()
		reminder := h.Nth(u.ID, 1)
		n := len(h.API.Messages(u.ID))
		if got := h.Press(u, reminder, "✅ Done"); got != "" {
			t.Fatalf("✅: %q", got)
		}
		if ask := h.Nth(u.ID, n+1).Text; ask != en("figures.ask", "Kind", "Operations report", "Name", "operations", "Last", "", "N", 1, "Count", 2) {
			t.Fatalf("the first question: %q", ask)
		}
		var last string
		for _, a := range answers {
			last = h.Say(u, a).Text
		}
		return last
	}
	// A bad number: asked again, nothing stored.
	east := orgs["East"]
	reminder := h.Nth(east.ID, 1)
	n := len(h.API.Messages(east.ID))
	h.Press(east, reminder, "✅ Done")
	h.Nth(east.ID, n+1)
	for _, bad := range []string{"five", "-3", "2000000", "3.5"} {
		if got := h.Say(east, bad).Text; got != en("figures.bad", "Max", models.MaxFigureValue) {
			t.Fatalf("%q: %q", bad, got)
		}
	}
	if v := values(); v != "" {
		t.Fatalf("bad numbers stored: %s", v)
	}
	if got := h.Say(east, "5").Text; got != en("figures.ask", "Kind", "Operations report", "Name", "moved in", "Last", "", "N", 2, "Count", 2) {
		t.Fatalf("the second question: %q", got)
	}
	if got := h.Say(east, "2").Text; !strings.HasPrefix(got, "✅ Operations report done, with its figures: operations 5, moved in 2. Next due: Fri 4 Dec.") ||
		!strings.Contains(got, en("figures.attach")) {
		t.Fatalf("saved: %q", got)
	}
	// The report's file, sent next, is kept with it.
	n = len(h.API.Messages(east.ID))
	h.API.SendDocument(east, "report.xlsx", []byte("PK report"), "")
	if got := h.Nth(east.ID, n+1).Text; got != en("figures.attached", "Name", "report.xlsx") {
		t.Fatalf("the file: %q", got)
	}
	if got, _ := storetest.Dump(ctx, h.DSN, "SELECT COUNT(*) AS n FROM check_records WHERE photo_file_id <> ''"); got != "n=1 \n" {
		t.Fatalf("the file kept: %q", got)
	}
	if got := report(orgs["West"], "3", "1"); !strings.HasPrefix(got, "✅ Operations report done") {
		t.Fatalf("West: %q", got)
	}
	// The plan moved on; a second ✅ on the old reminder changes nothing.
	before := values()
	if got := h.Press(east, reminder, "✅ Done"); got == "" {
		t.Fatalf("the old reminder asked again")
	}
	if after := values(); after != before {
		t.Fatalf("a stale ✅ changed figures:\n%s\nwas\n%s", after, before)
	}
	// The organizer of Town/East sees their branch only.
	got := h.Say(orgs["East"], "/figures weekly_ops 2026-11").Text
	if !strings.Contains(got, "📊 Operations report, 2026-11 (in brackets: 2026-10)") || !strings.Contains(got, "Town/East: operations 5 (0), moved in 2 (0)") ||
		strings.Contains(got, "West") || strings.Contains(got, "North") {
		t.Fatalf("East's /figures:\n%s", got)
	}
	h.Add(store.NewMember{Name: "Head", Phone: "13900000009", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	head := fakeapi.User{ID: 960, FirstName: "Head", LanguageCode: "en"}
	h.Link("13900000009", head)
	all := h.Say(head, "/figures 2026-11").Text
	for _, want := range []string{"Town/West: operations 3 (0), moved in 1 (0)", "All: operations 8 (0), moved in 3 (0)", "Not reported: Town/North"} {
		if !strings.Contains(all, want) {
			t.Fatalf("the town's /figures lacks %q:\n%s", want, all)
		}
	}
	if got := h.Say(head, "/figures nonsense").Text; got != en("figures.usage", "Kinds", "weekly_ops") {
		t.Fatalf("a bad /figures: %q", got)
	}
}
