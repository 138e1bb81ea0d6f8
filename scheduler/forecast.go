package scheduler

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/store"
)

// Forecaster is a job that can say, without writing, what it will enqueue
// over a window: the preview asks every job of the schedule that is one,
// so that a new job that forecasts is in /preview with no change there.
// A job that only tidies (the outbox cleanup, closing duties) sends
// nothing and is not one.
type Forecaster interface {
	Forecast(ctx context.Context, f *Forecast) error
}

// Forecast is one preview's window, the job's runs in it, and what the
// jobs before this one said. Jobs forecast in the schedule's order, so
// that one may use what an earlier one found (the overdue lists, the plans
// the reminder ticks made overdue).
type Forecast struct {
	Now, Until time.Time

	schedule cron.Schedule // the job's
	loc      *time.Location
	planned  []plannedAt
	overdue  []overdueAt
}

type plannedAt struct {
	at  time.Time
	msg planner.Message
}

type overdueAt struct {
	at   time.Time
	plan models.Plan
}

// Runs are the times in (Now, Until] the job's cron spec runs it. They
// are listed when asked: the every-minute jobs forecast the moments
// something falls due instead, and 20,160 minutes of a 14-day preview
// took 12 ms each to list.
func (f *Forecast) Runs() []time.Time {
	var out []time.Time
	for t := f.schedule.Next(f.Now.In(f.loc)); !t.After(f.Until); t = f.schedule.Next(t) {
		out = append(out, t)
	}
	return out
}

// Add records messages a run at at would enqueue (none goes before it).
func (f *Forecast) Add(at time.Time, ms ...planner.Message) {
	for _, m := range ms {
		if m.NotBefore.Before(at) {
			m.NotBefore = at
		}
		f.planned = append(f.planned, plannedAt{at, m})
	}
}

// Previewer lists what the schedule's jobs and the outbox will send: the
// jobs forecast, and each row is put through the dispatcher's decision
// (outbox.Rules.Decide), so that the preview holds for quiet hours and
// skips what the dispatcher would skip.
type Previewer struct {
	Store       *store.Store
	Entries     []Entry // the schedule, in Jobs' order
	Location    *time.Location
	Quiet       outbox.QuietHours
	DefaultLang locales.Lang
}

// maxPreviewRows bounds what a preview reads.
const maxPreviewRows = 200000

// Preview lists what will be sent in (now, until] to the members within
// scope: what each job forecasts at its runs, and what waits in the
// outbox already. Recipients are resolved as of now; a message already in
// the outbox is listed once.
func (p *Previewer) Preview(ctx context.Context, scope models.Scope, now, until time.Time) ([]reports.PreviewItem, error) {
	f := &Forecast{Now: now, Until: until, loc: p.Location}
	for _, e := range p.Entries {
		fc, ok := e.Job.(Forecaster)
		if !ok {
			continue
		}
		var err error
		if f.schedule, err = cron.ParseStandard(e.Spec); err != nil {
			return nil, fmt.Errorf("scheduler: preview %s at %q: %w", e.Job.Name(), e.Spec, err)
		}
		if err := fc.Forecast(ctx, f); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(f.planned, func(i, j int) bool { return f.planned[i].at.Before(f.planned[j].at) })
	msgs := make([]planner.Message, len(f.planned))
	for i, pl := range f.planned {
		msgs[i] = pl.msg
	}
	rows, err := p.Store.Resolve(ctx, msgs...)
	if err != nil {
		return nil, err
	}
	queued, err := p.Store.PendingBefore(ctx, until, maxPreviewRows)
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
	members, err := p.Store.MembersByIDs(ctx, idList)
	if err != nil {
		return nil, err
	}
	var out []reports.PreviewItem
	rules := outbox.Rules{Quiet: p.Quiet, Zone: p.Location, SMS: p.Store.SMSEnabled()}
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
		r.Channel = dec.Channel // as it will go: by SMS to a member not on Telegram
		out = append(out, reports.PreviewItem{At: at, Row: r, Member: m, Lang: locales.Resolve(m.Lang, m.TelegramLang, p.DefaultLang), Queued: queued})
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

// minuteOf is the first run of an every-minute job at or after t.
func minuteOf(t time.Time) time.Time {
	if r := t.Truncate(time.Minute); r.Equal(t) {
		return r
	}
	return t.Truncate(time.Minute).Add(time.Minute)
}
