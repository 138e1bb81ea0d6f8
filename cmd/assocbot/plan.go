package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// cmdPlan is `assocbot plan`: kinds of checks and duties, assigning them,
// recording one done, listing them.
func cmdPlan(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, clock clock) error {
	if len(args) == 0 {
		return usageError{"plan needs kind, assign, done or list"}
	}
	switch args[0] {
	case "kind":
		return cmdPlanKind(ctx, args[1:], stdout, stderr, getenv)
	case "assign":
		return cmdPlanAssign(ctx, args[1:], stdout, stderr, getenv, clock)
	case "done":
		return cmdPlanDone(ctx, args[1:], stdout, stderr, getenv, clock)
	case "list":
		return cmdPlanList(ctx, args[1:], stdout, stderr, getenv)
	}
	return usageError{fmt.Sprintf("unknown plan command %q", args[0])}
}

func cmdPlanKind(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return usageError{"plan kind needs add or list"}
	}
	fs := newFlags("plan kind "+args[0], stderr)
	db := dbFlag(fs, getenv)
	k := &models.PlanKind{}
	var forRole string
	if args[0] == "add" {
		fs.StringVar(&k.Key, "key", "", "key, e.g. breast_screening (a-z 0-9 _)")
		fs.StringVar(&forRole, "for", "member", "member (a check) or duty (an organizer's)")
		fs.StringVar(&k.NameZhHans, "name-zh-hans", "", "name in Simplified Chinese")
		fs.StringVar(&k.NameZhHant, "name-zh-hant", "", "name in Traditional Chinese")
		fs.StringVar(&k.NameEn, "name-en", "", "name in English")
		fs.StringVar(&k.Every, "every", "", "interval from the date done: 3m (months) or 90d (days)")
		fs.StringVar(&k.RRule, "rrule", "", "fixed due dates instead, e.g. FREQ=WEEKLY;BYDAY=FR")
		fs.StringVar(&k.Offsets, "offsets", "-7,0,3,7", "reminders, in days from the due date")
		fs.BoolVar(&k.Certificate, "certificate", false, "members may send a certificate's photo")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "list" {
		ks, err := st.PlanKinds(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-20s %-7s %-6s %-45s %-12s %s\n", "KEY", "FOR", "EVERY", "RRULE", "REMINDERS", "NAMES")
		for _, k := range ks {
			fmt.Fprintf(stdout, "%-20s %-7s %-6s %-45s %-12s %s / %s / %s\n", k.Key, k.For, k.Every, k.RRule, k.Offsets, k.NameZhHans, k.NameZhHant, k.NameEn)
		}
		return nil
	}
	k.For = models.PlanFor(forRole)
	if err := st.AddPlanKind(ctx, k); err != nil {
		if errors.Is(err, store.ErrKindExists) {
			return usageError{fmt.Sprintf("--key %q: a kind with this key exists", k.Key)}
		}
		for _, refusal := range []error{models.ErrPlanKindKey, models.ErrPlanKindFor, models.ErrPlanKindNames, models.ErrPlanKindRule, models.ErrPlanKindOffsets} {
			if errors.Is(err, refusal) {
				return usageError{err.Error()}
			}
		}
		return err
	}
	fmt.Fprintf(stdout, "kind %s added\n", k.Key)
	return nil
}

func cmdPlanAssign(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, clock clock) error {
	fs := newFlags("plan assign", stderr)
	db := dbFlag(fs, getenv)
	tz := tzFlag(fs, getenv)
	kind := fs.String("kind", "", "the kind's key (see plan kind list)")
	audience := fs.String("audience", "", "branch:Town/Village, tag:T, all, or organizers:Town/Village")
	first := fs.String("first-due", "", "first due date YYYY-MM-DD (default: the kind's)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return usageError{fmt.Sprintf("--tz %q is not a time zone", *tz)}
	}
	aud, err := models.ParseAudience(*audience)
	if err != nil {
		return usageError{fmt.Sprintf("--audience: want branch:Town/Village, tag:T, all or organizers:P, got %q", *audience)}
	}
	var firstDue *models.Day
	if *first != "" {
		d, err := models.ParseDay(*first)
		if err != nil {
			return usageError{fmt.Sprintf(`--first-due %q: want "YYYY-MM-DD"`, *first)}
		}
		if d.Before(models.DayOf(clock(), loc)) {
			return usageError{fmt.Sprintf("--first-due %s is in the past", *first)}
		}
		firstDue = &d
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	k, err := st.PlanKindByKey(ctx, *kind)
	if err != nil {
		return usageError{fmt.Sprintf("--kind %q: no such kind (see assocbot plan kind list)", *kind)}
	}
	res, err := st.AssignPlans(ctx, k, aud, firstDue, nil, loc, clock())
	if errors.Is(err, store.ErrDutyAudience) {
		return usageError{"--audience: a duty goes to a branch's organizers (branch:Town/Village) or listed organizers (members:ID,ID)"}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s assigned to %d (already had it: %d)\n", k.Key, res.Created, res.Kept)
	return nil
}

func cmdPlanDone(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env, clock clock) error {
	fs := newFlags("plan done", stderr)
	db := dbFlag(fs, getenv)
	tz := tzFlag(fs, getenv)
	phone := fs.String("phone", "", "the member's phone")
	kind := fs.String("kind", "", "the kind's key")
	date := fs.String("date", "", "the date it was done, YYYY-MM-DD (default today)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return usageError{fmt.Sprintf("--tz %q is not a time zone", *tz)}
	}
	if _, err := models.NormalizePhone(*phone); err != nil {
		return usageError{fmt.Sprintf("--phone %q is not a valid phone number", *phone)}
	}
	day := models.DayOf(clock(), loc)
	if *date != "" {
		d, err := models.ParseDay(*date)
		if err != nil || d.After(day) {
			return usageError{fmt.Sprintf(`--date %q: want a day not in the future, "YYYY-MM-DD"`, *date)}
		}
		day = d
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.MemberByPhone(ctx, *phone)
	if err != nil {
		return usageError{fmt.Sprintf("no member with phone %s", *phone)}
	}
	plans, err := st.PlansOf(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, p := range plans {
		if p.Kind.Key != *kind {
			continue
		}
		_, after, err := st.RecordCheck(ctx, p.ID, -1, models.Scope{Admin: true}, nil, &day, loc, clock())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s done on %s; next due %s\n", m.Name, p.Kind.Key, day.Format("2006-01-02"), after.NextDue.Format("2006-01-02"))
		return nil
	}
	return fmt.Errorf("member %d has no plan of that kind", m.ID)
}

func cmdPlanList(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("plan list", stderr)
	db := dbFlag(fs, getenv)
	overdue := fs.Bool("overdue", false, "only the overdue")
	if err := parseFlags(fs, args); err != nil {
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
