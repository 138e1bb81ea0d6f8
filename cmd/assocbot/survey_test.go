package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestCLISurveys: a survey made, listed, answered, its results as text,
// CSV and XLSX (read back), closed; bad input answered in a line, exit 2.
func TestCLISurveys(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	vars := map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_LANG": "en"}
	getenv := func(k string) string { return vars[k] }
	must := func(args ...string) string { t.Helper(); return mustCLI(t, getenv, args...) }
	for _, p := range []string{"13800000001", "13800000002", "13800000003"} {
		must("member", "add", "--name", "M"+p[len(p)-1:], "--phone", p, "--branch", "东城镇/李家村", "--new-branch")
	}
	out := must("survey", "add", "--title", "满意度调查", "--audience", "branch:东城镇/李家村",
		"--question", "您对活动满意吗？", "--question", "哪天好？", "--kind", "satisfaction", "--kind", "choice", "--options", "周六|周日",
		"--closes", "2026-11-30 18:00")
	if !strings.HasPrefix(out, "survey 1: 2 questions to 3 members of branch:东城镇/李家村, closes 2026-11-30 18:00") {
		t.Fatalf("add: %q", out)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"survey", "add", "--title", "T", "--audience", "branch:东城镇/李家村"}, "at least one --question"},
		{[]string{"survey", "add", "--title", "T", "--audience", "branch:东城镇/李家村", "--question", "Q", "--kind", "stars"}, `--kind "stars"`},
		{[]string{"survey", "add", "--title", "T", "--audience", "branch:东城镇/李家村", "--question", "Q", "--kind", "choice"}, "give its --options"},
		{[]string{"survey", "add", "--title", "T", "--audience", "branch:东城镇/李家村", "--question", "Q", "--kind", "choice", "--options", "a"}, "2 to 8 options"},
		{[]string{"survey", "add", "--title", "T", "--audience", "branch:东城镇/李家庄", "--question", "Q"}, "李家村"},
		{[]string{"survey", "add", "--title", "T", "--audience", "branch:东城镇/李家村", "--question", "Q", "--closes", "2026-11-01 09:00"}, "in the past"},
		{[]string{"survey", "results", "x"}, `"x" is not a survey id`},
		{[]string{"survey", "results", "9"}, "no survey 9"},
		{[]string{"survey", "results", "1", "--format", "xlsx"}, "needs -o FILE"},
		{[]string{"survey", "close"}, "needs the survey's id"},
		{[]string{"survey", "reslts"}, "did you mean results?"},
	} {
		code, _, errOut := runCLI(t, getenv, "", bad.args...)
		if code != 2 || !strings.Contains(errOut, bad.want) {
			t.Errorf("%v: exit %d %q, want %q", bad.args, code, errOut, bad.want)
		}
	}
	// Two answer, as their taps would.
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for i, choices := range [][2]int{{1, 2}, {4, 2}} {
		m, _ := st.MemberByPhone(context.Background(), "1380000000"+string(rune('1'+i)))
		for pos, c := range choices {
			if _, err := st.AnswerSurvey(context.Background(), 1, m, pos+1, c, "", testClock()); err != nil {
				t.Fatal(err)
			}
		}
	}
	st.Close()
	if out := must("survey", "list"); !strings.Contains(out, "满意度调查") || !strings.Contains(out, "2/3") || !strings.Contains(out, "open until 2026-11-30 18:00") {
		t.Fatalf("list: %q", out)
	}
	text := must("survey", "results", "1")
	for _, want := range []string{"Answered: 2 of 3 (67%)", "Very satisfied 1, Satisfied 0, Neutral 0, Dissatisfied 1", "Satisfaction: 50% (1 of 2)", "周六 0, 周日 2"} {
		if !strings.Contains(text, want) {
			t.Fatalf("results without %q:\n%s", want, text)
		}
	}
	if zh := must("survey", "results", "1", "--lang", "zh-Hans"); !strings.Contains(zh, "满意率：50%（2 人中 1 人满意）") {
		t.Fatalf("results in Chinese:\n%s", zh)
	}
	xlsx := filepath.Join(dir, "r.xlsx")
	must("survey", "results", "1", "--format", "xlsx", "-o", xlsx)
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); strings.Join(sheets, ",") != "Results,Branches,Answers" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("Answers")
	if len(rows) != 3 || rows[1][0] != "M1" || rows[1][3] != "Very satisfied" || rows[2][3] != "Dissatisfied" || rows[2][4] != "周日" {
		t.Fatalf("answers sheet %v", rows)
	}
	res, _ := f.GetRows("Results")
	if len(res) < 2 || res[1][1] != "2/3" {
		t.Fatalf("results sheet %v", res)
	}
	csv := must("survey", "results", "1", "--format", "csv")
	if !strings.Contains(csv, "1. 您对活动满意吗？,satisfaction rate,50%") {
		t.Fatalf("csv:\n%s", csv)
	}
	if out := must("survey", "close", "1"); out != "survey 1 closed: it takes no more answers\n" {
		t.Fatalf("close: %q", out)
	}
	if out := must("survey", "close", "1"); out != "survey 1 was closed already\n" {
		t.Fatalf("close again: %q", out)
	}
	if out := must("survey", "list"); !strings.Contains(out, "closed") {
		t.Fatalf("list after close: %q", out)
	}
	// An anonymous survey's export has no answers sheet; with fewer than
	// five answers, no counts either.
	must("survey", "add", "--title", "匿名", "--audience", "branch:东城镇/李家村", "--question", "满意吗？", "--anonymous")
	anon := filepath.Join(dir, "a.xlsx")
	must("survey", "results", "2", "--format", "xlsx", "-o", anon)
	g, err := excelize.OpenFile(anon)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if sheets := g.GetSheetList(); strings.Join(sheets, ",") != "Results" {
		t.Fatalf("anonymous sheets %v", sheets)
	}
	if rows, _ := g.GetRows("Results"); len(rows) != 3 || !strings.Contains(rows[2][0], "once 5 have answered") {
		t.Fatalf("an anonymous survey without answers: %v", rows)
	}
	_ = os.Remove(anon)
}
