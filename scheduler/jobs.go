package scheduler

import (
	"time"

	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// Entry is a job and when it runs (a standard cron spec).
type Entry struct {
	Spec string
	Job  Job
}

// Jobs are assocbot's timed jobs at their times (planner's Spec…), as
// `assocbot run` and `assocbot demo` schedule them.
func Jobs(st *store.Store, loc *time.Location, offsets planner.Offsets) []Entry {
	return []Entry{
		{planner.SpecOutboxCleanup, OutboxCleanup{Store: st}},
		{planner.SpecEventReminders, &EventReminders{Store: st, Location: loc, Offsets: offsets}},
		{planner.SpecRatings, EventSurveys{Store: st, Location: loc}},
		{planner.SpecPlanReminders, PlanReminders{Store: st, Location: loc}},
		{planner.SpecOverdueDigest, OverdueDigest{Store: st, Location: loc}},
		{planner.SpecActivityDuties, ActivityDuties{Store: st, Location: loc}},
		{planner.SpecRecordAsks, RecordAsks{Store: st, Location: loc}},
		{planner.SpecWeeklyDigest, WeeklyDigest{Store: st, Location: loc}},
		{planner.SpecSurveyReminders, SurveyReminders{Store: st}},
		{planner.SpecVisits, Visits{Store: st, Location: loc}},
		{planner.SpecNotices, Notices{Store: st, Location: loc}},
		{planner.SpecInquiries, Inquiries{Store: st, Location: loc}},
	}
}

// AddAll schedules entries.
func (s *Scheduler) AddAll(entries []Entry) error {
	for _, e := range entries {
		if err := s.Add(e.Spec, e.Job); err != nil {
			return err
		}
	}
	return nil
}
