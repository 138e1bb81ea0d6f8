package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// TestAnonymousAnswersLinkToNobody: six members answer an anonymous
// survey (a satisfaction question with a comment, a choice) by taps and a
// typed comment, and, in a second world, the same six give the same
// answers shuffled among them. Everything an organizer or an admin can
// read — every export and the survey results in each language and format,
// /surveys, 📊, /stats, /records, the member list, and the rows organizers'
// commands read from the database — is the same in both worlds: nothing
// says who answered what. The same survey named instead differs (the test
// can see a link where there is one).
func TestAnonymousAnswersLinkToNobody(t *testing.T) {
	answers := []struct {
		scale   string
		day     string
		comment string
	}{
		{"Very satisfied", "Sat", "more chairs please"},
		{"Satisfied", "Sun", "the hall was cold"},
		{"Neutral", "Sat", "good doctor"},
		{"Dissatisfied", "Sun", "start later"},
		{"Very dissatisfied", "Sat", "too long"},
		{"Very satisfied", "Sun", "thank you"},
	}
	world := func(anonymous bool, order []int) map[string]string {
		h := bottest.New(t, bottest.WithDispatcher(dispatch.Config{Rate: 1000, Workers: 2}))
		h.SetNow(testClock())
		org := fakeapi.User{ID: 700, FirstName: "Org", LanguageCode: "en"}
		h.Add(store.NewMember{Name: "Org", Phone: "13900000000", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
		h.Link("13900000000", org)
		var us []fakeapi.User
		for i := range answers {
			u := fakeapi.User{ID: int64(701 + i), FirstName: fmt.Sprint("M", i+1), LanguageCode: "en"}
			phone := fmt.Sprint("1380000000", i+1)
			h.Add(store.NewMember{Name: u.FirstName, Phone: phone, Branch: "Town/East", Lang: "en"})
			h.Link(phone, u)
			us = append(us, u)
		}
		vars := map[string]string{"ASSOCBOT_DB": h.DSN, "ASSOCBOT_LANG": "en"}
		getenv := func(k string) string { return vars[k] }
		cli := func(args ...string) string {
			t.Helper()
			code, out, errOut := runCLI(t, getenv, "", args...)
			if code != 0 {
				t.Fatalf("%v: exit %d %s", args, code, errOut)
			}
			return out
		}
		add := []string{"survey", "add", "--title", "Services", "--audience", "branch:Town/East",
			"--question", "Our services?", "--question", "Best day?", "--kind", "satisfaction", "--kind", "choice", "--options", "Sat|Sun",
			"--comment", "1", "--closes", "2026-11-30 18:00"}
		if anonymous {
			add = append(add, "--anonymous")
		}
		cli(add...)
		h.Dispatcher.Wake()
		en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
		for i, u := range us {
			a := answers[order[i]]
			msg := h.Nth(u.ID, 1)
			h.Press(u, msg, a.scale)
			h.WaitFor("the second question", func() bool { return strings.Contains(h.Message(u.ID, msg.ID).Text, "Best day?") })
			h.Press(u, h.Message(u.ID, msg.ID), a.day)
			h.WaitFor("the thank-you", func() bool { return strings.HasPrefix(h.Message(u.ID, msg.ID).Text, "🙏") })
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
		}
		out := map[string]string{}
		for _, l := range []string{"en", "zh-Hans", "zh-Hant"} {
			out["results "+l] = cli("survey", "results", "1", "--lang", l)
			out["results csv "+l] = cli("survey", "results", "1", "--format", "csv", "--lang", l)
			out["results xlsx "+l] = xlsxText(t, func(file string) { cli("survey", "results", "1", "--format", "xlsx", "-o", file, "--lang", l) })
		}
		out["survey list"] = cli("survey", "list")
		out["member list"] = cli("member", "list")
		for _, what := range []string{"members", "overdue", "records"} {
			out["export "+what] = xlsxText(t, func(file string) { cli("export", what, "-o", file) })
		}
		list := h.Say(org, "/surveys")
		out["/surveys"] = list.Text
		n := len(h.API.Messages(org.ID))
		h.Press(org, list, en("survey.button.results", "Title", "Services"))
		h.WaitFor("the results", func() bool { return len(h.API.Messages(org.ID)) > n })
		out["📊"] = h.Nth(org.ID, n+1).Text
		out["/stats"] = h.Say(org, "/stats").Text
		out["/records"] = h.Say(org, "/records").Text
		// The rows organizers' commands read, as sets: an id's order is
		// not what they read.
		for name, q := range map[string]string{
			"answers":  "SELECT question_id, branch_id, member_id, choice FROM survey_answers",
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
	same := []int{0, 1, 2, 3, 4, 5}
	shuffled := []int{5, 3, 0, 4, 1, 2}
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
	a, b := world(true, same), world(true, shuffled)
	if d := differ(a, b); len(d) > 0 {
		t.Fatalf("who answered what shows in:\n%s", strings.Join(d, "\n\n"))
	}
	for _, want := range []string{"Answered: 6 of 6", "more chairs please", "Sat 3"} {
		if !strings.Contains(a["results en"], want) {
			t.Fatalf("the anonymous results lack %q:\n%s", want, a["results en"])
		}
	}
	if d := differ(world(false, same), world(false, shuffled)); len(d) == 0 {
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
