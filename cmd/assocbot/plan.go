package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// cmdPlanKindList is `assocbot plan kind list`.
func cmdPlanKindList(fs *flag.FlagSet, c cli) runner {
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
		ks, err := st.PlanKinds(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%-20s %-7s %-6s %-45s %-12s %s\n", "KEY", "FOR", "EVERY", "RRULE", "REMINDERS", "NAMES")
		for _, k := range ks {
			fmt.Fprintf(c.stdout, "%-20s %-7s %-6s %-45s %-12s %s / %s / %s\n", k.Key, k.For, k.Every, k.RRule, k.Offsets, k.NameZhHans, k.NameZhHant, k.NameEn)
		}
		return nil
	}
}

// cmdPlanKindAdd is `assocbot plan kind add`.
func cmdPlanKindAdd(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	k := &models.PlanKind{}
	var forRole string
	fs.StringVar(&k.Key, "key", "", "key, e.g. breast_screening (a-z 0-9 _)")
	fs.StringVar(&forRole, "for", "member", "member (a check) or duty (an organizer's)")
	fs.StringVar(&k.NameZhHans, "name-zh-hans", "", "name in Simplified Chinese")
	fs.StringVar(&k.NameZhHant, "name-zh-hant", "", "name in Traditional Chinese")
	fs.StringVar(&k.NameEn, "name-en", "", "name in English")
	fs.StringVar(&k.Every, "every", "", "interval from the date done: 3m (months) or 90d (days)")
	fs.StringVar(&k.RRule, "rrule", "", "fixed due dates instead, e.g. FREQ=WEEKLY;BYDAY=FR")
	fs.StringVar(&k.Offsets, "offsets", "-7,0,3,7", "reminders, in days from the due date")
	fs.BoolVar(&k.Certificate, "certificate", false, "members may send a certificate's photo")
	fs.StringVar(&k.Figures, "figures", "", `a report duty's figures, asked when it is done: "KEY:名称:name:名稱,…" (zh-Hans, en, zh-Hant)`)
	fs.BoolVar(&k.Workdays, "workdays", false, "due on working days only: a due date on a weekend or statutory holiday moves to the next working day (a make-up Sunday counts)")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		k.For = models.PlanFor(forRole)
		if err := st.AddPlanKind(ctx, k); err != nil {
			if errors.Is(err, store.ErrKindExists) {
				return usageError{fmt.Sprintf("--key %q: a kind with this key exists", k.Key)}
			}
			for _, refusal := range []error{models.ErrPlanKindKey, models.ErrPlanKindFor, models.ErrPlanKindNames, models.ErrPlanKindRule, models.ErrPlanKindOffsets, models.ErrFigures} {
				if errors.Is(err, refusal) {
					return usageError{err.Error()}
				}
			}
			return err
		}
		fmt.Fprintf(c.stdout, "kind %s added\n", k.Key)
		return nil
	}
}

// cmdPlanAssign is `assocbot plan assign`.
func cmdPlanAssign(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	tz := tzFlag(fs, c.getenv)
	kind := fs.String("kind", "", "the kind's key (see plan kind list)")
	audience := fs.String("audience", "", "branch:Town/Village (for a duty: its organizers), tag:T, all, or members:ID,ID")
	first := fs.String("first-due", "", "first due date, e.g. 2026-12-20 or 2026/12/20 (default: the kind's)")
	due := fs.String("due", "", "with --once: the date it is due (the same as --first-due)")
	once := fs.Bool("once", false, "a one-off duty or check (a campaign's self-check by --due): reminded and escalated like any, closed when done, not renewed")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if *due != "" {
			if *first != "" && *first != *due {
				return usageError{"--due and --first-due are the same date: give one"}
			}
			*first = *due
		}
		if *once && *first == "" {
			return usageError{"a one-off plan needs its date: --once --due YYYY-MM-DD"}
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		aud, err := models.ParseAudience(*audience)
		if _, organizers := aud.IsOrganizers(); err != nil || organizers {
			// organizers:P is how the bot addresses those who decide for a
			// branch, not whom a check is given to: a duty goes to branch:P.
			return usageError{fmt.Sprintf("--audience: want branch:Town/Village (for a duty: its organizers), tag:T, all or members:ID,ID, got %q", *audience)}
		}
		var firstDue *models.Day
		if *first != "" {
			d, err := cliDay("first-due", *first)
			if err != nil {
				return err
			}
			if d.Before(models.DayOf(c.now(), loc)) {
				return usageError{fmt.Sprintf("--first-due %s is in the past", *first)}
			}
			firstDue = &d
		}
		st, err := openStoreSMS(ctx, *db, c.getenv)
		if err != nil {
			return err
		}
		defer st.Close()
		k, err := st.PlanKindByKey(ctx, *kind)
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("--kind %q: no such kind (see assocbot plan kind list)", *kind)}
		}
		if err != nil {
			return err
		}
		if err := checkAudience(ctx, st, aud, false); err != nil {
			return err
		}
		var res store.Assignment
		if *once {
			res, err = st.AssignOnce(ctx, k, aud, *firstDue, nil, loc, c.now())
		} else {
			res, err = st.AssignPlans(ctx, k, aud, firstDue, nil, loc, c.now())
		}
		if errors.Is(err, store.ErrDutyAudience) {
			return usageError{"--audience: a duty goes to a branch's organizers (branch:Town/Village) or listed organizers (members:ID,ID)"}
		}
		if err != nil {
			return err
		}
		what := k.Key
		if *once {
			what += " (once, due " + firstDue.Format("2006-01-02") + ")"
		}
		fmt.Fprintf(c.stdout, "%s assigned to %d (already had it: %d)\n", what, res.Created, res.Kept)
		return nil
	}
}

// cmdPlanDone is `assocbot plan done`.
func cmdPlanDone(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	tz := tzFlag(fs, c.getenv)
	phone := fs.String("phone", "", "the member's phone")
	kind := fs.String("kind", "", "the kind's key")
	date := fs.String("date", "", "the date it was done, e.g. 2026-12-20 or 2026/12/20 (default today)")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		if _, err := models.NormalizePhone(*phone); err != nil {
			return usageError{fmt.Sprintf("--phone %q is not a valid phone number", *phone)}
		}
		day := models.DayOf(c.now(), loc)
		if *date != "" {
			d, err := cliDay("date", *date)
			if err != nil {
				return err
			}
			if d.After(day) {
				return usageError{fmt.Sprintf("--date %s is in the future", *date)}
			}
			day = d
		}
		st, err := openStoreSMS(ctx, *db, c.getenv)
		if err != nil {
			return err
		}
		defer st.Close()
		m, err := st.MemberByPhone(ctx, *phone)
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no member with phone %s", *phone)}
		}
		if err != nil {
			return err
		}
		plans, err := st.PlansOf(ctx, m.ID)
		if err != nil {
			return err
		}
		var keys []string
		for _, p := range plans {
			keys = append(keys, p.Kind.Key)
			if p.Kind.Key != *kind {
				continue
			}
			if len(p.Kind.FigureList()) > 0 {
				// A report with figures is done with them, in the bot.
				return usageError{fmt.Sprintf("%s asks for figures: its organizer gives them with ✅ Done in the bot", p.Kind.Key)}
			}
			_, after, err := st.RecordCheck(ctx, p.ID, -1, models.Scope{Admin: true}, nil, &day, loc, c.now())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s: %s done on %s; next due %s\n", m.Name, p.Kind.Key, day.Format("2006-01-02"), after.NextDue.Format("2006-01-02"))
			return nil
		}
		if len(keys) == 0 {
			return usageError{fmt.Sprintf("--kind %q: %s has no plans", *kind, m.Name)}
		}
		return usageError{fmt.Sprintf("--kind %q: %s has no plan of that kind; theirs: %s", *kind, m.Name, strings.Join(keys, ", "))}
	}
}

// cmdPlanList is `assocbot plan list`.
func cmdPlanList(fs *flag.FlagSet, c cli) runner {
	stdout := c.stdout
	db := dbFlag(fs, c.getenv)
	overdue := fs.Bool("overdue", false, "only the overdue")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		var plans []models.Plan
		if *overdue {
			plans, err = st.OverduePlans(ctx, models.Scope{Admin: true}, 100000)
		} else {
			plans, err = st.AllPlans(ctx)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-6s %-16s %-20s %-10s %-11s %s\n", "ID", "MEMBER", "KIND", "STATE", "DUE", "OVERDUE")
		for _, p := range plans {
			od := "-"
			if p.OverdueSince != nil {
				od = p.OverdueSince.Format("2006-01-02")
			}
			fmt.Fprintf(stdout, "%-6d %-16s %-20s %-10s %-11s %s\n", p.ID, p.Member.Name, p.Kind.Key, p.State, p.NextDue.Format("2006-01-02"), od)
		}
		return nil
	}
}
