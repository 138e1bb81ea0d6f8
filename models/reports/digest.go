package reports

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// WeeklyDigests builds the week's digests of every organizer with
// something to tell.
func WeeklyDigests(ctx context.Context, st *store.Store, loc *time.Location, week models.Day, now time.Time) ([]planner.Message, error) {
	orgs, err := st.Organizers(ctx)
	if err != nil {
		return nil, err
	}
	qStart, _ := models.QuarterOf(now.In(loc)).Span(loc)
	w := store.DigestWindow{WeekAgo: now.AddDate(0, 0, -7), Now: now, WeekAhead: now.AddDate(0, 0, 7), QuarterStart: qStart}
	var msgs []planner.Message
	for i := range orgs {
		org := &orgs[i]
		if org.ChatID == nil || !org.OnRoster() {
			continue
		}
		scope, err := st.Scope(ctx, org)
		if err != nil {
			return nil, err
		}
		d, err := st.DigestFor(ctx, org, scope, w, loc)
		if err != nil {
			return nil, err
		}
		if d.Empty() {
			continue
		}
		msgs = append(msgs, planner.WeeklyDigest(org.ID, week, d, now))
	}
	return msgs, nil
}
