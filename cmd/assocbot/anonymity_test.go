package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// TestAnonymousAnswersLinkToNobody: seven members, five of Town/East and
// two of Town/West, are asked an anonymous survey (a satisfaction question
// with a comment, a choice); six answer by taps, each a minute after the
// last, and comment, and one does not. The five of Town/East also came to
// an activity and answer its day-after survey. In a second world the same
// people give the same answers shuffled among those of each branch. All an
// organizer or an admin can read — the survey results in each language
// and format, every export, /surveys, 📊, /stats, /records, the member
// list, and the rows organizers' commands read, with their times — is the
// same in both worlds: nothing says who answered what. The same survey
// named instead differs (the test sees a link where there is one).
func TestAnonymousAnswersLinkToNobody(t *testing.T) {
	type answer struct {
		scale   string
		day     string
		comment string
		event   string // the day-after survey's answer
	}
	east := []answer{
		{"Very satisfied", "Sat", "more chairs please", "Very satisfied"},
		{"Satisfied", "Sun", "the hall was cold", "Satisfied"},
		{"Neutral", "Sat", "good doctor", "Dissatisfied"},
		{"Dissatisfied", "Sun", "start later", "Very satisfied"},
		{"Very dissatisfied", "Sat", "too long", "Neutral"},
	}
	west := []answer{{"Very satisfied", "Sun", "thank you", ""}}
	world := func(anonymous bool, eastOrder, westOrder []int) map[string]string {
		h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{Rate: 1000, Workers: 2}))
		clock := testClock()
		h.SetNow(clock)
		tick := func() { clock = clock.Add(time.Minute); h.SetNow(clock) }
		org := fakeapi.User{ID: 700, FirstName: "Org", LanguageCode: "en"}
		h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
		h.Link("13900000000", org)
		type person struct {
			u      fakeapi.User
			answer *answer
		}
		var people []person
		for i := range 7 {
			branch := "Town/East"
			if i >= 5 {
				branch = "Town/West"
			}
			u := fakeapi.User{ID: int64(701 + i), FirstName: fmt.Sprint("M", i+1), LanguageCode: "en"}
			phone := fmt.Sprint("1380000000", i+1)
			h.Add(store.NewMember{Name: u.FirstName, Phone: phone, Branch: branch, Lang: "en"})
			h.Link(phone, u)
			p := person{u: u}
			switch {
			case i < 5:
				p.answer = &east[eastOrder[i]]
			case i == 5:
				p.answer = &west[westOrder[0]]
			} // the seventh does not answer
			people = append(people, p)
		}
		vars := map[string]string{"ASSOCBOT_DB": h.DSN, "ASSOCBOT_LANG": "en"}
		getenv := func(k string) string { return vars[k] }
		cli := func(args ...string) string { t.Helper(); return mustCLI(t, getenv, args...) }
		// An activity of Town/East held this morning, the five checked in.
		held := clock.Add(-4 * time.Hour)
		act := &models.Event{Kind: models.EventActivityDay, Title: "Talk", StartAt: held, DurationMin: 60, Audience: "branch:Town/East", RSVP: true}
		if _, err := h.St.CreateEvent(context.Background(), act, bottest.Shanghai, held.Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		orgM, _ := h.St.MemberByPhone(context.Background(), "13900000000")
		for _, p := range people[:5] {
			m, _ := h.St.MemberByTelegramID(context.Background(), p.u.ID)
			if err := h.St.SetCheckIn(context.Background(), act.ID, held, m.ID, true, orgM, bottest.Shanghai, held.Add(10*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		add := []string{"survey", "add", "--title", "Services", "--audience", "branch:Town",
			"--question", "Our services?", "--question", "Best day?", "--kind", "satisfaction", "--kind", "choice", "--options", "Sat|Sun",
			"--comment", "1", "--closes", "2026-11-30 18:00"}
		if anonymous {
			add = append(add, "--anonymous")
		}
		cli(add...)
		if _, err := h.St.OpenEventSurvey(context.Background(), planner.EventSurvey(act, held), clock); err != nil {
			t.Fatal(err)
		}
		h.Dispatcher.Wake()
		en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
		find := func(u fakeapi.User, text string) fakeapi.Message {
			var found fakeapi.Message
			h.WaitFor(text, func() bool {
				for _, m := range h.API.Messages(u.ID) {
					if strings.Contains(m.Text, text) {
						found = m
						return true
					}
				}
				return false
			})
			return found
		}
		for _, p := range people {
			find(p.u, "Our services?")
			if p.answer != nil && p.answer.event != "" {
				find(p.u, "How satisfied were you with Talk")
			}
		}
		for _, p := range people {
			if p.answer == nil {
				continue
			}
			u, a := p.u, p.answer
			tick()
			msg := find(u, "Our services?")
			h.Press(u, msg, a.scale)
			h.WaitFor("the second question", func() bool { return strings.Contains(h.Message(u.ID, msg.ID).Text, "Best day?") })
			tick()
			h.Press(u, h.Message(u.ID, msg.ID), a.day)
			h.WaitFor("the thank-you", func() bool { return strings.HasPrefix(h.Message(u.ID, msg.ID).Text, "🙏") })
			tick()
			n := len(h.API.Messages(u.ID))
			if got := h.Press(u, h.Message(u.ID, msg.ID), en("survey.button.comment", "N", 1)); got != "" {
				t.Fatalf("💬: %q", got)
			}
			if ask := h.Nth(u.ID, n+1).Text; !strings.HasPrefix(ask, "💬 Your comment on “Our services?”") {
				t.Fatalf("the comment's question: %q", ask)
			}
			if got := h.Say(u, a.comment).Text; got != en("survey.comment.saved") {
				t.Fatalf("the comment: %q", got)
			}
			if a.event != "" {
				tick()
				ev := find(u, "How satisfied were you with Talk")
				if got := h.Press(u, ev, a.event); got != en("survey.saved") {
					t.Fatalf("the day-after survey: %q", got)
				}
			}
		}
		tick()
		out := map[string]string{}
		for _, l := range []string{"en", "zh-Hans", "zh-Hant"} {
			for _, id := range []string{"1", "2"} {
				out["results "+id+" "+l] = cli("survey", "results", id, "--lang", l)
				out["results "+id+" csv "+l] = cli("survey", "results", id, "--format", "csv", "--lang", l)
				out["results "+id+" xlsx "+l] = xlsxText(t, func(file string) { cli("survey", "results", id, "--format", "xlsx", "-o", file, "--lang", l) })
			}
		}
		out["survey list"] = cli("survey", "list")
		out["member list"] = cli("member", "list")
		for _, what := range []string{"members", "overdue", "records", "event " + fmt.Sprint(act.ID)} {
			args := append([]string{"export"}, strings.Fields(what)...)
			out["export "+what] = xlsxText(t, func(file string) { cli(append(args, "-o", file)...) })
		}
		list := h.Say(org, "/surveys")
		out["/surveys"] = list.Text
		for _, title := range []string{"Services", "Talk"} {
			n := len(h.API.Messages(org.ID))
			h.Press(org, list, en("survey.button.results", "Title", title))
			h.WaitFor("the results", func() bool { return len(h.API.Messages(org.ID)) > n })
			out["📊 "+title] = h.Nth(org.ID, n+1).Text
		}
		out["/stats"] = h.Say(org, "/stats").Text
		out["/records"] = h.Say(org, "/records").Text
		// The rows organizers' commands read, as sets with their times: an
		// id's order is not what they read.
		for name, q := range map[string]string{
			"answers":  "SELECT survey_id, question_id, branch_id, member_id, choice, updated_at FROM survey_answers",
			"takers":   "SELECT survey_id, member_id, branch_id, answered, commented, finished_at, reminded_at FROM survey_takers",
			"comments": "SELECT question_id, branch_id, member_id, text, created_at FROM survey_comments",
		} {
			rows, err := storetest.Dump(context.Background(), h.DSN, q)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(rows, "\n")
			sort.Strings(lines)
			out["rows "+name] = strings.Join(lines, "\n")
		}
		return out
	}
	differ := func(a, b map[string]string) []string {
		var out []string
		for k := range a {
			if a[k] != b[k] {
				out = append(out, fmt.Sprintf("%s:\n%s\n--- shuffled:\n%s", k, a[k], b[k]))
			}
		}
		sort.Strings(out)
		return out
	}
	same, shuffled := []int{0, 1, 2, 3, 4}, []int{3, 0, 4, 1, 2}
	a, b := world(true, same, []int{0}), world(true, shuffled, []int{0})
	if d := differ(a, b); len(d) > 0 {
		t.Fatalf("who answered what shows in:\n%s", strings.Join(d, "\n\n"))
	}
	for key, want := range map[string]string{"results 1 en": "Answered: 6 of 8", "results 2 en": "Satisfaction: 60% (3 of 5)", "/stats": "satisfaction with events: 60% (3/5)"} {
		if !strings.Contains(a[key], want) {
			t.Fatalf("%s lacks %q:\n%s", key, want, a[key])
		}
	}
	if !strings.Contains(a["results 1 en"], "more chairs please") {
		t.Fatalf("the anonymous results lack the comments:\n%s", a["results 1 en"])
	}
	if d := differ(world(false, same, []int{0}), world(false, shuffled, []int{0})); len(d) == 0 {
		t.Fatal("a named survey's answers shuffled among its members change nothing an organizer reads: the test sees no link")
	}
}

// xlsxText writes an XLSX file with write and renders its sheets as text.
func xlsxText(t *testing.T, write func(file string)) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "x.xlsx")
	write(file)
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "[%s]\n", s)
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}
