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

// familyFlags are member edit's household and family facts (SPEC C14).
type familyFlags struct {
	household, centre, birth, expected, difficulty *string
	set                                            map[string]bool // the flags on the command line
}

func newFamilyFlags(fs *flag.FlagSet) *familyFlags {
	return &familyFlags{
		household:  fs.String("household", "", `the household's number (户号; "": none)`),
		centre:     fs.String("centre", "", `the phone of the head of the centre household (中心户) that looks after this one ("": none)`),
		birth:      fs.String("birth", "", `a birth in the family, YYYY-MM-DD: its newborn visits are planned ("": none)`),
		expected:   fs.String("expected", "", `the month an expected birth is due, YYYY-MM ("": none)`),
		difficulty: fs.String("difficulty", "", "yes: a family in difficulty (困难家庭), visited before the Spring Festival; no: not"),
	}
}

// given reports whether any of the flags is on the command line.
func (f *familyFlags) given(given map[string]bool) bool {
	f.set = given
	return given["household"] || given["centre"] || given["birth"] || given["expected"] || given["difficulty"]
}

// apply stores the facts given over what is known of m's family, and says
// the visits they planned.
func (f *familyFlags) apply(ctx context.Context, c cli, st *store.Store, m *models.Member) error {
	fam, err := st.FamilyOf(ctx, m.ID)
	if err != nil {
		return err
	}
	if f.set["household"] {
		fam.Household = strings.TrimSpace(*f.household)
	}
	if f.set["centre"] && *f.centre == "" {
		fam.CentreID = nil
	}
	if f.set["birth"] && *f.birth == "" {
		fam.BirthOn = nil
	}
	if f.set["expected"] {
		fam.Expected = ""
	}
	if *f.centre != "" {
		centre, err := st.MemberByPhone(ctx, *f.centre)
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("--centre %s: no member has this phone", *f.centre)}
		}
		if err != nil {
			return err
		}
		fam.CentreID = &centre.ID
	}
	if *f.birth != "" {
		d, err := models.ParseDay(*f.birth)
		if err != nil {
			return usageError{fmt.Sprintf("--birth %q: a date, YYYY-MM-DD", *f.birth)}
		}
		fam.BirthOn = &d
	}
	if *f.expected != "" {
		fam.Expected = strings.TrimSpace(*f.expected)
	}
	if *f.difficulty != "" {
		yes, err := yesNoFlag("difficulty", *f.difficulty)
		if err != nil {
			return err
		}
		fam.Difficulty = yes
	}
	loc, err := zoneOf(tzOr(c.getenv))
	if err != nil {
		return err
	}
	visits, err := st.SetFamily(ctx, fam, nil, loc, c.now())
	switch {
	case errors.Is(err, models.ErrBirthOn):
		return usageError{fmt.Sprintf("--birth %s is in the future", *f.birth)}
	case errors.Is(err, models.ErrExpected):
		return usageError{fmt.Sprintf("--expected %q: a month, YYYY-MM", *f.expected)}
	case errors.Is(err, models.ErrHousehold):
		return usageError{"--household: at most 50 characters of text"}
	case errors.Is(err, models.ErrCentre):
		return usageError{"--centre: a household cannot be its own centre household"}
	case err != nil:
		return err
	}
	for _, v := range visits {
		fmt.Fprintf(c.stdout, "planned visit %d: %s, %s to %s\n", v.ID, v.Kind, v.From.Format("2006-01-02"), v.By.Format("2006-01-02"))
	}
	return nil
}

// yesNoFlag reads a yes/no flag's value, or says it is neither.
func yesNoFlag(name, v string) (bool, error) {
	yes, ok := map[string]bool{"yes": true, "y": true, "true": true, "no": false, "n": false, "false": false}[strings.ToLower(strings.TrimSpace(v))]
	if !ok {
		return false, usageError{fmt.Sprintf("--%s %q: yes or no", name, v)}
	}
	return yes, nil
}
