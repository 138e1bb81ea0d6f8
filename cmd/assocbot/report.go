package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// cmdReportFigures is `assocbot report figures`: a report duty's figures
// per branch for a period, against the one before, and who has not
// reported.
func cmdReportFigures(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	kind := fs.String("kind", "", "the report duty's kind (assocbot plan kind list)")
	period := fs.String("period", "", "a month (2026-12) or a quarter (2026Q4) (default: this month)")
	format := fs.String("format", "text", "text, csv or xlsx")
	out := fs.String("o", "", "write to this file (needed for xlsx)")
	lang := fs.String("lang", "", "the words: zh-Hans, zh-Hant or en (default ASSOCBOT_LANG)")
	tz := tzFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if *kind == "" {
			return usageError{"report figures needs --kind (a duty that asks for figures)"}
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
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		if *period == "" {
			*period = models.DayOf(c.now(), loc).Format("2006-01")
		}
		p, err := models.ParsePeriod(*period)
		if err != nil {
			return usageError{"--period: " + err.Error()}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		k, err := st.PlanKindByKey(ctx, *kind)
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("--kind %q: no such kind (assocbot plan kind list)", *kind)}
		}
		if err != nil {
			return err
		}
		if len(k.FigureList()) == 0 {
			return usageError{fmt.Sprintf("--kind %s asks for no figures (plan kind add … --figures)", *kind)}
		}
		t, err := st.FigureTotalsOf(ctx, k, models.Scope{Admin: true}, p)
		if err != nil {
			return err
		}
		cat, err := locales.New()
		if err != nil {
			return err
		}
		w := c.stdout
		if *out != "" {
			file, err := os.Create(*out)
			if err != nil {
				return usageError{fmt.Sprintf("-o %s: cannot write it: %v", *out, errors.Unwrap(err))}
			}
			defer file.Close()
			w = file
		}
		if f == "text" {
			_, err = fmt.Fprintln(w, reports.FiguresText(cat, l, t))
			return err
		}
		format, _ := roster.ParseFormat(f)
		return roster.Write(w, format, reports.FiguresTable(cat, l, t))
	}
}
