package planner_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
)

var shanghai = time.FixedZone("CST", 8*3600)

func day(y int, m time.Month, d int) models.Day { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, shanghai) }

// TestPlanTickCatchesUpWithOneReminder: after downtime over three of a
// check's reminders, one tick sends the latest only, and the plan is
// overdue from the day after its due date.
func TestPlanTickCatchesUpWithOneReminder(t *testing.T) {
	k := &models.PlanKind{ID: 1, Every: "3m", Offsets: "-7,0,3"}
	p := models.Plan{ID: 5, MemberID: 9, KindID: 1, State: models.PlanOpen, NextDue: day(2026, 12, 1)}
	step, err := planner.PlanTick(p, k, shanghai, at(2026, 11, 20, 8))
	if err != nil || len(step.Reminders) != 0 || !step.Changed || !step.Plan.NextRemindAt.Equal(at(2026, 11, 24, 9)) {
		t.Fatalf("before the first: %+v %v", step, err)
	}
	step, _ = planner.PlanTick(step.Plan, k, shanghai, at(2026, 12, 5, 12))
	if len(step.Reminders) != 1 || step.Reminders[0].Slot != "0.2" || step.Plan.Slot != 3 {
		t.Fatalf("catch-up: %d reminders, slot %d", len(step.Reminders), step.Plan.Slot)
	}
	if step.Plan.OverdueSince == nil || !step.Plan.OverdueSince.Equal(day(2026, 12, 4)) || step.Plan.NextRemindAt != nil {
		t.Fatalf("overdue since %v, next %v", step.Plan.OverdueSince, step.Plan.NextRemindAt)
	}
	again, _ := planner.PlanTick(step.Plan, k, shanghai, at(2026, 12, 6, 12))
	if again.Changed || len(again.Reminders) != 0 {
		t.Fatalf("a second tick changed %+v", again)
	}
	// A check whose last reminder is on its due date is overdue the day after.
	k0 := &models.PlanKind{ID: 1, Every: "3m", Offsets: "-7,0"}
	step, _ = planner.PlanTick(p, k0, shanghai, at(2026, 12, 1, 9))
	if step.Plan.OverdueSince == nil || !step.Plan.OverdueSince.Equal(day(2026, 12, 2)) {
		t.Fatalf("overdue since %v", step.Plan.OverdueSince)
	}
}

// TestPlanTickSnoozeAndSubmitted: "remind me tomorrow" reminds at 09:00
// the next day once; a submitted plan waits for its organizer.
func TestPlanTickSnoozeAndSubmitted(t *testing.T) {
	k := &models.PlanKind{ID: 1, Every: "3m", Offsets: "-7,0,7"}
	now := at(2026, 11, 24, 9)
	snooze := planner.Tomorrow(now, shanghai)
	p := models.Plan{ID: 5, MemberID: 9, KindID: 1, State: models.PlanOpen, NextDue: day(2026, 12, 1), Slot: 1, SnoozeAt: &snooze}
	if !snooze.Equal(at(2026, 11, 25, 9)) {
		t.Fatalf("tomorrow %v", snooze)
	}
	if next := planner.NextRemind(&p, k, shanghai); !next.Equal(snooze) {
		t.Fatalf("next %v", next)
	}
	step, _ := planner.PlanTick(p, k, shanghai, snooze)
	if len(step.Reminders) != 1 || step.Reminders[0].Slot != "0.z20261125" || step.Plan.SnoozeAt != nil || step.Plan.Slot != 1 {
		t.Fatalf("snooze: %+v", step)
	}
	p.State = models.PlanSubmitted
	step, _ = planner.PlanTick(p, k, shanghai, at(2026, 12, 20, 9))
	if len(step.Reminders) != 0 || step.Plan.NextRemindAt != nil {
		t.Fatalf("a submitted plan was reminded: %+v", step)
	}
}

// TestPlanTickRollsRecurringDuty: a weekly duty missed for two weeks (the
// bot was down) records both dates and reminds of the current one once.
func TestPlanTickRollsRecurringDuty(t *testing.T) {
	k := &models.PlanKind{ID: 2, For: models.ForDuty, RRule: "FREQ=WEEKLY;BYDAY=FR", Offsets: "-1,0"}
	p := models.Plan{ID: 7, MemberID: 3, KindID: 2, State: models.PlanOpen, NextDue: day(2026, 11, 13), Slot: 0}
	step, err := planner.PlanTick(p, k, shanghai, at(2026, 11, 27, 10))
	if err != nil {
		t.Fatal(err)
	}
	if len(step.Missed) != 2 || !step.Missed[0].Equal(day(2026, 11, 13)) || !step.Missed[1].Equal(day(2026, 11, 20)) {
		t.Fatalf("missed %v", step.Missed)
	}
	if !step.Plan.NextDue.Equal(day(2026, 11, 27)) || step.Plan.Cycle != 2 || len(step.Reminders) != 1 || step.Reminders[0].Slot != "2.1" {
		t.Fatalf("now due %v cycle %d, %d reminders", step.Plan.NextDue, step.Plan.Cycle, len(step.Reminders))
	}
	if !step.Plan.NextRemindAt.Equal(at(2026, 12, 3, 9)) {
		t.Fatalf("next cycle's first reminder %v", step.Plan.NextRemindAt)
	}
	closed := planner.Close(step.Plan)
	if closed.Plan.State != models.PlanClosed || planner.NextRemind(&closed.Plan, k, shanghai) != nil {
		t.Fatalf("closed plan still reminded")
	}
}

// TestOrganizersGetTheirKeyboard: a message carrying the member keyboard
// shows an organizer their own keys.
