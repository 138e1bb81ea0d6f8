package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/calendar"
	"github.com/assocbot/assocbot/models/store"
)

// noticeShown is how many next dates notice add and the lists print.
const noticeShown = 3

// textFlags are a text for everyone (--text) and one per language
// (--text-en …), as a notice's texts by language.
type textFlags struct {
	all  *string
	each map[locales.Lang]*string
}

func newTextFlags(fs *flag.FlagSet) textFlags {
	t := textFlags{all: fs.String("text", "", "the notice, for every member (or the text of those whose language has none of its own)"),
		each: map[locales.Lang]*string{}}
	for _, l := range locales.All() {
		t.each[l] = fs.String("text-"+strings.ToLower(string(l)), "", fmt.Sprintf("the notice in %s, for members who read %s", l, l))
	}
	return t
}

// texts are the given texts by language, checked ("": none given).
func (t textFlags) texts() (map[string]string, error) {
	out := map[string]string{}
	if v := strings.TrimSpace(*t.all); v != "" {
		for _, l := range locales.All() {
			out[string(l)] = v
		}
	}
	for l, v := range t.each {
		if s := strings.TrimSpace(*v); s != "" {
			out[string(l)] = s
		}
	}
	for l, v := range out {
		if err := checkText("text", v, true); err != nil {
			return nil, err
		}
		if len([]rune(v)) > models.MaxNoticeText {
			return nil, usageError{fmt.Sprintf("the %s text is longer than a notice allows (%d characters)", l, models.MaxNoticeText)}
		}
	}
	return out, nil
}

// parseBefore reads --before: "3d", "3" (days) or "0".
func parseBefore(v string) (int, error) {
	v = strings.TrimSuffix(strings.TrimSpace(strings.ToLower(v)), "d")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > models.MaxNoticeBefore {
		return 0, usageError{fmt.Sprintf("--before %q: days before each date, 0d to %dd", v, models.MaxNoticeBefore)}
	}
	return n, nil
}

// nextDates says the notice's next dates, with when each goes out when
// that is another day ("2027-02-06 (sent 2027-02-03 09:00)").
func nextDates(n *models.Notice, loc *time.Location, now time.Time) (string, error) {
	dates, err := n.Dates(models.DayOf(now, loc).AddDate(0, 0, n.BeforeDays-1), noticeShown+2)
	if err != nil {
		return "", err
	}
	var out []string
	for _, d := range dates {
		at := n.SendAt(d, loc)
		if !at.After(now) {
			continue
		}
		s := d.Format("2006-01-02")
		if n.BeforeDays > 0 {
			s += " (sent " + at.Format("2006-01-02 15:04") + ")"
		}
		if out = append(out, s); len(out) == noticeShown {
			break
		}
	}
	if len(out) == 0 {
		return "none", nil
	}
	return strings.Join(out, ", "), nil
}

// ruleText says a notice's rule in a line.
func ruleText(n *models.Notice) string {
	rule := n.RRule
	if n.Lunar != "" {
		rule = "lunar " + n.Lunar
	}
	out := rule + " at " + n.At()
	if n.BeforeDays > 0 {
		out += fmt.Sprintf(", %dd before", n.BeforeDays)
	}
	return out
}

func cmdNoticeAdd(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	tz := tzFlag(fs, c.getenv)
	audience := fs.String("audience", "", "all, branch:Town/Village, branches:Town/A|Town/B, tag:T or organizers (required)")
	texts := newTextFlags(fs)
	rule := fs.String("rrule", "", "yearly, monthly or weekly: FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8, FREQ=MONTHLY;BYMONTHDAY=1, FREQ=WEEKLY;BYDAY=MO")
	lunar := fs.String("lunar", "", "yearly on a lunar date, MM-DD: 01-01 春节, 01-15 元宵, 05-05 端午, 08-15 中秋")
	at := fs.String("at", "09:00", "the time of day it goes out, HH:MM in the association's time zone")
	before := fs.String("before", "0d", "send it this many days before each date (3d: an early-March notice for 3·8)")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		aud, err := models.ParseAudience(*audience)
		if err != nil {
			return usageError{fmt.Sprintf("--audience: want all, branch:Town/Village, tag:T or organizers, got %q", *audience)}
		}
		byLang, err := texts.texts()
		if err != nil {
			return err
		}
		if len(byLang) == 0 {
			return usageError{"notice add needs --text (or --text-zh-hans, --text-zh-hant, --text-en)"}
		}
		if (*rule == "") == (*lunar == "") {
			return usageError{"notice add needs one of --rrule or --lunar"}
		}
		minute, err := models.ParseAt(*at)
		if err != nil {
			return usageError{fmt.Sprintf("--at %q: want HH:MM, like 09:00", *at)}
		}
		days, err := parseBefore(*before)
		if err != nil {
			return err
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		n := &models.Notice{Audience: aud.String(), RRule: strings.TrimPrefix(strings.TrimSpace(*rule), "RRULE:"), Lunar: strings.TrimSpace(*lunar),
			AtMinute: minute, BeforeDays: days}
		n.SetTexts(byLang)
		if err := n.Validate(); err != nil {
			return usageError{noticeRefusal(err, *lunar)}
		}
		st, err := openStoreSMS(ctx, *db, c.getenv)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := checkAudience(ctx, st, aud, false); err != nil {
			return err
		}
		now := c.now()
		if err := st.AddNotice(ctx, n, loc, now); err != nil {
			return err
		}
		next, err := nextDates(n, loc, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "notice %d to %s, %s; next: %s\n", n.ID, aud, ruleText(n), next)
		return nil
	}
}

// noticeRefusal says what is wrong with a notice's flags.
func noticeRefusal(err error, lunar string) string {
	switch {
	case errors.Is(err, models.ErrNoticeRule) && lunar != "":
		return fmt.Sprintf("--lunar %q: want a lunar month and day, MM-DD (01-01 to 12-30)", lunar)
	case errors.Is(err, models.ErrNoticeRule):
		return "--rrule: " + err.Error()
	case errors.Is(err, models.ErrBadText):
		return "--text: " + err.Error()
	}
	return err.Error()
}

func cmdNoticeList(fs *flag.FlagSet, c cli) runner {
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
		ns, err := st.Notices(ctx)
		if err != nil {
			return err
		}
		rows := [][]string{{"ID", "AUDIENCE", "WHEN", "NEXT", "TEXT"}}
		for i := range ns {
			n := &ns[i]
			if !n.Enabled {
				continue
			}
			next, err := nextDates(n, loc, c.now())
			if err != nil {
				next = "?"
			}
			text := listText(locales.ZhHans, n)
			if n.CalendarKey != nil {
				text = "[calendar " + *n.CalendarKey + "] " + text
			}
			rows = append(rows, []string{strconv.FormatUint(uint64(n.ID), 10), n.Audience, ruleText(n), next, text})
		}
		if len(rows) == 1 {
			fmt.Fprintln(c.stdout, "no recurring notices: assocbot notice add, or assocbot calendar enable KEY")
			return nil
		}
		printTable(c.stdout, rows)
		return nil
	}
}

// listText is a notice's text in lang, its first line cut to 40
// characters, for a list.
func listText(lang locales.Lang, n *models.Notice) string {
	t, _, _ := strings.Cut(n.TextFor(string(lang)), "\n")
	if r := []rune(t); len(r) > 40 {
		t = string(r[:40]) + "…"
	}
	return t
}

func cmdNoticeRemove(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		id, err := idArg("notice remove", "notice", pos)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		n, err := st.NoticeByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no notice %d (assocbot notice list shows them)", id)}
		}
		if err != nil {
			return err
		}
		if err := st.RemoveNotice(ctx, id, c.now()); err != nil {
			return err
		}
		if n.CalendarKey != nil {
			fmt.Fprintf(c.stdout, "notice %d is the calendar's %s: switched off, its texts kept (assocbot calendar enable %s turns it on)\n", id, *n.CalendarKey, *n.CalendarKey)
			return nil
		}
		fmt.Fprintf(c.stdout, "notice %d removed: no more dates are sent\n", id)
		return nil
	}
}

// yearEntryArg reads the one KEY of a calendar command.
func yearEntryArg(cmd string, args []string) (models.YearEntry, error) {
	var keys []string
	for _, e := range models.Year() {
		keys = append(keys, e.Key)
	}
	if len(args) != 1 {
		return models.YearEntry{}, usageError{fmt.Sprintf("%s needs one entry of the year: %s", cmd, strings.Join(keys, ", "))}
	}
	e, ok := models.YearEntryByKey(strings.ToLower(strings.TrimSpace(args[0])))
	if !ok {
		return models.YearEntry{}, usageError{fmt.Sprintf("%q is no entry of the year; they are %s (assocbot calendar list)", args[0], strings.Join(keys, ", "))}
	}
	return e, nil
}

// yearTexts are an entry's default texts, in every language.
func yearTexts(cat *locales.Catalog, key string) map[string]string {
	out := map[string]string{}
	for _, l := range locales.All() {
		out[string(l)] = cat.T(l, "year."+key+".text")
	}
	return out
}

func cmdCalendarList(fs *flag.FlagSet, c cli) runner {
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
		cat, err := locales.New()
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		ns, err := st.Notices(ctx)
		if err != nil {
			return err
		}
		saved := map[string]*models.Notice{}
		for i := range ns {
			if k := ns[i].CalendarKey; k != nil {
				saved[*k] = &ns[i]
			}
		}
		rows := [][]string{{"KEY", "OCCASION", "WHEN", "AUDIENCE", "STATE", "NEXT"}}
		for _, e := range models.Year() {
			n, state := saved[e.Key], "off"
			if n == nil {
				d := e.Notice()
				n = &d
			} else if n.Enabled {
				state = "on"
			}
			next, err := nextDates(n, loc, c.now())
			if err != nil {
				return err
			}
			rows = append(rows, []string{e.Key, cat.T(locales.En, "year."+e.Key+".name"), ruleText(n), n.Audience, state, next})
		}
		printTable(c.stdout, rows)
		fmt.Fprintf(c.stdout, "statutory holidays are known through %d (see README: holidays)\n", calendar.HolidayDataThrough())
		return nil
	}
}

func cmdCalendarEnable(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	tz := tzFlag(fs, c.getenv)
	audience := fs.String("audience", "", "who gets it (default: the entry's own, all members or all organizers)")
	textFile := fs.String("text-file", "", "the text, from a UTF-8 file, instead of the default texts")
	lang := fs.String("lang", "", "the language of --text-file (zh-Hans, zh-Hant or en); without it, the text is for everyone")
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		e, err := yearEntryArg("calendar enable", pos)
		if err != nil {
			return err
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		var aud *models.Audience
		if *audience != "" {
			a, err := models.ParseAudience(*audience)
			if err != nil {
				return usageError{fmt.Sprintf("--audience: want all, branch:Town/Village, tag:T or organizers, got %q", *audience)}
			}
			aud = &a
		}
		var texts map[string]string
		if *lang != "" && *textFile == "" {
			return usageError{"--lang is the language of --text-file: give both"}
		}
		if *textFile != "" {
			b, err := os.ReadFile(*textFile)
			if err != nil {
				return usageError{fmt.Sprintf("--text-file: %v", err)}
			}
			text := strings.TrimSpace(string(b))
			if text == "" || len([]rune(text)) > models.MaxNoticeText {
				return usageError{fmt.Sprintf("--text-file: the text must be 1 to %d characters", models.MaxNoticeText)}
			}
			if err := checkText("text-file", text, true); err != nil {
				return err
			}
			texts = map[string]string{}
			if *lang == "" {
				for _, l := range locales.All() {
					texts[string(l)] = text
				}
			} else {
				l, ok := locales.Parse(*lang)
				if !ok {
					return usageError{fmt.Sprintf("--lang %q: zh-Hans, zh-Hant or en", *lang)}
				}
				texts[string(l)] = text
			}
		}
		cat, err := locales.New()
		if err != nil {
			return err
		}
		st, err := openStoreSMS(ctx, *db, c.getenv)
		if err != nil {
			return err
		}
		defer st.Close()
		if aud != nil {
			if err := checkAudience(ctx, st, *aud, false); err != nil {
				return err
			}
		}
		// The defaults first, then what was given over them.
		all := yearTexts(cat, e.Key)
		if n, err := savedEntry(ctx, st, e.Key); err != nil {
			return err
		} else if n != nil {
			all = n.NoticeTexts()
		}
		for l, t := range texts {
			all[l] = t
		}
		n, err := st.SetYearEntry(ctx, e, aud, all, true, loc, c.now())
		if err != nil {
			return err
		}
		next, err := nextDates(n, loc, c.now())
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s (%s) on: notice %d to %s, %s; next: %s\n", e.Key, cat.T(locales.En, "year."+e.Key+".name"), n.ID, n.Audience, ruleText(n), next)
		return nil
	}
}

// savedEntry is the notice of an entry of the year, if it was ever on.
func savedEntry(ctx context.Context, st *store.Store, key string) (*models.Notice, error) {
	ns, err := st.Notices(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ns {
		if k := ns[i].CalendarKey; k != nil && *k == key {
			return &ns[i], nil
		}
	}
	return nil, nil
}

func cmdCalendarDisable(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	tz := tzFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		e, err := yearEntryArg("calendar disable", pos)
		if err != nil {
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
		n, err := savedEntry(ctx, st, e.Key)
		if err != nil {
			return err
		}
		if n == nil || !n.Enabled {
			fmt.Fprintf(c.stdout, "%s is off already\n", e.Key)
			return nil
		}
		if _, err := st.SetYearEntry(ctx, e, nil, nil, false, loc, c.now()); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s off: nothing more is sent for it (its texts are kept)\n", e.Key)
		return nil
	}
}

func cmdFAQAdd(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	question := fs.String("question", "", "the question, as members ask it (required)")
	answer := fs.String("answer", "", "the answer (required)")
	lang := fs.String("lang", "zh-Hans", "the language of both: zh-Hans, zh-Hant or en (members are offered those of their language)")
	keywords := fs.String("keywords", "", "words that, in a member's message, offer this answer: 孕前检查,免费")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		l, ok := locales.Parse(*lang)
		if !ok {
			return usageError{fmt.Sprintf("--lang %q: zh-Hans, zh-Hant or en", *lang)}
		}
		if strings.TrimSpace(*question) == "" || strings.TrimSpace(*answer) == "" {
			return usageError{"faq add needs --question and --answer"}
		}
		if err := checkText("question", *question, false); err != nil {
			return err
		}
		if err := checkText("answer", *answer, true); err != nil {
			return err
		}
		if err := checkText("keywords", *keywords, false); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		f := &models.FAQ{Lang: string(l), Question: *question, Answer: *answer, Keywords: *keywords}
		if err := st.AddFAQ(ctx, f, c.now()); errors.Is(err, store.ErrFAQ) {
			return usageError{fmt.Sprintf("a question of 1 to %d characters, an answer of 1 to %d, keywords within 300", models.MaxFAQQuestion, models.MaxFAQAnswer)}
		} else if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "faq %d (%s): %s\n", f.ID, f.Lang, f.Question)
		return nil
	}
}

func cmdFAQList(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		fs, err := st.FAQs(ctx, "")
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			fmt.Fprintln(c.stdout, `no frequent questions: assocbot faq add --question Q --answer A [--lang L] [--keywords k1,k2]`)
			return nil
		}
		rows := [][]string{{"ID", "LANG", "QUESTION", "KEYWORDS"}}
		for _, f := range fs {
			rows = append(rows, []string{strconv.FormatUint(uint64(f.ID), 10), f.Lang, f.Question, f.Keywords})
		}
		printTable(c.stdout, rows)
		return nil
	}
}

func cmdFAQRemove(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		id, err := idArg("faq remove", "faq", pos)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.RemoveFAQ(ctx, id); errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no faq %d (assocbot faq list shows them)", id)}
		} else if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "faq %d removed\n", id)
		return nil
	}
}
