package reports

import (
	"context"
	"sort"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// PreviewOptions are the deployment's rules that the scheduler and the
// dispatcher apply, so that the preview applies the same.
type PreviewOptions struct {
	Location    *time.Location
	Offsets     planner.Offsets // nil: the kinds' defaults
	Quiet       outbox.QuietHours
	DefaultLang locales.Lang
}

// PreviewItem is one message one member will get.
type PreviewItem struct {
	At     time.Time // when it goes out: the job's run, after quiet hours
	Row    outbox.Row
	Member *models.Member // with Branch
	Lang   locales.Lang
	Queued bool // already in the outbox (a scheduled notice, a held reminder)
}

// maxPreviewRows bounds what a preview reads.
const maxPreviewRows = 200000

// Preview lists what will be sent in (now, until] to the members within
// scope, computed by the planner code the jobs run, run forward in time
// without writing: the event reminders and deadline nudges at each moment
// one falls due (as the every-minute job finds them), the rating questions
// at each hourly run, each plan's reminders tick by tick (planner.PlanTick),
// the record questions, the weekly digest and the daily overdue lists at
// their hours, and what waits in the outbox already. Recipients are
// resolved as of now; a message already in the outbox is listed once.
func Preview(ctx context.Context, st *store.Store, scope models.Scope, opt PreviewOptions, now, until time.Time) ([]PreviewItem, error) {
	loc := opt.Location
	type timed struct {
		at  time.Time
		msg planner.Message
	}
	var planned []timed
	add := func(at time.Time, ms ...planner.Message) {
		for _, m := range ms {
			if m.NotBefore.Before(at) {
				m.NotBefore = at
			}
			planned = append(planned, timed{at, m})
		}
	}

	// Event reminders and deadline nudges: the job finds them at the minute
	// they fall due; run it at each such minute.
	longest := opt.Offsets.Longest()
	events, err := st.EventsBetween(ctx, now, until.Add(longest+time.Nanosecond))
	if err != nil {
		return nil, err
	}
	withDeadline, err := st.EventsWithDeadline(ctx, now, until.Add(planner.DeadlineLead))
	if err != nil {
		return nil, err
	}
	moments := map[time.Time]bool{}
	for i := range events {
		e := &events[i]
		occs, err := e.Occurrences(loc, now.Add(time.Nanosecond), until.Add(longest+time.Nanosecond))
		if err != nil {
			continue
		}
		for _, occ := range occs {
			for _, off := range opt.Offsets.For(e.Kind) {
				if fire := occ.Add(-off); fire.After(now) && !fire.After(until) {
					moments[tick(fire, time.Minute)] = true
				}
			}
		}
	}
	for _, e := range withDeadline {
		if e.RSVPDeadline == nil {
			continue
		}
		if fire := e.RSVPDeadline.Add(-planner.DeadlineLead); fire.After(now) && !fire.After(until) {
			moments[tick(fire, time.Minute)] = true
		}
	}
	since := now
	for _, t := range sortedTimes(moments) {
		add(t, planner.EventReminders(events, opt.Offsets, loc, since, t)...)
		add(t, planner.DeadlineNudges(withDeadline, since, t)...)
		since = t
	}

	// Checks and duties: each plan ticked at its next reminder, again and
	// again, as the every-minute job would; those that become overdue go
	// into the next overdue list.
	plans, err := st.DuePlans(ctx, until, maxPreviewRows)
	if err != nil {
		return nil, err
	}
	type overdue struct {
		at   time.Time
		plan models.Plan
	}
	var nowOverdue []overdue
	for _, p := range plans {
		if planner.PlanEnds(&p) {
			continue // the job closes it
		}
		zone := p.Member.Zone(loc)
		for i := 0; i < 100 && p.NextRemindAt != nil; i++ {
			t := tick(*p.NextRemindAt, time.Minute)
			if t.Before(now) {
				t = tick(now, time.Minute)
			}
			if t.After(until) {
				break
			}
			step, err := planner.PlanTick(p, p.Kind, zone, t)
			if err != nil {
				break
			}
			add(t, step.Reminders...)
			if step.Plan.OverdueSince != nil && p.OverdueSince == nil {
				nowOverdue = append(nowOverdue, overdue{t, step.Plan})
			}
			p = step.Plan
			if p.NextRemindAt != nil && !p.NextRemindAt.After(t) {
				break
			}
		}
	}
	if err := fillMembers(ctx, st, nowOverdue, func(o *overdue) *models.Plan { return &o.plan }); err != nil {
		return nil, err
	}

	// The jobs at their cron times: rating questions, record questions,
	// the weekly digest, the daily overdue lists.
	from, _ := planner.RatingWindow(now)
	past, err := st.EventsBetween(ctx, from, until)
	if err != nil {
		return nil, err
	}
	for _, t := range runs(planner.SpecRatings, loc, now, until) {
		add(t, planner.Ratings(past, loc, t)...)
	}
	for _, t := range runs(planner.SpecRecordAsks, loc, now, until) {
		asks, err := RecordAsks(ctx, st, loc, t)
		if err != nil {
			return nil, err
		}
		add(t, asks...)
	}
	digestDone := map[models.Day]bool{}
	for _, t := range runs(planner.SpecWeeklyDigest, loc, now, until) {
		week, due := planner.DigestDue(t, loc)
		if !due || digestDone[week] {
			continue // later runs that Monday find it sent
		}
		digestDone[week] = true
		digests, err := WeeklyDigests(ctx, st, loc, week, t)
		if err != nil {
			return nil, err
		}
		add(t, digests...)
	}
	told := map[uint]bool{}
	for _, t := range runs(planner.SpecOverdueDigest, loc, now, until) {
		day := models.DayOf(t, loc)
		ps, err := st.NewlyOverdue(ctx, day)
		if err != nil {
			return nil, err
		}
		for _, o := range nowOverdue {
			if !o.at.After(t) && !o.plan.OverdueSince.After(day) {
				ps = append(ps, o.plan)
			}
		}
		var fresh []models.Plan
		for _, p := range ps {
			if !told[p.ID] {
				fresh = append(fresh, p)
			}
		}
		digests, toldNow, err := OverdueDigests(ctx, st, fresh, day, t)
		if err != nil {
			return nil, err
		}
		for _, id := range toldNow {
			told[id] = true
		}
		add(t, digests...)
	}

	sort.SliceStable(planned, func(i, j int) bool { return planned[i].at.Before(planned[j].at) })
	msgs := make([]planner.Message, len(planned))
	for i, p := range planned {
		msgs[i] = p.msg
	}
	rows, err := st.Resolve(ctx, msgs...)
	if err != nil {
		return nil, err
	}
	queued, err := st.PendingBefore(ctx, until, maxPreviewRows)
	if err != nil {
		return nil, err
	}
	ids := map[uint]bool{}
	for _, r := range rows {
		if r.MemberID != nil {
			ids[*r.MemberID] = true
		}
	}
	for _, c := range queued {
		if c.MemberID != nil {
			ids[*c.MemberID] = true
		}
	}
	idList := make([]uint, 0, len(ids))
	for id := range ids {
		idList = append(idList, id)
	}
	members, err := st.MembersByIDs(ctx, idList)
	if err != nil {
		return nil, err
	}
	var out []PreviewItem
	rules := outbox.Rules{Quiet: opt.Quiet, Zone: loc}
	// item lists a row as the dispatcher will find it when its time comes
	// (outbox.Decide): held for quiet hours, it goes when they end; skipped
	// or stale, it is not listed.
	item := func(r outbox.Row, ready time.Time, withdrawn, queued bool) {
		if r.MemberID == nil {
			return
		}
		m := members[*r.MemberID]
		if m == nil || !scope.CoversMember(m) {
			return
		}
		at := ready
		if at.Before(now) {
			at = now
		}
		dec := rules.Decide(&r, m, withdrawn, at)
		if dec.Action == outbox.Hold {
			at = dec.Until
			dec = rules.Decide(&r, m, withdrawn, at)
		}
		if dec.Action != outbox.Send || at.After(until) {
			return
		}
		out = append(out, PreviewItem{At: at, Row: r, Member: m, Lang: locales.Resolve(m.Lang, m.TelegramLang, opt.DefaultLang), Queued: queued})
	}
	for _, c := range queued {
		item(c.Row, c.NextAttemptAt, c.Withdrawn, true)
	}
	for _, r := range rows {
		item(r, r.NotBefore, false, false)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		if out[i].Row.Kind != out[j].Row.Kind {
			return out[i].Row.Kind < out[j].Row.Kind
		}
		return out[i].Member.Name < out[j].Member.Name
	})
	return out, nil
}

// runs are the times in (from, to] when a job with the cron spec runs in
// loc.
func runs(spec string, loc *time.Location, from, to time.Time) []time.Time {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil
	}
	var out []time.Time
	for t := sched.Next(from.In(loc)); !t.After(to); t = sched.Next(t) {
		out = append(out, t)
	}
	return out
}

// fillMembers loads the names and branches of the members of plans the
// due-plan read left bare.
func fillMembers[T any](ctx context.Context, st *store.Store, items []T, plan func(*T) *models.Plan) error {
	ids := make([]uint, len(items))
	for i := range items {
		ids[i] = plan(&items[i]).MemberID
	}
	ms, err := st.MembersByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range items {
		p := plan(&items[i])
		if m := ms[p.MemberID]; m != nil {
			p.Member = m
		}
	}
	return nil
}

// tick is the first run of a job every d at or after t.
func tick(t time.Time, d time.Duration) time.Time {
	if r := t.Truncate(d); r.Equal(t) {
		return r
	}
	return t.Truncate(d).Add(d)
}

func sortedTimes(set map[time.Time]bool) []time.Time {
	out := make([]time.Time, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
