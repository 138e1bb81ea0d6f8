package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// listFlag is a flag given once per value, in order (--question a
// --question b).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdSurveyAdd(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	title := fs.String("title", "", "the survey's title (required)")
	audience := fs.String("audience", "", "all, branch:Town/Village, branches:Town/A|Town/B or tag:T (required)")
	var questions, kinds, options listFlag
	fs.Var(&questions, "question", "a question; give it once per question, in order (required)")
	fs.Var(&kinds, "kind", "the kind of each --question in order: satisfaction (非常满意 … 很不满意), choice or yesno (default satisfaction)")
	fs.Var(&options, "options", `the options of each choice question in order, "a|b|c" (2 to 8)`)
	var comments listFlag
	fs.Var(&comments, "comment", "question N (1, 2 …) takes an optional comment after its answer; give it once per such question")
	anonymous := fs.Bool("anonymous", false, "nobody, admins included, can see who answered what")
	closes := fs.String("closes", "", `when it closes, "YYYY-MM-DD HH:MM" in the association's time zone (default: open until closed)`)
	remind := fs.Int("remind-hours", 24, "remind those who have not finished this many hours before it closes (0: never)")
	tz := tzFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if strings.TrimSpace(*title) == "" || len(questions) == 0 {
			return usageError{"survey add needs --title and at least one --question"}
		}
		aud, err := models.ParseAudience(*audience)
		if err != nil {
			return usageError{fmt.Sprintf("--audience: want all, branch:Town/Village, branches:Town/A|Town/B or tag:T, got %q", *audience)}
		}
		if len(kinds) > len(questions) {
			return usageError{fmt.Sprintf("%d --kind for %d --question: give one --kind per --question, in order", len(kinds), len(questions))}
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		now := c.now()
		sv := &models.Survey{Title: strings.TrimSpace(*title), Audience: aud.String(), Anonymous: *anonymous, OpensAt: now, RemindHours: *remind}
		if *remind < 0 || *remind > 24*30 {
			return usageError{"--remind-hours: 0 (never) to 720"}
		}
		if *closes != "" {
			at, _, err := localFlag("closes", *closes, loc)
			if err != nil {
				return err
			}
			if !at.After(now) {
				return usageError{fmt.Sprintf("--closes %s is in the past", *closes)}
			}
			sv.ClosesAt = &at
		}
		next := 0
		for i, text := range questions {
			kind := models.QuestionSatisfaction
			if i < len(kinds) {
				kind = models.QuestionKind(strings.ToLower(strings.TrimSpace(kinds[i])))
				if !kind.Valid() {
					return usageError{fmt.Sprintf("--kind %q: satisfaction, choice or yesno", kinds[i])}
				}
			}
			q := models.SurveyQuestion{Kind: kind, Text: strings.TrimSpace(text)}
			if kind == models.QuestionChoice {
				if next >= len(options) {
					return usageError{fmt.Sprintf("question %d is a choice: give its --options \"a|b|c\"", i+1)}
				}
				parts := strings.Split(options[next], "|")
				for j := range parts {
					parts[j] = strings.TrimSpace(parts[j])
				}
				q.Options = strings.Join(parts, "|")
				next++
			}
			sv.Questions = append(sv.Questions, q)
		}
		if next < len(options) {
			return usageError{fmt.Sprintf("%d --options for %d choice questions", len(options), next)}
		}
		for _, n := range comments {
			i, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil || i < 1 || i > len(sv.Questions) {
				return usageError{fmt.Sprintf("--comment %q: the number of a question, 1 to %d", n, len(sv.Questions))}
			}
			sv.Questions[i-1].Comment = true
		}
		if err := sv.Validate(); err != nil {
			return usageError{err.Error()}
		}
		st, err := openStoreSMS(ctx, *db, c.getenv)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := checkAudience(ctx, st, aud, false); err != nil {
			return err
		}
		asked, err := st.CreateSurvey(ctx, sv, now)
		if errors.Is(err, store.ErrNobodyAsked) {
			return usageError{fmt.Sprintf("--audience %s has no member to ask", aud)}
		}
		if err != nil {
			return err
		}
		closing := "open until closed (assocbot survey close " + strconv.FormatUint(uint64(sv.ID), 10) + ")"
		if sv.ClosesAt != nil {
			closing = "closes " + sv.ClosesAt.In(loc).Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(c.stdout, "survey %d: %d questions to %d members of %s, %s\n", sv.ID, len(sv.Questions), asked, aud, closing)
		return nil
	}
}

func cmdSurveyList(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	tz := tzFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		svs, err := st.Surveys(ctx)
		if err != nil {
			return err
		}
		if len(svs) == 0 {
			fmt.Fprintln(c.stdout, "no surveys yet: assocbot survey add --title T --audience A --question Q")
			return nil
		}
		w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tTITLE\tAUDIENCE\tANSWERED\tSTATE")
		now := c.now()
		for i := range svs {
			sv := &svs[i]
			t, err := st.SurveyTallyOf(ctx, sv)
			if err != nil {
				return err
			}
			f := reports.Figures(sv, t)
			state := "open"
			switch {
			case !sv.Open(now):
				state = "closed"
			case sv.ClosesAt != nil:
				state = "open until " + sv.ClosesAt.In(loc).Format("2006-01-02 15:04")
			}
			if sv.Anonymous {
				state += ", anonymous"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%d/%d\t%s\n", sv.ID, sv.Title, sv.Audience, f.Answered, f.Asked, state)
		}
		return w.Flush()
	}
}

// surveyArg reads the one argument of a survey command: its id.
func surveyArg(cmd string, args []string) (uint, error) { return idArg(cmd, "survey", args) }

// idArg is the one id a command takes (a survey's, a visit's), or the
// usage error that says what is wrong with it.
func idArg(cmd, what string, args []string) (uint, error) {
	if len(args) != 1 {
		return 0, usageError{fmt.Sprintf("%s needs the %s's id: assocbot %s 3", cmd, what, cmd)}
	}
	id, err := strconv.ParseUint(args[0], 10, 32)
	if err != nil || id == 0 {
		return 0, usageError{fmt.Sprintf("%q is not a %s id (assocbot %s list shows them)", args[0], what, what)}
	}
	return uint(id), nil
}

func cmdSurveyClose(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		id, err := surveyArg("survey close", pos)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		closed, err := st.CloseSurvey(ctx, id, c.now())
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no survey %d (assocbot survey list shows them)", id)}
		}
		if err != nil {
			return err
		}
		if !closed {
			fmt.Fprintf(c.stdout, "survey %d was closed already\n", id)
			return nil
		}
		fmt.Fprintf(c.stdout, "survey %d closed: it takes no more answers\n", id)
		return nil
	}
}

func cmdSurveyResults(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	format := fs.String("format", "text", "text, csv or xlsx")
	out := fs.String("o", "", "write to this file (needed for xlsx)")
	lang := fs.String("lang", "", "the words of the results: zh-Hans, zh-Hant or en (default ASSOCBOT_LANG)")
	tz := tzFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		id, err := surveyArg("survey results", pos)
		if err != nil {
			return err
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		l := locales.Resolve(*lang, "", locales.Resolve(c.getenv("ASSOCBOT_LANG"), "", locales.ZhHans))
		if _, ok := locales.Parse(*lang); *lang != "" && !ok {
			return usageError{fmt.Sprintf("--lang %q: zh-Hans, zh-Hant or en", *lang)}
		}
		f := strings.ToLower(*format)
		if f != "text" && f != "csv" && f != "xlsx" {
			return usageError{fmt.Sprintf("--format %q: text, csv or xlsx", *format)}
		}
		if f == "xlsx" && *out == "" {
			return usageError{"an XLSX file needs -o FILE"}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		sv, err := st.SurveyByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no survey %d (assocbot survey list shows them)", id)}
		}
		if err != nil {
			return err
		}
		t, err := st.SurveyTallyOf(ctx, sv)
		if err != nil {
			return err
		}
		named, err := st.NamedSurveyAnswers(ctx, sv)
		if err != nil {
			return err
		}
		cat, err := locales.New()
		if err != nil {
			return err
		}
		figures := reports.Figures(sv, t)
		w := c.stdout
		if *out != "" {
			file, err := os.Create(*out)
			if err != nil {
				return fmt.Errorf("-o %s: %w", *out, err)
			}
			defer file.Close()
			w = file
		}
		if f == "text" {
			_, err = fmt.Fprintln(w, reports.SurveyText(cat, l, loc, sv, figures))
			return err
		}
		format, _ := roster.ParseFormat(f)
		if err := roster.WriteTables(w, format, reports.SurveyTables(cat, l, loc, sv, figures, named)...); err != nil {
			return err
		}
		if *out != "" {
			fmt.Fprintf(c.stdout, "wrote %s\n", *out)
		}
		return nil
	}
}
