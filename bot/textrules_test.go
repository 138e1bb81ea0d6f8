package bot_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestCSVExportNeutralisesAFormulaName: a stranger named
// =HYPERLINK("…","点击查看") asks to join and is approved; in the
// organizer's /export members csv the name is text for any spreadsheet (a
// leading '), while the XLSX export keeps it as it is (inline text there).
func TestCSVExportNeutralisesAFormulaName(t *testing.T) {
	h := bottest.New(t, bottest.WithDispatcher(retrying))
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	const formula = `=HYPERLINK("http://evil.example/x","点击查看")`
	s := fakeapi.User{ID: 777, FirstName: formula, LanguageCode: "en"}
	picker := h.Say(s, "/join")
	h.Press(s, picker, "Town")
	typeJoinName(h, s, formula)
	ask := h.Nth(org.ID, 1)
	if !strings.Contains(ask.Text, formula) || len(ask.Inline) == 0 {
		t.Fatalf("organizer asked %q", ask.Text)
	}
	h.Press(org, ask, ask.Inline[0][0].Text)
	h.WaitFor("the stranger to be a member", func() bool {
		m, err := h.St.MemberByTelegramID(ctx, s.ID)
		return err == nil && m.Name == formula
	})

	n := len(h.API.Messages(org.ID))
	h.API.SendText(org, "/export members csv")
	file := h.Nth(org.ID, n+1)
	if file.Document == nil {
		t.Fatalf("no CSV but %q", file.Text)
	}
	data := bytes.TrimPrefix(file.Document.Data, []byte("\xEF\xBB\xBF"))
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the export is no CSV: %v\n%s", err, data)
	}
	found := false
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q is a formula to a spreadsheet", cell)
			}
			found = found || cell == "'"+formula
		}
	}
	if !found {
		t.Fatalf("no cell '%s in\n%s", formula, data)
	}

	n = len(h.API.Messages(org.ID))
	h.API.SendText(org, "/export members")
	xlsx := h.Nth(org.ID, n+1)
	if xlsx.Document == nil {
		t.Fatalf("no XLSX but %q", xlsx.Text)
	}
	found = false
	for _, row := range readXLSX(t, xlsx.Document.Data) {
		found = found || (len(row) > 0 && row[0] == formula)
	}
	if !found {
		t.Fatalf("the XLSX export does not hold the name as written")
	}
}

// TestBotRefusesControlCharacters: a Telegram name with control characters
// cannot ask to join; a typed event title or place, a notice, an edited
// title and a record's topic or summary with NUL, ESC or a C1 control are
// answered in the organizer's language, the dialog waits for the text
// again, and no row changes. A configured admin with such a name is
// named by their id instead, not locked out.
func TestBotRefusesControlCharacters(t *testing.T) {
	const adminID = 950
	h := bottest.New(t, bottest.WithAdmins(adminID))
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	h.Add(store.NewMember{Name: "M", Phone: "13800000002", Branch: "Town"})
	h.Link("13800000002", fakeapi.User{ID: 901, FirstName: "M"})
	orgM, _ := h.St.MemberByTelegramID(ctx, org.ID)

	// An activity day held yesterday, for its record, and a meeting to come.
	start := h.Clock()
	h.SetNow(start.Add(-72 * time.Hour))
	act := &models.Event{Kind: models.EventActivityDay, Title: "Health talk", Location: "Hall", StartAt: start.Add(-24 * time.Hour),
		Audience: "branch:Town", RSVP: true, CreatedBy: &orgM.ID}
	if _, err := h.St.CreateEvent(ctx, act, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}
	mem, _ := h.St.MemberByPhone(ctx, "13800000002")
	if err := h.St.SetCheckIn(ctx, act.ID, act.StartAt, mem.ID, true, orgM, bottest.Shanghai, act.StartAt); err != nil { // held: M came
		t.Fatal(err)
	}
	h.SetNow(start)
	meet := &models.Event{Kind: models.EventMeeting, Title: "Meeting", Location: "Office", StartAt: start.Add(48 * time.Hour),
		Audience: "branch:Town", RSVP: true, CreatedBy: &orgM.ID}
	if _, err := h.St.CreateEvent(ctx, meet, bottest.Shanghai, h.Clock()); err != nil {
		t.Fatal(err)
	}

	rows := map[string]string{
		"members":  "SELECT id, name, branch_id, role FROM members ORDER BY id",
		"branches": "SELECT id, path FROM branches ORDER BY id",
		"join":     "SELECT id, name, status FROM join_requests ORDER BY id",
		"events":   "SELECT id, title, location, description, revision FROM events ORDER BY id",
		"notices":  "SELECT id, text FROM broadcasts ORDER BY id",
		"records":  "SELECT id, topic, summary FROM activity_records ORDER BY id",
		"outbox":   "SELECT id, kind, status FROM outboxes ORDER BY id",
	}
	before := dump(t, h, rows)
	unchanged := func(what string) {
		t.Helper()
		if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
			t.Fatalf("%s changed rows:\nbefore %v\nafter  %v", what, before, after)
		}
	}
	bad := h.T(locales.En, "text.bad")
	step := func(want string) {
		t.Helper()
		d, err := h.St.Dialog(ctx, org.ID)
		if err != nil || d.Step != want {
			t.Fatalf("the dialog is not waiting at %s: %+v %v", want, d, err)
		}
	}

	// Strangers who give a name holding NUL, ESC or a bidi override.
	for i, name := range []string{"王\x00芳", "Sam\x1b[2J", "Eve\u202eevE"} {
		s := fakeapi.User{ID: int64(770 + i), FirstName: name, LanguageCode: "en"}
		picker := h.Say(s, "/join")
		h.Press(s, picker, "Town")
		if got := typeJoinName(h, s, name).Text; got != bad {
			t.Fatalf("%q asking to join was answered %q", name, got)
		}
	}
	unchanged("strangers with control characters in their names")

	// The one-line /newevent and /editevent.
	if got := h.Say(org, "/newevent meeting | 2026-12-07 09:30 | 月度\x00例会 | 二楼").Text; !strings.HasPrefix(got, bad) {
		t.Fatalf("a title with NUL: %q", got)
	}
	if got := h.Say(org, "/newevent meeting | 2026-12-07 09:30 | 月度例会 | 二楼\u009b").Text; !strings.HasPrefix(got, bad) {
		t.Fatalf("a place with a C1 control: %q", got)
	}
	if got := h.Say(org, fmt.Sprintf("/editevent %d title Meeting\x1b[31m", meet.ID)).Text; got != bad {
		t.Fatalf("an edited title with ESC: %q", got)
	}
	unchanged("refused event lines")

	// The /newevent dialog: a typed title, then a typed place.
	in := &inputs{h: h, u: org}
	in.say("/newevent")
	if got := h.Say(org, "Monthly\x00meeting").Text; got != bad {
		t.Fatalf("a typed title with NUL: %q", got)
	}
	step("title")
	what := h.Say(org, "/newevent")
	date := in.tap(what, "🗓 "+h.T(locales.En, "ne.suggest.meeting"))
	tm := in.tap(date, "30")
	in.tap(tm, "09:30")
	step("place")
	if got := h.Say(org, "Village\x1bhall").Text; got != bad {
		t.Fatalf("a typed place with ESC: %q", got)
	}
	step("place")
	unchanged("the refused dialog inputs")
	h.Say(org, "/cancel")

	// A notice.
	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	if got := h.Say(org, "Water is off\x00 on Friday").Text; got != bad {
		t.Fatalf("a notice with NUL: %q", got)
	}
	step("content")
	unchanged("a refused notice")
	h.Say(org, "/cancel")

	// A record: the topic, then the summary.
	n := len(h.API.Messages(org.ID))
	h.API.SendCallback(org, org.ID, 0, models.Callback{Action: models.ActRecord, Event: act.ID, Occ: act.StartAt, Op: "s"}.Encode())
	h.Nth(org.ID, n+1)
	step("topic")
	if got := h.Say(org, "Talk\x00").Text; got != bad {
		t.Fatalf("a topic with NUL: %q", got)
	}
	step("topic")
	h.Say(org, "Family health")
	step("summary")
	if got := h.Say(org, "Twenty came.\nLeaflets\x07 handed out.").Text; got != bad {
		t.Fatalf("a summary with BEL: %q", got)
	}
	step("summary")
	unchanged("a refused record")
	if got := h.Say(org, "Twenty came.\nLeaflets handed out.").Text; got != h.T(locales.En, "record.ask_photos", "Max", models.MaxRecordPhotos) {
		t.Fatalf("a summary of two lines: %q", got)
	}

	// A configured admin whose Telegram name holds an override.
	admin := fakeapi.User{ID: adminID, FirstName: "Boss\u202e", LanguageCode: "en"}
	h.Say(admin, "/start")
	m, err := h.St.MemberByTelegramID(ctx, adminID)
	if err != nil || m.Role != models.RoleAdmin || m.Name != fmt.Sprintf("#%d", adminID) {
		t.Fatalf("admin %+v %v", m, err)
	}
}

// TestRejectionNoteRefusesControlCharacters: an organizer's reason for
// rejecting a check, with ESC in it, is answered in their language, the
// check stays undecided and the bot waits for the reason again; a reason of
// two lines is taken.
func TestRejectionNoteRefusesControlCharacters(t *testing.T) {
	c := newCheckRig(t)
	h := c.h
	u := c.members["en"]
	c.assign("quarterly_check", models.MembersAudience(c.plan0(u)), day(2026, 12, 10, 0))
	c.at(day(2026, 12, 10, 9))
	h.SetNow(day(2026, 12, 10, 10))
	h.Press(u, h.Nth(u.ID, 1), "✅ Done")
	report := h.Nth(c.org.ID, 1)
	h.Press(c.org, report, "❌ Reject")
	h.Nth(c.org.ID, 2)
	rows := map[string]string{"checks": "SELECT id, status, note FROM check_records ORDER BY id", "plans": "SELECT id, state, cycle FROM plans ORDER BY id"}
	before := dump(t, h, rows)
	if got := h.Say(c.org, "From last year\x1b[8m hidden").Text; got != h.T(locales.En, "text.bad") {
		t.Fatalf("a reason with ESC: %q", got)
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("a refused reason changed rows:\nbefore %v\nafter  %v", before, after)
	}
	if d, err := h.St.Dialog(ctx, c.org.ID); err != nil || d.Kind != "reject" {
		t.Fatalf("the bot no longer waits for the reason: %+v %v", d, err)
	}
	h.Say(c.org, "The certificate is from last year.\nPlease send this year's.")
	h.WaitFor("the rejection", func() bool {
		recs, _ := h.St.CheckRecords(ctx, c.plan(u, "quarterly_check").ID)
		return len(recs) == 1 && recs[0].Status == models.CheckRejected && strings.Contains(recs[0].Note, "\nPlease send")
	})
}
