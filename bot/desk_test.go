package bot_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler"
)

// desk is a quarter of an association's life with known answers (see
// newDesk), for /stats, the weekly digest, records, exports and imports.
type desk struct {
	t          *testing.T
	h          *bottest.Harness
	orgA, orgB fakeapi.User // organizers of Town and of Other
	e1, e2, w1 fakeapi.User
	w2         fakeapi.User // blocked the bot on 20 November
	o1         fakeapi.User
	act, meet  *models.Event
	actAt      time.Time
}

func at(mo time.Month, d, hh, mm int) time.Time {
	return time.Date(2026, mo, d, hh, mm, 0, 0, bottest.Shanghai)
}

// newDesk builds, in Q4 2026, as the bot and its jobs would:
//   - Town (organizer A, linked) with Town/East (e1, e2 linked, e3 not) and
//     Town/West (w1 linked, w2 linked but blocked the bot on 20 November);
//     Other (organizer B, o1).
//   - An activity day of Town/East on 10 November: e1 and e2 said yes,
//     were checked in and answered its day-after survey very satisfied
//     and neutral.
//   - A meeting of Town on 26 November 14:00, announced on 20 November:
//     e1 yes, A maybe, w1 no (w2's announcement failed: blocked).
//   - Annual checks for Town/East due 12 November: e1's recorded done on
//     20 November; e2's and e3's overdue since 19 November.
//   - A's weekly report duty, due Friday 27 November.
//
// The clock ends on Monday 23 November 10:00.
func newDesk(t *testing.T, opts ...bottest.Option) *desk {
	h := bottest.New(t, append([]bottest.Option{bottest.WithDispatcher(retrying)}, opts...)...)
	d := &desk{t: t, h: h,
		orgA: fakeapi.User{ID: 900, FirstName: "A", LanguageCode: "en"}, orgB: fakeapi.User{ID: 950, FirstName: "B", LanguageCode: "en"},
		e1: fakeapi.User{ID: 901, FirstName: "E1"}, e2: fakeapi.User{ID: 902, FirstName: "E2"},
		w1: fakeapi.User{ID: 903, FirstName: "W1"}, w2: fakeapi.User{ID: 904, FirstName: "W2"}, o1: fakeapi.User{ID: 951, FirstName: "O1"}}
	h.SetNow(at(11, 1, 10, 0))
	for _, m := range []struct {
		name, phone, branch string
		role                models.Role
		u                   *fakeapi.User
	}{
		{"Org A", "13900000000", "Town", models.RoleOrganizer, &d.orgA},
		{"Org B", "13900000001", "Other", models.RoleOrganizer, &d.orgB},
		{"E1", "13800000001", "Town/East", "", &d.e1},
		{"E2", "13800000002", "Town/East", "", &d.e2},
		{"E3", "13800000003", "Town/East", "", nil},
		{"W1", "13800000004", "Town/West", "", &d.w1},
		{"W2", "13800000005", "Town/West", "", &d.w2},
		{"O1", "13800000006", "Other", "", &d.o1},
	} {
		h.Add(store.NewMember{Name: m.name, Phone: m.phone, Branch: m.branch, Role: m.role, Lang: "en"})
		if m.u != nil {
			h.Link(m.phone, *m.u)
		}
	}
	a := d.member(d.orgA)
	d.act = &models.Event{Kind: models.EventActivityDay, Title: "Health talk", Location: "East hall", StartAt: at(11, 10, 9, 0).UTC(),
		DurationMin: 120, Audience: "branch:Town/East", RSVP: true, CreatedBy: &a.ID}
	if _, err := h.St.CreateEvent(ctx, d.act, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	d.actAt = d.act.StartAt
	d.settle()
	h.SetNow(at(11, 5, 10, 0))
	d.answer(d.act, d.actAt, d.e1, models.AnswerYes)
	d.answer(d.act, d.actAt, d.e2, models.AnswerYes)
	h.SetNow(at(11, 10, 9, 30))
	for _, u := range []fakeapi.User{d.e1, d.e2} {
		if err := h.St.SetCheckIn(ctx, d.act.ID, d.actAt, d.member(u).ID, true, a, bottest.Shanghai, h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	h.SetNow(at(11, 11, 10, 0))
	if c, err := (scheduler.EventSurveys{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock()); err != nil || c["asked"] != 2 {
		t.Fatalf("the day-after survey: %v %v", c, err)
	}
	sv, err := h.St.EventSurvey(ctx, d.act.ID, d.actAt)
	if err != nil {
		t.Fatal(err)
	}
	for u, choice := range map[fakeapi.User]int{d.e1: 1, d.e2: 3} {
		if _, err := h.St.AnswerSurvey(ctx, sv.ID, d.member(u), 1, choice, "", h.Clock()); err != nil {
			t.Fatal(err)
		}
	}
	d.settle()
	k, _ := h.St.PlanKindByKey(ctx, "annual_check")
	due := date(2026, 11, 12)
	if _, err := h.St.AssignPlans(ctx, k, models.BranchAudience("Town/East"), &due, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	h.SetNow(at(11, 19, 9, 0))
	if _, err := (scheduler.PlanReminders{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock()); err != nil {
		t.Fatal(err)
	}
	d.settle()
	h.SetNow(at(11, 20, 10, 0))
	h.API.Block(d.w2.ID)
	d.meet = &models.Event{Kind: models.EventMeeting, Title: "Branch meeting", Location: "Town office", StartAt: at(11, 26, 14, 0).UTC(),
		DurationMin: 90, Audience: "branch:Town", RSVP: true, CreatedBy: &a.ID}
	if _, err := h.St.CreateEvent(ctx, d.meet, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	e1Plan := d.plans(d.e1)[0]
	if _, _, err := h.St.RecordCheck(ctx, e1Plan.ID, e1Plan.Cycle, models.Scope{Paths: []string{"Town"}}, a, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	d.settle()
	h.SetNow(at(11, 21, 10, 0))
	weekly, _ := h.St.PlanKindByKey(ctx, "weekly_report")
	if _, err := h.St.AssignPlans(ctx, weekly, models.MembersAudience(a.ID), nil, nil, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	d.answer(d.meet, d.meet.StartAt, d.e1, models.AnswerYes)
	d.answer(d.meet, d.meet.StartAt, d.orgA, models.AnswerMaybe)
	d.answer(d.meet, d.meet.StartAt, d.w1, models.AnswerNo)
	h.SetNow(at(11, 23, 10, 0))
	return d
}

func (d *desk) member(u fakeapi.User) *models.Member {
	m, err := d.h.St.MemberByTelegramID(ctx, u.ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return m
}

func (d *desk) plans(u fakeapi.User) []models.Plan {
	ps, err := d.h.St.PlansOf(ctx, d.member(u).ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return ps
}

func (d *desk) answer(e *models.Event, occ time.Time, u fakeapi.User, a models.Answer) {
	if _, err := d.h.St.SetRSVP(ctx, e.ID, occ, d.member(u), a, 0, bottest.Shanghai, d.h.Clock()); err != nil {
		d.t.Fatal(err)
	}
}

// settle waits until the dispatcher has finished every message due.
func (d *desk) settle() {
	d.t.Helper()
	d.h.WaitFor("the outbox to settle", func() bool {
		rows, err := d.h.St.Outbox(ctx, store.OutboxQuery{})
		if err != nil {
			return false
		}
		for _, r := range rows {
			if (r.Status == outbox.Pending || r.Status == outbox.Sending) && !r.NextAttemptAt.After(d.h.Clock().Add(time.Minute)) {
				return false
			}
		}
		return true
	})
}

// TestStatsAgainstKnownAnswers: /stats gives A the figures of Town worked
// out by hand from the fixture, and B only those of Other.
func TestStatsAgainstKnownAnswers(t *testing.T) {
	d := newDesk(t)
	h := d.h
	got := h.Say(d.orgA, "/stats").Text
	// Town: A, E1, E2, E3, W1, W2 — five on Telegram. Messages to them: the
	// activity's announcement to E1 and E2, the check reminders to E1 and
	// E2, E1's "recorded" notice, the activity's day-after survey to E1
	// and E2, the meeting's announcement to A, E1, E2, W1 (sent) and W2
	// (blocked): 11 of 12. Announcements answered: 2 of 2
	// for the activity, 3 of 4 for the meeting. Two check-ins; their two day-after
	// answers are too few to show (anonymous figures show from five). Checks: 3, two overdue. One activity held (Town/East); Town/West
	// none.
	want := h.T(locales.En, "stats.title", "Quarter", "Q4 2026") + "\n\n" + h.T(locales.En, "stats.branch",
		"Branch", "Town", "Members", 6, "Linked", "83%", "Delivered", "92%", "NotSent", h.T(locales.En, "stats.reason.blocked")+" 1",
		"AnswerRate", "83%", "CheckedIn", 2, "Satisfaction", "–", "Completion", "33%", "Overdue", 2, "Activities", 1, "NoActivity", "Town/West")
	if got != want {
		t.Fatalf("/stats:\n%s\nwant:\n%s", got, want)
	}
	other := h.Say(d.orgB, "/stats").Text
	if strings.Contains(other, "Town") || !strings.Contains(other, "Other") {
		t.Fatalf("B's stats show another branch:\n%s", other)
	}
	if got := h.Say(d.e1, "/stats").Text; got != h.T(locales.En, "auth.organizers_only", "Command", "/stats") {
		t.Fatalf("a member got %q", got)
	}
}

// TestWeeklyDigestAgainstKnownAnswers: on Monday 09:00 A gets one message:
// the meeting with its answers, E2 and E3 newly overdue, W2 unreachable,
// Town/West without an activity, the weekly report due Friday. A second
// run sends nothing more.
func TestWeeklyDigestAgainstKnownAnswers(t *testing.T) {
	d := newDesk(t)
	h := d.h
	job := scheduler.WeeklyDigest{Store: h.St, Location: bottest.Shanghai}
	if c, err := job.Run(ctx, at(11, 22, 9, 0)); err != nil || c["digests"] != 0 {
		t.Fatalf("a Sunday run sent %v %v", c, err)
	}
	before := len(h.API.Messages(d.orgA.ID))
	c, err := job.Run(ctx, at(11, 23, 9, 0))
	if err != nil || c["digests"] != 2 {
		t.Fatalf("Monday: %v %v", c, err)
	}
	if c, err := job.Run(ctx, at(11, 23, 10, 0)); err != nil || c["digests"] != 0 {
		t.Fatalf("a second Monday run: %v %v", c, err)
	}
	msg := h.Nth(d.orgA.ID, before+1)
	en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
	now := at(11, 23, 9, 0)
	want := en("digest.weekly", "Week", h.Cat.Date(locales.En, date(2026, 11, 23), now), "Body", strings.Join([]string{
		en("digest.section.events", "Count", 1),
		en("digest.event_line", "StartAt", h.Cat.DateTime(locales.En, d.meet.StartAt, bottest.Shanghai, now), "Title", "Branch meeting", "Yes", 1, "Maybe", 1, "No", 1),
		en("digest.section.overdue", "Count", 2),
		en("check.overdue_line", "Name", "E2", "Kind", "Annual health check", "DueAt", h.Cat.Date(locales.En, date(2026, 11, 12), now)),
		en("check.overdue_line", "Name", "E3", "Kind", "Annual health check", "DueAt", h.Cat.Date(locales.En, date(2026, 11, 12), now)),
		en("digest.section.unreachable", "Count", 1),
		en("digest.unreachable_line", "Name", "W2", "Branch", "Town/West"),
		en("digest.section.no_activity", "Count", 1),
		en("digest.branch_line", "Branch", "Town/West"),
		en("digest.section.duties", "Count", 1),
		en("digest.duty_line", "Kind", "Weekly report", "DueAt", h.Cat.Date(locales.En, date(2026, 11, 27), now)),
	}, "\n"))
	if msg.Text != want {
		t.Fatalf("A's digest:\n%s\nwant:\n%s", msg.Text, want)
	}
	bMsgs := h.API.Messages(d.orgB.ID)
	h.WaitFor("B's digest", func() bool { bMsgs = h.API.Messages(d.orgB.ID); return len(bMsgs) > 0 })
	last := bMsgs[len(bMsgs)-1].Text
	if strings.Contains(last, "Town") || strings.Contains(last, "E2") || !strings.Contains(last, "Other") {
		t.Fatalf("B's digest tells of another branch:\n%s", last)
	}
	rows, _ := h.St.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindWeeklyDigest})
	if len(rows) != 2 {
		t.Fatalf("%d digests in the outbox", len(rows))
	}
	// The next Monday tells what happened since, not the same again.
	h.SetNow(at(11, 30, 9, 0))
	n := len(h.API.Messages(d.orgA.ID))
	if c, err := job.Run(ctx, h.Clock()); err != nil || c["digests"] != 2 {
		t.Fatalf("next Monday: %v %v", c, err)
	}
	next := h.Nth(d.orgA.ID, n+1).Text
	if strings.Contains(next, "E2") || strings.Contains(next, "W2") || !strings.Contains(next, "Weekly report") {
		t.Fatalf("the next digest repeats last week's news:\n%s", next)
	}
}

// TestActivityRecordInAFewTaps: the day after the activity A is asked for
// its record; topic by one tap, a typed summary, a photo, Done; /records
// lists it with the attendance and rating from check-in. A member's forged
// button changes nothing.
func TestActivityRecordInAFewTaps(t *testing.T) {
	d := newDesk(t)
	h := d.h
	if c, err := (scheduler.RecordAsks{Store: h.St, Location: bottest.Shanghai}).Run(ctx, at(11, 23, 10, 20)); err != nil || c["enqueued"] != 0 {
		t.Fatalf("an activity 13 days ago was asked for again or late: %v %v", c, err)
	}
	h.SetNow(at(11, 10, 12, 20))
	// Counted before the ask is queued: the dispatcher may send it at once.
	n := len(h.API.Messages(d.orgA.ID))
	if c, err := (scheduler.RecordAsks{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock()); err != nil || c["enqueued"] != 1 {
		t.Fatalf("record asks: %v %v", c, err)
	}
	if c, _ := (scheduler.RecordAsks{Store: h.St, Location: bottest.Shanghai}).Run(ctx, h.Clock().Add(time.Hour)); c["enqueued"] != 0 {
		t.Fatalf("asked twice: %v", c)
	}
	h.WaitFor("the record question", func() bool {
		ms := h.API.Messages(d.orgA.ID)
		return len(ms) > n && strings.HasPrefix(ms[len(ms)-1].Text, "📝 Health talk")
	})
	ms := h.API.Messages(d.orgA.ID)
	ask := ms[len(ms)-1]

	// A member forging the button changes nothing.
	rows := map[string]string{"records": "SELECT event_id, topic, summary, photos FROM activity_records ORDER BY id", "dialogs": "SELECT telegram_id, kind FROM dialogs ORDER BY telegram_id"}
	before := dump(t, h, rows)
	data := models.Callback{Action: models.ActRecord, Event: d.act.ID, Occ: d.actAt, Op: "s"}.Encode()
	if id := h.API.SendCallback(d.e1, d.e1.ID, 0, data); !refusedWithAlert(h.API, waitAnswer(h, id)) {
		t.Fatalf("a member's forged record button was not refused")
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("a member's button changed %v", after)
	}
	// Nor can the organizer of another branch, nor anyone write a record of
	// a meeting (not an activity day).
	if id := h.API.SendCallback(d.orgB, d.orgB.ID, 0, data); !refusedWithAlert(h.API, waitAnswer(h, id)) {
		t.Fatalf("another branch's organizer was not refused")
	}
	h.SetNow(at(11, 27, 10, 0))
	meeting := models.Callback{Action: models.ActRecord, Event: d.meet.ID, Occ: d.meet.StartAt, Op: "s"}.Encode()
	if id := h.API.SendCallback(d.orgA, d.orgA.ID, 0, meeting); h.CallbackAnswer(id) != h.T(locales.En, "record.not_activity") {
		t.Fatalf("a meeting's record was not refused")
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused record buttons changed %v", after)
	}

	h.SetNow(at(11, 11, 10, 0))
	h.Press(d.orgA, ask, h.T(locales.En, "record.button.write"))
	topic := h.Nth(d.orgA.ID, len(ms)+1)
	h.Press(d.orgA, topic, h.T(locales.En, "record.button.use_title", "Title", "Health talk"))
	summary := h.Nth(d.orgA.ID, len(ms)+2)
	if !strings.Contains(summary.Text, "Health talk") {
		t.Fatalf("summary question: %q", summary.Text)
	}
	photos := h.Say(d.orgA, "Talk on family health; leaflets handed out.")
	if photos.Text != h.T(locales.En, "record.ask_photos", "Max", models.MaxRecordPhotos) {
		t.Fatalf("after the summary: %q", photos.Text)
	}
	n = len(h.API.Messages(d.orgA.ID))
	h.API.SendPhoto(d.orgA, []byte("jpeg"), "")
	saved := h.Nth(d.orgA.ID, n+1)
	if saved.Text != h.T(locales.En, "record.photo_saved", "Count", 1, "Max", models.MaxRecordPhotos) {
		t.Fatalf("photo: %q", saved.Text)
	}
	h.Press(d.orgA, saved, h.T(locales.En, "record.button.done"))
	done := h.Nth(d.orgA.ID, n+2)
	if !strings.Contains(done.Text, "Talk on family health") || !strings.Contains(done.Text, "2") {
		t.Fatalf("record saved: %q", done.Text)
	}
	rec, err := h.St.RecordOf(ctx, d.act.ID, d.actAt)
	if err != nil || rec.Topic != "Health talk" || len(rec.PhotoIDs()) != 1 {
		t.Fatalf("record %+v %v", rec, err)
	}
	h.SetNow(at(11, 23, 10, 0))
	list := h.Say(d.orgA, "/records").Text
	wantLine := h.T(locales.En, "records.line", "Date", "2026-11-10", "Branch", "Town/East", "Topic", "Health talk", "Came", 2, "Satisfaction", "", "Photos", 1)
	if !strings.Contains(list, wantLine) {
		t.Fatalf("/records:\n%s\nwant a line %q", list, wantLine)
	}
	if got := h.Say(d.orgB, "/records").Text; strings.Contains(got, "Health talk") {
		t.Fatalf("B sees Town's records: %q", got)
	}
	// Exported for the town office, and only to its branch's organizers.
	x := d.export(d.orgA, "/export records 2026Q4")
	if len(x) != 2 || x[1][0] != "Town/East" || x[1][3] != "Health talk" || x[1][4] != "2" || x[1][5] != "" {
		t.Fatalf("records export: %v", x)
	}
	if x := d.export(d.orgB, "/export records 2026Q4"); len(x) != 1 {
		t.Fatalf("B's export has Town's records: %v", x)
	}
}

func waitAnswer(h *bottest.Harness, id string) string {
	h.CallbackAnswer(id)
	return id
}

// export sends a command and reads the XLSX the bot sends back.
func (d *desk) export(u fakeapi.User, command string) [][]string {
	d.t.Helper()
	n := len(d.h.API.Messages(u.ID))
	d.h.API.SendText(u, command)
	msg := d.h.Nth(u.ID, n+1)
	if msg.Document == nil {
		d.t.Fatalf("%s: no file but %q", command, msg.Text)
	}
	return readXLSX(d.t, msg.Document.Data)
}

func readXLSX(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the export does not open in excelize: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestExportsStayInTheOrganizersBranches: A's member list has Town's six,
// B's has Other's two; B cannot export Town's meeting; the button of
// /export sends the same file; an export imports back with no change.
func TestExportsStayInTheOrganizersBranches(t *testing.T) {
	d := newDesk(t)
	h := d.h
	a := d.export(d.orgA, "/export members")
	if len(a) != 7 || a[0][0] != h.T(locales.En, "import.column.name") {
		t.Fatalf("A's members: %v", a)
	}
	for _, row := range a[1:] {
		if !strings.HasPrefix(row[2], "Town") {
			t.Fatalf("A's export has %v", row)
		}
	}
	if b := d.export(d.orgB, "/export members"); len(b) != 3 {
		t.Fatalf("B's members: %v", b)
	}
	if got := h.Say(d.orgB, fmt.Sprintf("/export event %d", d.meet.ID)).Text; got != h.T(locales.En, "export.not_yours") {
		t.Fatalf("B exporting Town's meeting got %q", got)
	}
	answers := d.export(d.orgA, fmt.Sprintf("/export event %d", d.meet.ID))
	if len(answers) < 4 {
		t.Fatalf("meeting answers: %v", answers)
	}
	menu := h.Say(d.orgA, "/export")
	n := len(h.API.Messages(d.orgA.ID))
	h.Press(d.orgA, menu, h.T(locales.En, "export.button.overdue"))
	file := h.Nth(d.orgA.ID, n+1)
	if file.Document == nil {
		t.Fatalf("overdue button: %q", file.Text)
	}
	if rows := readXLSX(t, file.Document.Data); len(rows) != 3 {
		t.Fatalf("overdue export: %v", rows)
	}
	// Round trip: the member export read back as an import changes nothing.
	parsed, problems, err := roster.Parse(bytes.NewReader(d.exportBytes(d.orgA, "/export members")), roster.DefaultLimits())
	if err != nil || len(problems) != 0 {
		t.Fatalf("export read back: %v %v", problems, err)
	}
	rep, err := h.St.ImportRoster(ctx, parsed, nil, store.ImportOptions{Scope: models.Scope{Paths: []string{"Town"}}, Location: bottest.Shanghai, Now: h.Clock()})
	if err != nil || rep.Unchanged != 6 || rep.New+rep.Updated != 0 || len(rep.Problems) != 0 {
		t.Fatalf("re-import of the export: %+v %v", rep, err)
	}
}

func (d *desk) exportBytes(u fakeapi.User, command string) []byte {
	n := len(d.h.API.Messages(u.ID))
	d.h.API.SendText(u, command)
	return d.h.Nth(u.ID, n+1).Document.Data
}

// TestImportByDocument: an organizer sends a list; a file with a row in
// another's branch is reported and imports nothing; a good one is checked,
// then imported with one tap; sent again it changes nothing. A member's
// document imports nothing.
func TestImportByDocument(t *testing.T) {
	d := newDesk(t)
	h := d.h
	rows := map[string]string{"members": "SELECT id, name, phone, branch_id, role FROM members ORDER BY id", "branches": "SELECT id, path FROM branches ORDER BY id"}
	before := dump(t, h, rows)
	bad := "姓名,手机,分会\n张三,13700000001,Town/North\n李四,13700000002,Other\n"
	n := len(h.API.Messages(d.orgA.ID))
	h.API.SendDocument(d.orgA, "members.csv", []byte(bad), "")
	report := h.Nth(d.orgA.ID, n+1)
	if !strings.Contains(report.Text, h.T(locales.En, "import.problem.out_of_scope", "Value", "Other")) || len(report.Inline) != 0 {
		t.Fatalf("bad file: %q %v", report.Text, report.Inline)
	}
	// A long report: the first lines as a message, the whole as a file.
	var long strings.Builder
	long.WriteString("name,phone,branch\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&long, "Person %d,not a phone,Town\n", i)
	}
	n = len(h.API.Messages(d.orgA.ID))
	h.API.SendDocument(d.orgA, "long.csv", []byte(long.String()), "")
	whole, head := h.Nth(d.orgA.ID, n+1), h.Nth(d.orgA.ID, n+2)
	if whole.Document == nil || strings.Count(string(whole.Document.Data), "\n") != 300 ||
		!strings.HasSuffix(head.Text, h.T(locales.En, "report.in_file")) || len(head.Inline) != 0 {
		t.Fatalf("long report: %q / %v", head.Text, whole.Document)
	}
	n = len(h.API.Messages(d.e1.ID))
	h.API.SendDocument(d.e1, "members.csv", []byte("name,phone,branch\nX,13700000009,Town\n"), "")
	if got := h.Nth(d.e1.ID, n+1).Text; got != h.T(locales.En, "unknown.message") {
		t.Fatalf("a member's document: %q", got)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused files changed rows:\n%v", after)
	}
	good := "name,phone,branch,language\n张三,13700000001,Town/North,zh-Hans\nE1,13800000001,Town/East,en\n"
	n = len(h.API.Messages(d.orgA.ID))
	h.API.SendDocument(d.orgA, "members.csv", []byte(good), "")
	checked := h.Nth(d.orgA.ID, n+1)
	if !strings.HasPrefix(checked.Text, h.T(locales.En, "import.checked", "Rows", 2, "New", 1, "Updated", 0, "Unchanged", 1, "Branches", 1, "Plans", 0)) {
		t.Fatalf("checked: %q", checked.Text)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("the check wrote rows")
	}
	h.Press(d.orgA, checked, h.T(locales.En, "import.button.confirm", "Rows", 2))
	done := h.Nth(d.orgA.ID, n+2)
	if done.Text != h.T(locales.En, "import.done", "Rows", 2, "New", 1, "Updated", 0, "Unchanged", 1, "Branches", 1, "Plans", 0)+
		"\n"+h.T(locales.En, "import.made_branches", "List", "Town/North") {
		t.Fatalf("import: %q", done.Text)
	}
	m, err := h.St.MemberByPhone(ctx, "13700000001")
	if err != nil || m.Branch == nil || m.Branch.Path != "Town/North" || m.Lang != "zh-Hans" {
		t.Fatalf("imported member %+v %v", m, err)
	}
	// The button is gone; a stale tap (forged) imports nothing twice.
	if got := h.Message(d.orgA.ID, checked.ID); len(got.Inline) != 0 {
		t.Fatalf("the confirm button is still there")
	}
	once := dump(t, h, rows)
	h.API.SendDocument(d.orgA, "members.csv", []byte(good), "")
	again := h.Nth(d.orgA.ID, n+3)
	h.Press(d.orgA, again, h.T(locales.En, "import.button.confirm", "Rows", 2))
	if got := h.Nth(d.orgA.ID, n+4).Text; !strings.Contains(got, "unchanged: 2") {
		t.Fatalf("re-import: %q", got)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(once, after) {
		t.Fatalf("re-import changed rows")
	}
}
