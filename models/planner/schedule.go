package planner

// When the timed jobs run: standard cron specs in the association's time
// zone. The scheduler runs the jobs at these times, and the preview
// (scheduler.Previewer, through each job's Forecast) runs the same planner code at the same times.
const (
	SpecEventReminders  = "* * * * *"     // event reminders and deadline nudges
	SpecPlanReminders   = "* * * * *"     // check and duty reminders
	SpecRatings         = "0 * * * *"     // day-after surveys of events
	SpecOverdueDigest   = "0 10 * * *"    // the organizers' daily overdue lists
	SpecActivityDuties  = "15 * * * *"    // duties that close by themselves
	SpecRecordAsks      = "20 * * * *"    // activity record questions
	SpecSurveyReminders = "*/10 * * * *"  // the one reminder of a survey before it closes
	SpecWeeklyDigest    = "0 9-23 * * 1"  // Monday from 09:00; the week's dedupe key sends one
	SpecOutboxCleanup   = "30 3 * * *"    // old outbox rows
	SpecVisits          = "5 9-20 * * *"  // home visits: the day's lists (one a cadre), missed ones told
	SpecNotices         = "*/5 * * * *"   // recurring notices: each date's broadcast, at its time
	SpecInquiries       = "0 10-20 * * *" // members' questions waiting a day: the day's lists (one a day), made up after a restart
)
