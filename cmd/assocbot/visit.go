package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// cmdVisitKindList is `assocbot visit kind list`: the kinds and their rules.
func cmdVisitKindList(fs *flag.FlagSet, c cli) runner {
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		cat, err := locales.New()
		if err != nil {
			return err
		}
		rules := map[models.VisitKind]string{
			models.VisitNewborn:  "within 7 days of a birth, and again on days 25 to 31 (planned when a birth is recorded: member edit --birth)",
			models.VisitCare:     fmt.Sprintf("a family in difficulty, in the %d weeks before the Spring Festival, and before 六一 where the branch wants (branch set --care-june yes); planned for each by itself (member edit --difficulty yes)", models.CareWeeks),
			models.VisitFollowup: "every N months (--every N), a week either side; the next planned when one is made or missed",
			models.VisitOnce:     "one visit, from today to --due",
		}
		for _, k := range models.VisitKinds() {
			fmt.Fprintf(c.stdout, "%-9s %s / %s / %s: %s\n", k, cat.T(locales.ZhHans, "visit.kind."+string(k)), cat.T(locales.ZhHant, "visit.kind."+string(k)),
				cat.T(locales.En, "visit.kind."+string(k)), rules[k])
		}
		return nil
	}
}

// memberArg is the member with phone, or the usage error naming flag.
func memberArg(ctx context.Context, st *store.Store, flagName, phone string) (*models.Member, error) {
	if _, err := models.NormalizePhone(phone); err != nil {
		return nil, usageError{fmt.Sprintf("--%s %q is not a valid phone number", flagName, phone)}
	}
	m, err := st.MemberByPhone(ctx, phone)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usageError{fmt.Sprintf("--%s %s: no member has this phone", flagName, phone)}
	}
	return m, err
}

// cmdVisitAssign is `assocbot visit assign`.
func cmdVisitAssign(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	kind := fs.String("kind", "", "newborn, care, followup or once (assocbot visit kind list)")
	family := fs.String("family", "", "the phone of the family's member")
	tag := fs.String("tag", "", "instead of --family: every member with this tag (a follow-up every N months for a tag)")
	to := fs.String("to", "", "the phone of the cadre who visits (default: the family's centre household on Telegram, else its branch's organizers)")
	due := fs.String("due", "", "the visit's last day, YYYY-MM-DD (once: required; care: instead of the day before the Spring Festival; followup: the first)")
	every := fs.Int("every", 0, "followup: every this many months (1 to 24)")
	tz := tzFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		k := models.VisitKind(strings.ToLower(strings.TrimSpace(*kind)))
		if !k.Valid() {
			return usageError{fmt.Sprintf("--kind %q: newborn, care, followup or once", *kind)}
		}
		if (*family == "") == (*tag == "") {
			return usageError{"visit assign needs --family PHONE or --tag T (one of them)"}
		}
		if k == models.VisitOnce && *due == "" {
			return usageError{"a one-off visit needs --due YYYY-MM-DD"}
		}
		if k == models.VisitFollowup && (*every < 1 || *every > 24) {
			return usageError{"a follow-up needs --every N months, 1 to 24"}
		}
		if k != models.VisitFollowup && *every != 0 {
			return usageError{"--every goes with --kind followup"}
		}
		var by *models.Day
		if *due != "" {
			d, err := models.ParseDay(*due)
			if err != nil {
				return usageError{fmt.Sprintf("--due %q: a date, YYYY-MM-DD", *due)}
			}
			by = &d
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
		var families []models.Member
		if *tag != "" {
			if families, err = st.MembersOf(ctx, models.TagAudience(*tag)); err != nil {
				return err
			}
			if len(families) == 0 {
				return usageError{fmt.Sprintf("--tag %s: no member has this tag", *tag)}
			}
		} else {
			fam, err := memberArg(ctx, st, "family", *family)
			if err != nil {
				return err
			}
			families = []models.Member{*fam}
		}
		var toID *uint
		if *to != "" {
			cadre, err := memberArg(ctx, st, "to", *to)
			if err != nil {
				return err
			}
			if !cadre.Linked() || !cadre.OnRoster() {
				return usageError{fmt.Sprintf("--to %s: %s is not on Telegram, so would never see the visit (without --to, it goes to the branch's organizers)", *to, cadre.Name)}
			}
			toID = &cadre.ID
		}
		had := 0
		for _, fam := range families {
			visits, err := st.AssignVisit(ctx, k, fam.ID, toID, by, *every, nil, loc, c.now())
			switch {
			case errors.Is(err, models.ErrVisitWindow):
				return usageError{fmt.Sprintf("%v (--due %s)", err, *due)}
			case errors.Is(err, store.ErrVisitExists) && *tag != "":
				had++
				continue
			case errors.Is(err, store.ErrVisitExists):
				return usageError{fmt.Sprintf("%s has this %s visit already (assocbot visit list)", fam.Name, k)}
			case errors.Is(err, store.ErrNotFound):
				return usageError{"the family or the cadre has left the roster"}
			case err != nil:
				return err
			}
			for _, v := range visits {
				fmt.Fprintf(c.stdout, "visit %d: %s to %s, %s to %s\n", v.ID, v.Kind, fam.Name, v.From.Format("2006-01-02"), v.By.Format("2006-01-02"))
			}
		}
		if had > 0 {
			fmt.Fprintf(c.stdout, "%d had this visit already\n", had)
		}
		return nil
	}
}

// cmdVisitList is `assocbot visit list`.
func cmdVisitList(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	branch := fs.String("branch", "", "only the families of this branch and those below it")
	overdue := fs.Bool("overdue", false, "only the visits missed, and those whose last day has passed")
	all := fs.Bool("all", false, "also the visits made and cancelled")
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
		q := store.VisitQuery{States: []models.VisitState{models.VisitOpen}}
		switch {
		case *all:
			q.States = nil
		case *overdue:
			q.States = []models.VisitState{models.VisitOpen, models.VisitMissed}
		}
		if *branch != "" {
			if _, err := st.BranchByPath(ctx, *branch); err != nil {
				return usageError{fmt.Sprintf("--branch %s: no such branch (assocbot branch list)", *branch)}
			}
			q.Scope = &models.Scope{Paths: []string{*branch}}
		}
		rows, err := st.Visits(ctx, q)
		if err != nil {
			return err
		}
		today := models.DayOf(c.now(), loc)
		n := 0
		for _, v := range rows {
			if *overdue && v.State == models.VisitOpen && !v.Late(today) {
				continue
			}
			who := v.AssigneeName
			if who == "" {
				who = "the branch's organizers"
			}
			line := fmt.Sprintf("%d: %s, %s (%s", v.ID, v.Kind, v.FamilyName, v.BranchPath)
			if v.Household != "" {
				line += ", household " + v.Household
			}
			line += fmt.Sprintf("), %s to %s, by %s: %s", v.From.Format("2006-01-02"), v.By.Format("2006-01-02"), who, v.State)
			if v.DoneOn != nil {
				line += " " + v.DoneOn.Format("2006-01-02")
				if v.DoneByName != "" {
					line += " by " + v.DoneByName
				}
			}
			if v.Gave != "" {
				line += "; gave " + v.Gave
			}
			if v.Note != "" {
				line += "; " + v.Note
			}
			fmt.Fprintln(c.stdout, line)
			n++
		}
		if n == 0 {
			fmt.Fprintln(c.stdout, "no visit")
		}
		return nil
	}
}

// cmdVisitDone is `assocbot visit done ID`: recorded by an admin.
func cmdVisitDone(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	note := fs.String("note", "", "a note on the visit")
	gave := fs.String("gave", "", "what was given, e.g. 大米 1 袋, 现金 500 元")
	tz := tzFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		id, err := idArg("visit done", "visit", pos)
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
		// The command line is the admins': it records as one.
		admin := &models.Member{Role: models.RoleAdmin, Status: models.StatusActive}
		v, err := st.DoneVisit(ctx, id, admin, models.Scope{Admin: true}, strings.TrimSpace(*note), strings.TrimSpace(*gave), loc, c.now())
		switch {
		case errors.Is(err, store.ErrNotFound):
			return usageError{fmt.Sprintf("no visit %d (assocbot visit list shows them)", id)}
		case errors.Is(err, models.ErrVisitClosed):
			return usageError{fmt.Sprintf("visit %d is done, missed or cancelled already", id)}
		case errors.Is(err, models.ErrVisitNotYet):
			return usageError{fmt.Sprintf("visit %d's days have not begun", id)}
		case errors.Is(err, models.ErrBadText):
			return usageError{fmt.Sprintf("--note is at most %d characters, --gave at most %d", models.MaxVisitNote, models.MaxVisitGave)}
		case err != nil:
			return err
		}
		fmt.Fprintf(c.stdout, "visit %d done: %s, %s\n", v.ID, v.FamilyName, v.DoneOn.Format("2006-01-02"))
		return nil
	}
}

// cmdVisitCancel is `assocbot visit cancel ID`: a visit no longer wanted.
func cmdVisitCancel(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		id, err := idArg("visit cancel", "visit", pos)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		ok, err := st.CancelVisit(ctx, id, c.now())
		switch {
		case errors.Is(err, store.ErrNotFound):
			return usageError{fmt.Sprintf("no visit %d (assocbot visit list shows them)", id)}
		case err != nil:
			return err
		case !ok:
			return usageError{fmt.Sprintf("visit %d is done, missed or cancelled already", id)}
		}
		fmt.Fprintf(c.stdout, "visit %d cancelled\n", id)
		return nil
	}
}
