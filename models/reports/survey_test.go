package reports_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// tally is a satisfaction survey's: three branches, one of them small.
func tally() (*models.Survey, *store.SurveyTally) {
	sv := &models.Survey{ID: 3, Title: "2026年第四季度满意度调查", Questions: []models.SurveyQuestion{
		{ID: 10, Position: 1, Kind: models.QuestionSatisfaction, Text: "您对本季度的服务满意吗？"},
		{ID: 11, Position: 2, Kind: models.QuestionChoice, Text: "活动放在哪天好？", Options: "周六|周日"},
	}}
	t := &store.SurveyTally{
		Asked:    map[string]int{"东城镇/李家村": 10, "东城镇/王庄村": 8, "西城社区": 3},
		Answered: map[string]int{"东城镇/李家村": 8, "东城镇/王庄村": 6, "西城社区": 2},
		Counts: map[int]map[string][]int{
			1: {"东城镇/李家村": {0, 4, 2, 1, 1, 0}, "东城镇/王庄村": {0, 1, 3, 2, 0, 0}, "西城社区": {0, 1, 0, 0, 0, 1}},
			2: {"东城镇/李家村": {0, 5, 3}, "东城镇/王庄村": {0, 2, 4}, "西城社区": {0, 1, 1}},
		},
	}
	return sv, t
}

// TestSurveyResultsGolden: the results text in each language, named and
// anonymous (a branch with fewer than five answers folded; comments
// without names), and an occurrence's day-after survey (its question in
// the reader's words).
func TestSurveyResultsGolden(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, variant := range []string{"", "anonymous", "event"} {
		for _, l := range locales.All() {
			sv, ta := tally()
			sv.Questions[0].Comment = true
			ta.Comments = []store.SurveyCommentRow{{Position: 1, Text: "希望多办健康讲座", Name: "王芳", Branch: "东城镇/李家村"}, {Position: 1, Text: "Thank you!"}}
			switch variant {
			case "anonymous":
				sv.Anonymous = true
				ta.Comments[0].Name, ta.Comments[0].Branch = "", ""
			case "event":
				e := &models.Event{Title: "会员活动日：健康知识讲座"}
				e.ID = 4
				ev := planner.EventSurvey(e, time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC))
				ev.ID, ev.Questions[0].ID = 3, 10
				sv = ev
				delete(ta.Counts, 2)
				ta.Comments = nil
			}
			got := reports.SurveyText(cat, l, sh, sv, reports.Figures(sv, ta)) + "\n"
			name := string(l) + ".golden"
			if variant != "" {
				name = string(l) + "." + variant + ".golden"
			}
			path := filepath.Join("testdata", "survey_results."+name)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./models/reports -update writes it)", err)
			}
			if got != string(want) {
				t.Errorf("%s:\n%s\nwant\n%s", path, got, want)
			}
		}
	}
}

// TestSurveyFigures: the response and satisfaction rates, and the folding
// of small branches in an anonymous survey.
func TestSurveyFigures(t *testing.T) {
	sv, ta := tally()
	f := reports.Figures(sv, ta)
	q := f.Questions[0]
	if f.Asked != 21 || f.Answered != 16 || q.Valid != 16 || q.Satisfied != 11 || q.Counts[5] != 1 {
		t.Fatalf("%+v", f)
	}
	if len(f.Branches) != 3 {
		t.Fatalf("named: %d branches", len(f.Branches))
	}
	sv.Anonymous = true
	f = reports.Figures(sv, ta)
	last := f.Branches[len(f.Branches)-1]
	if len(f.Branches) != 3 || !last.Folded || last.Asked != 3 || last.Answered != 2 || last.Valid != 2 || last.Satisfied != 1 {
		t.Fatalf("anonymous: %+v", f.Branches)
	}
}
