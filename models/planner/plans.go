package planner

import (
	"fmt"
	"strconv"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// Health checks and duties (SPEC C5): the reminders of a plan's cycle, the
// report that it was done, the decision, and the organizers' daily list of
// the newly overdue.

// maxRoll bounds how many missed dates of a recurring duty one tick records
// (after a long downtime).
const maxRoll = 60

// PlanStep is what a tick decided for one plan.
type PlanStep struct {
	Reminders []Message    // 0 or 1 reminder (a catch-up sends the latest due)
	Missed    []models.Day // dates of a recurring duty that passed undone
	Plan      models.Plan  // the plan's fields afterwards
	Changed   bool         // whether the plan's row must be written
}

// PlanTick moves a plan on to now: the latest of its cycle's reminders that
// fell due (one, after downtime, not each), a "remind me tomorrow" that came
// due, overdue once the last went out undone, and for a recurring duty the
// next cycle once its first reminder comes (the missed date recorded). It
// sets when the plan is next due for a reminder (NextRemindAt): the
// planner's index. zone is the assignee's.
func PlanTick(p models.Plan, k *models.PlanKind, zone *time.Location, now time.Time) (PlanStep, error) {
	step := PlanStep{Plan: p}
	slots, err := k.Slots()
	if err != nil {
		return step, err
	}
	q := &step.Plan
	if q.State == models.PlanOpen && q.Recurs(k) {
		// A date of a recurring duty is missed once the next date's first
		// reminder comes (after downtime, maybe several): the plan moves
		// on to the current date before anything is reminded.
		for i := 0; i < maxRoll; i++ {
			next, err := k.NextDue(q.NextDue, q.NextDue)
			if err != nil {
				return step, err
			}
			if now.Before(models.SlotTime(next, slots[0], zone)) {
				break
			}
			step.Missed = append(step.Missed, q.NextDue)
			q.NextDue, q.Cycle, q.Slot, q.OverdueSince, q.OverdueTold = next, q.Cycle+1, 0, nil, false
			step.Changed = true
		}
	}
	if q.State == models.PlanOpen {
		latest := -1
		for i := q.Slot; i < len(slots); i++ {
			if !models.SlotTime(q.NextDue, slots[i], zone).After(now) {
				latest = i
			}
		}
		if latest >= 0 {
			step.Reminders = append(step.Reminders, CheckReminder(q, k, strconv.Itoa(latest), slots[latest], now))
			q.Slot = latest + 1
			if q.Slot == len(slots) && q.OverdueSince == nil {
				od := OverdueFrom(q.NextDue, slots)
				q.OverdueSince = &od
			}
			step.Changed = true
		}
		if q.SnoozeAt != nil && !q.SnoozeAt.After(now) {
			if latest < 0 {
				day := models.DayOf(now, zone)
				step.Reminders = append(step.Reminders, CheckReminder(q, k, "z"+day.Format("20060102"), daysFrom(q.NextDue, day), now))
			}
			q.SnoozeAt = nil
			step.Changed = true
		}
	}
	next := NextRemind(q, k, zone)
	if !sameTime(next, q.NextRemindAt) {
		q.NextRemindAt = next
		step.Changed = true
	}
	return step, nil
}

// OverdueFrom is the day a cycle due on due is overdue from: the day of its
// last reminder when that is after the due date, else the day after it.
func OverdueFrom(due models.Day, slots []int) models.Day {
	return due.UTC().AddDate(0, 0, max(slots[len(slots)-1], 1))
}

// Close ends a plan whose assignee left, or whose duty's organizer is one
// no longer.
func Close(p models.Plan) PlanStep {
	p.State, p.NextRemindAt, p.SnoozeAt = models.PlanClosed, nil, nil
	return PlanStep{Plan: p, Changed: true}
}

// NextRemind is when the plan next needs the planner: its next reminder, a
// "remind me tomorrow", or, for a recurring duty whose reminders are all
// out, the first reminder of its next cycle. nil: nothing to do until the
// plan changes (waiting for an organizer, closed, or overdue for good).
func NextRemind(p *models.Plan, k *models.PlanKind, zone *time.Location) *time.Time {
	if p.State != models.PlanOpen {
		return nil
	}
	slots, err := k.Slots()
	if err != nil {
		return nil
	}
	var next *time.Time
	consider := func(t time.Time) {
		t = t.UTC()
		if next == nil || t.Before(*next) {
			next = &t
		}
	}
	if p.Slot < len(slots) {
		consider(models.SlotTime(p.NextDue, slots[p.Slot], zone))
	} else if p.Recurs(k) {
		if due, err := k.NextDue(p.NextDue, p.NextDue); err == nil {
			consider(models.SlotTime(due, slots[0], zone))
		}
	}
	if p.SnoozeAt != nil {
		consider(*p.SnoozeAt)
	}
	return next
}

// Tomorrow is when "remind me tomorrow" reminds: 09:00 the next day, in zone.
func Tomorrow(now time.Time, zone *time.Location) time.Time {
	d := models.DayOf(now, zone).AddDate(0, 0, 1)
	return time.Date(d.Year(), d.Month(), d.Day(), models.RemindHour, 0, 0, 0, zone)
}

func daysFrom(due, day models.Day) int { return int(day.Sub(due).Hours() / 24) }

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// PlanArgs are the arguments that describe a plan in every check template
// (the chat's lists and the member card too).
func PlanArgs(p *models.Plan, k *models.PlanKind) Args {
	var a Args
	a.Text("Kind", k.Names()).Date("DueAt", p.NextDue).Key("Icon", "check.icon."+string(k.For))
	return a
}

// PlanButtons are a reminder's buttons: ✅ Done, ⏰ Remind me tomorrow, and
// 📷 Send certificate for kinds that take one.
func PlanButtons(p *models.Plan, k *models.PlanKind) [][]models.ButtonSpec {
	data := func(a models.Action) string {
		return models.Callback{Action: a, ID: p.ID, Op: strconv.Itoa(p.Cycle)}.Encode()
	}
	rows := [][]models.ButtonSpec{{{Key: "check.button.done", Data: data(models.ActPlanDone)},
		{Key: "check.button.tomorrow", Data: data(models.ActPlanSnooze)}}}
	if k.Certificate {
		rows = append(rows, []models.ButtonSpec{{Key: "check.button.certificate", Data: data(models.ActPlanPhoto)}})
	}
	return rows
}

// CheckReminder reminds the assignee of a plan, offset days from its due
// date (before, on the day, or overdue).
func CheckReminder(p *models.Plan, k *models.PlanKind, slot string, offset int, now time.Time) Message {
	template := "check.remind.due"
	switch {
	case offset < 0:
		template = "check.remind.soon"
	case offset > 0:
		template = "check.remind.overdue"
	}
	m := Message{Kind: outbox.KindCheckReminder, Subject: Subject{PlanID: p.ID}, Slot: fmt.Sprintf("%d.%s", p.Cycle, slot),
		To: models.MembersAudience(p.MemberID), Template: template, Args: PlanArgs(p, k),
		Markup: Markup{Inline: PlanButtons(p, k)}, NotBefore: now}
	m.Args.Int("Days", max(offset, -offset))
	expires := now.Add(24 * time.Hour).UTC()
	m.ExpiresAt = &expires
	return m
}

// CheckSubmitted asks deciders (those who decide for the member's branch
// at path, the member left out: store.DecidersFor) to confirm a member's
// report that a check is done, with the certificate's photo when there is
// one.
func CheckSubmitted(p *models.Plan, k *models.PlanKind, name, path string, deciders []uint, rec *models.CheckRecord, now time.Time) Message {
	m := Message{Kind: outbox.KindCheckSubmitted, Subject: Subject{PlanID: p.ID}, Slot: fmt.Sprintf("%d.%d", rec.ID, len(rec.PhotoFileID)),
		To: models.MembersAudience(deciders...), Template: "check.submitted", Args: PlanArgs(p, k),
		PhotoFileID: rec.PhotoFileID, NotBefore: now}
	if rec.PhotoFileID != "" {
		m.Slot = fmt.Sprintf("%d.photo", rec.ID)
		m.Template = "check.submitted_photo"
	}
	m.Args.Str("Name", name).Str("Branch", path).Date("DoneOn", rec.DoneOn)
	m.Markup = Markup{Inline: [][]models.ButtonSpec{{
		{Key: "check.button.approve", Data: models.Callback{Action: models.ActCheckApprove, ID: rec.ID}.Encode()},
		{Key: "check.button.reject", Data: models.Callback{Action: models.ActCheckReject, ID: rec.ID}.Encode()},
	}}}
	return m
}

// CheckDecision tells the assignee what became of their check: approved or
// recorded (with the next due date), or rejected with the organizer's words.
func CheckDecision(p *models.Plan, k *models.PlanKind, rec *models.CheckRecord, byName string, now time.Time) Message {
	m := Message{Kind: outbox.KindCheckDecision, Subject: Subject{PlanID: p.ID}, Slot: strconv.FormatUint(uint64(rec.ID), 10),
		To: models.MembersAudience(p.MemberID), Args: PlanArgs(p, k), NotBefore: now}
	m.Args.Date("DoneOn", rec.DoneOn).Str("By", byName)
	switch rec.Status {
	case models.CheckRejected:
		m.Template = "check.rejected"
		m.Args.Str("Note", rec.Note)
		m.Markup = Markup{Inline: PlanButtons(p, k)}
	default:
		m.Template = "check.approved"
	}
	return m
}

// OverdueItem is one newly overdue plan in an organizer's list.
type OverdueItem struct {
	Plan *models.Plan
	Kind *models.PlanKind
	Name string // the assignee's
}

// maxDigestButtons and maxDigestLines bound a digest (Telegram's message is
// at most 4096 characters).
const (
	maxDigestButtons = 20
	maxDigestLines   = 25
)

// digestLines are a daily list's lines, one an item up to maxDigestLines,
// then one line (moreKey, with Count) of how many more there are.
func digestLines[T any](items []T, moreKey string, line func(T) Line) []Line {
	lines := make([]Line, 0, min(len(items), maxDigestLines+1))
	for i, it := range items {
		if i == maxDigestLines {
			var more Args
			more.Int("Count", len(items)-i)
			return append(lines, Line{Key: moreKey, Args: more})
		}
		lines = append(lines, line(it))
	}
	return lines
}

// digestButtons are a daily list's buttons, a row an item up to
// maxDigestButtons.
func digestButtons[T any](items []T, button func(T) models.ButtonSpec) [][]models.ButtonSpec {
	var rows [][]models.ButtonSpec
	for _, it := range items[:min(len(items), maxDigestButtons)] {
		rows = append(rows, []models.ButtonSpec{button(it)})
	}
	return rows
}

// clipNames bounds a kind's names for a list line.
func clipNames(names map[string]string) map[string]string {
	for l, n := range names {
		names[l] = Clip(n, digestText)
	}
	return names
}

// OverdueDigest is an organizer's (or an admin's) one message of the day
// listing the plans newly overdue, with a button to record each as done.
func OverdueDigest(recipient uint, day models.Day, items []OverdueItem, now time.Time) Message {
	// The day and the first plan tell one digest from a later one the same
	// day (a second run, another replica): each plan is in one digest.
	m := Message{Kind: outbox.KindCheckOverdue, Slot: fmt.Sprintf("%s.%d", day.Format("20060102"), items[0].Plan.ID),
		To: models.MembersAudience(recipient), Template: "check.overdue", NotBefore: now}
	lines := digestLines(items, "check.overdue_more", func(it OverdueItem) Line {
		var a Args
		a.Str("Name", Clip(it.Name, digestText)).Text("Kind", clipNames(it.Kind.Names())).Date("DueAt", it.Plan.NextDue)
		return Line{Key: "check.overdue_line", Args: a}
	})
	buttons := digestButtons(items, func(it OverdueItem) models.ButtonSpec {
		return models.ButtonSpec{Key: "check.button.record", Args: map[string]any{"Name": it.Name},
			Data: models.Callback{Action: models.ActPlanRecord, ID: it.Plan.ID, Op: strconv.Itoa(it.Plan.Cycle)}.Encode()}
	})
	m.Args.Int("Count", len(items)).List("List", lines)
	m.Markup = Markup{Inline: buttons}
	return m
}

// PlanEnds reports whether a plan's tick closes it instead: its assignee
// left the roster, or a duty's organizer is one no longer. p.Member must be
// loaded.
func PlanEnds(p *models.Plan) bool {
	m := p.Member
	return !m.OnRoster() || (p.Kind.For == models.ForDuty && !m.IsOrganizer())
}
