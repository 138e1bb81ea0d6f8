package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/calendar"
	"github.com/assocbot/assocbot/models/input"
)

// tzFlag adds --tz, defaulting to ASSOCBOT_TZ.
func tzFlag(fs *flag.FlagSet, getenv env) *string {
	return fs.String("tz", tzOr(getenv), "the association's time zone (ASSOCBOT_TZ)")
}

// tzOr is the association's time zone: ASSOCBOT_TZ, else Asia/Shanghai.
func tzOr(getenv env) string {
	if tz := getenv("ASSOCBOT_TZ"); tz != "" {
		return tz
	}
	return "Asia/Shanghai"
}

// zoneOf is the zone that --tz names, or the usage error that says it is
// none.
func zoneOf(tz string) (*time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--tz %q is not a time zone", tz)}
	}
	return loc, nil
}

// cmdEventList is `assocbot event list`.
func cmdEventList(fs *flag.FlagSet, c cli) runner {
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
		es, err := st.AllEvents(ctx)
		if err != nil {
			return err
		}
		now := c.now()
		rows := [][]string{{"ID", "KIND", "STATUS", "TITLE", "NEXT", "AUDIENCE", "RRULE"}}
		for _, e := range es {
			next := "-"
			if t, ok := e.NextOccurrence(loc, now); ok {
				next = t.In(loc).Format("2006-01-02 15:04")
			}
			rows = append(rows, []string{strconv.FormatUint(uint64(e.ID), 10), string(e.Kind), e.Status, e.Title, next, e.Audience, e.RRule})
		}
		printTable(c.stdout, rows)
		return nil
	}
}

// cmdEventAdd is `assocbot event add`.
func cmdEventAdd(fs *flag.FlagSet, c cli) runner {
	stdout, stderr, clock := c.stdout, c.stderr, c.now
	db := dbFlag(fs, c.getenv)
	tz := tzFlag(fs, c.getenv)
	kind := fs.String("kind", "", "activity_day, meeting, health_check_session, training or other (required)")
	title := fs.String("title", "", "title (required)")
	start := fs.String("start", "", `first start, "YYYY-MM-DD HH:MM" in the association's time zone (required)`)
	end := fs.String("end", "", `end, "YYYY-MM-DD HH:MM"`)
	location := fs.String("location", "", "where")
	description := fs.String("description", "", "more details")
	audience := fs.String("audience", "all", "all, branch:Town/Village or tag:T")
	capacity := fs.Int("capacity", 0, "places (0: unlimited); beyond them a waiting list")
	guests := fs.Bool("guests", false, "members may bring guests (+1), counted against capacity")
	noRSVP := fs.Bool("no-rsvp", false, "an announcement without answers")
	deadline := fs.String("rsvp-deadline", "", `answers close at "YYYY-MM-DD HH:MM"`)
	rrule := fs.String("rrule", "", "recurrence, e.g. FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=29 or FREQ=MONTHLY;BYDAY=1MO")
	onHoliday := fs.Bool("on-holiday", false, "create it even though it starts on a statutory holiday")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		var notes []string // said once the event is made
		parse := func(flag, v string) (time.Time, error) {
			t, note, err := localFlag(flag, v, loc)
			if note != "" {
				notes = append(notes, note)
			}
			return t, err
		}
		for _, f := range []struct {
			flag, value string
			multiline   bool
		}{{"title", *title, false}, {"location", *location, false}, {"description", *description, true}} {
			if err := checkText(f.flag, f.value, f.multiline); err != nil {
				return err
			}
		}
		startAt, err := parse("start", *start)
		if err != nil {
			return err
		}
		e := &models.Event{Kind: models.EventKind(*kind), Title: *title, Description: *description, Location: *location,
			StartAt: startAt, RSVP: !*noRSVP, Capacity: *capacity, AllowGuests: *guests, RRule: *rrule, Audience: *audience}
		if *end != "" {
			endAt, err := parse("end", *end)
			if err != nil {
				return err
			}
			e.DurationMin = int(endAt.Sub(startAt).Minutes())
			if e.DurationMin <= 0 {
				return usageError{"--end must be after --start"}
			}
		}
		if *deadline != "" {
			d, err := parse("rsvp-deadline", *deadline)
			if err != nil {
				return err
			}
			e.RSVPDeadline = &d
		}
		now := clock()
		if err := e.Validate(loc, now); err != nil {
			return eventUsage(err)
		}
		if h, ok := calendar.DayOff(models.DayOf(startAt, loc)); ok && !*onHoliday {
			cat, err := locales.New()
			if err != nil {
				return err
			}
			return usageError{fmt.Sprintf("--start %s is a statutory holiday (%s, %s): few will come; add --on-holiday to create it anyway",
				startAt.In(loc).Format("2006-01-02"), h.Name, cat.T(locales.En, "holiday."+h.Key))}
		}
		st, err := openStoreSMS(ctx, *db, c.getenv)
		if err != nil {
			return err
		}
		defer st.Close()
		aud, err := models.ParseAudience(e.Audience)
		if err != nil {
			return usageError{fmt.Sprintf("--audience: %v", err)}
		}
		if err := checkAudience(ctx, st, aud, false); err != nil {
			return err
		}
		n, err := st.CreateEvent(ctx, e, loc, now)
		if err != nil {
			return err
		}
		next, _ := e.NextOccurrence(loc, now)
		fmt.Fprintf(stdout, "event %d: %s, next %s; announced to %d members\n", e.ID, e.Title, next.In(loc).Format("2006-01-02 15:04 MST"), n)
		for _, note := range notes {
			fmt.Fprintln(stderr, note)
		}
		return nil
	}
}

// cliTime shows an instant with its zone and offset, so that the two
// readings of a repeated hour can be told apart.
const cliTime = "2006-01-02 15:04 MST (UTC-07:00)"

// localFlag reads a flag's "YYYY-MM-DD HH:MM" (the date in any form
// wallClock takes) in loc by input.Local's rule.
// A time the clocks jump over is refused with the nearest times that
// happen; one they show twice is taken as the earlier, and note says so.
func localFlag(flag, v string, loc *time.Location) (t time.Time, note string, err error) {
	w, err := wallClock(flag, v)
	if err != nil {
		return time.Time{}, "", err
	}
	t, err = input.Local(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), loc)
	var gap *input.GapError
	if errors.As(err, &gap) {
		return time.Time{}, "", usageError{fmt.Sprintf("--%s %s does not happen in %s: the clocks go forward that night; the nearest times are %s and %s",
			flag, w.Format("2006-01-02 15:04"), loc, gap.Before.Format(cliTime), gap.After.Format(cliTime))}
	}
	if err != nil {
		return time.Time{}, "", usageError{fmt.Sprintf(`--%s %q: want "YYYY-MM-DD HH:MM"`, flag, v)}
	}
	if second, twice := input.Ambiguous(t); twice {
		note = fmt.Sprintf("note: --%s %s happens twice in %s (the clocks go back that night); taken as the first, %s, not %s",
			flag, w.Format("2006-01-02 15:04"), loc, t.Format(cliTime), second.Format(cliTime))
	}
	return t, note, nil
}

// eventFlags names the flag each of models.Event.Validate's refusals is about.
var eventFlags = []struct {
	err  error
	flag string
}{
	{models.ErrEventKind, "--kind must be one of activity_day, meeting, health_check_session, training, other"},
	{models.ErrEventTitle, "--title is required (at most 200 characters)"},
	{models.ErrEventPlace, "--location"},
	{models.ErrEventCapacity, "--capacity"},
	{models.ErrEventDuration, "--end"},
	{models.ErrEventPast, "--start is in the past"},
	{models.ErrEventRRule, "--rrule"},
	{models.ErrEventTooFrequent, "--rrule"},
	{models.ErrEventNeverOccurs, "--rrule"},
	{models.ErrDeadlineRecurring, "--rsvp-deadline"},
	{models.ErrDeadlineAfterStart, "--rsvp-deadline"},
	{models.ErrDeadlinePast, "--rsvp-deadline"},
	{models.ErrBadAudience, "--audience: want all, branch:Town/Village or tag:T"},
}

// eventUsage turns a refusal of models.Event.Validate into a usage error
// that names the flag.
func eventUsage(err error) error {
	for _, f := range eventFlags {
		if errors.Is(err, f.err) {
			return usageError{fmt.Sprintf("%s: %v", f.flag, err)}
		}
	}
	return err
}
