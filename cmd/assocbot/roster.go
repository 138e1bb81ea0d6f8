package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// cmdImport is `assocbot import FILE [--dry-run]`: a member list, CSV or
// XLSX, checked and applied all or nothing.
func cmdImport(fs *flag.FlagSet, c cli) runner {
	stdout, getenv, clock := c.stdout, c.getenv, c.now
	db := dbFlag(fs, getenv)
	tz := tzFlag(fs, getenv)
	dry := fs.Bool("dry-run", false, "check and report, import nothing")
	lang := fs.String("lang", "en", "the report's language: zh-Hans, zh-Hant or en")
	maxMBDefault := getenv("ASSOCBOT_IMPORT_MAX_MB")
	if maxMBDefault == "" {
		maxMBDefault = "20"
	}
	maxMBText := fs.String("max-mb", maxMBDefault, "the largest file read, in MB (ASSOCBOT_IMPORT_MAX_MB)")
	return func(ctx context.Context, args []string) error {
		files, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return usageError{"import needs one file: assocbot import FILE [--dry-run]"}
		}
		l, ok := locales.Parse(*lang)
		if !ok {
			return usageError{fmt.Sprintf("--lang must be zh-Hans, zh-Hant or en, got %q", *lang)}
		}
		maxMB, err := strconv.Atoi(*maxMBText)
		if err != nil || maxMB < 1 || maxMB > maxImportMB {
			return usageError{fmt.Sprintf("--max-mb (or ASSOCBOT_IMPORT_MAX_MB) must be a whole number of MB from 1 to %d, got %q", maxImportMB, *maxMBText)}
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		if getenv("GOMEMLIMIT") == "" {
			// A list of 100,000 members holds about 120 MB live at its peak;
			// a soft limit makes the collector keep the process near it rather
			// than at twice it.
			debug.SetMemoryLimit(importMemoryLimit)
		}
		f, err := os.Open(files[0])
		if err != nil {
			return usageError{fmt.Sprintf("cannot read %s: %v", files[0], errors.Unwrap(err))}
		}
		defer f.Close()
		rows, problems, err := roster.Parse(f, importLimits(maxMB))
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		rep, err := st.ImportRoster(ctx, rows, problems, store.ImportOptions{Scope: models.Scope{Admin: true}, DryRun: *dry, Location: loc, Now: clock()})
		if err != nil {
			return err
		}
		cat, err := locales.New()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rep.Text(cat, l))
		if len(rep.Problems) > 0 {
			return errProblems
		}
		return nil
	}
}

// importMemoryLimit is the import's soft memory limit (GOMEMLIMIT overrides).
const importMemoryLimit = 140 << 20

// errProblems makes an import with bad rows exit 2 (bad input) after its
// report.
var errProblems = quietError{"the file has problems; nothing was imported"}

// quietError fails a command on bad input that its output explained
// already: exit 2, one line.
type quietError struct{ msg string }

func (e quietError) Error() string { return e.msg }

// cmdExport is `assocbot export members|event ID|records|overdue|visits`.
func cmdExport(fs *flag.FlagSet, c cli) runner {
	stdout, getenv, clock := c.stdout, c.getenv, c.now
	db := dbFlag(fs, getenv)
	tz := tzFlag(fs, getenv)
	format := fs.String("format", "xlsx", "xlsx or csv")
	out := fs.String("o", "", "the file to write (required)")
	lang := fs.String("lang", "zh-Hans", "column names in zh-Hans, zh-Hant or en")
	quarter := fs.String("quarter", "", "for records and visits: the quarter, e.g. 2026Q4 (default: this one)")
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(pos) == 0 {
			return usageError{"export needs a table: members, overdue, records, visits or event ID"}
		}
		what, rest := pos[0], pos[1:]
		var eventID uint
		if what == "event" {
			if len(rest) == 0 {
				return usageError{"export event needs the event's number"}
			}
			n, err := strconv.ParseUint(rest[0], 10, 32)
			if err != nil || n == 0 {
				return usageError{fmt.Sprintf("export event: %q is not an event number", rest[0])}
			}
			eventID, rest = uint(n), rest[1:]
		}
		if len(rest) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
		}
		f, ok := roster.ParseFormat(*format)
		if !ok {
			return usageError{fmt.Sprintf("--format must be xlsx or csv, got %q", *format)}
		}
		l, ok := locales.Parse(*lang)
		if !ok {
			return usageError{fmt.Sprintf("--lang must be zh-Hans, zh-Hant or en, got %q", *lang)}
		}
		if *out == "" {
			return usageError{"-o FILE is required"}
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		q, err := models.ParseQuarter(*quarter, clock().In(loc))
		if err != nil {
			return usageError{fmt.Sprintf("--quarter %q: want like 2026Q4", *quarter)}
		}
		switch what {
		case store.ExportMembers, store.ExportEvent, store.ExportRecords, store.ExportOverdue, store.ExportVisits:
		default:
			return usageError{fmt.Sprintf("export: unknown table %q (members, event ID, records, overdue, visits)", what)}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		cat, err := locales.New()
		if err != nil {
			return err
		}
		from, to := q.Span(loc)
		rows, err := st.ExportRowsFor(ctx, what, nil, models.Scope{Admin: true}, eventID, from, to)
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("there is no event %d (assocbot event list shows them)", eventID)}
		}
		if err != nil {
			return err
		}
		t := reports.Table(cat, l, loc, what, rows)
		file, err := os.Create(*out)
		if err != nil {
			return usageError{fmt.Sprintf("-o %s: cannot write it: %v", *out, errors.Unwrap(err))}
		}
		if err := roster.Write(file, f, t); err != nil {
			file.Close()
			return err
		}
		if err := file.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d rows\n", *out, len(t.Rows))
		return nil
	}
}
