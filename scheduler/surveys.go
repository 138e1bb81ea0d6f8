package scheduler

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models/store"
)

// SurveyReminders reminds, once, those who have not finished a survey
// that closes within its remind hours (SPEC C13).
type SurveyReminders struct {
	Store *store.Store
}

// Name is the job's name in logs.
func (SurveyReminders) Name() string { return "survey_reminders" }

// Run plans the reminders due as of now; a member is never reminded twice.
func (j SurveyReminders) Run(ctx context.Context, now time.Time) (Counts, error) {
	n, err := j.Store.PlanSurveyReminders(ctx, now)
	if err != nil {
		return nil, err
	}
	return Counts{"reminded": n}, nil
}
