package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// EventRatings asks those who came to an occurrence, the day after, for a
// 1–5 rating (SPEC C4). Run hourly; it asks about occurrences that started
// 12 to 36 hours ago, once per member (dedupe key).
type EventRatings struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (EventRatings) Name() string { return "event_ratings" }

// Run enqueues the rating questions.
func (j EventRatings) Run(ctx context.Context, now time.Time) (Counts, error) {
	events, err := j.Store.ScheduledEvents(ctx)
	if err != nil {
		return nil, err
	}
	counts := Counts{"occurrences": 0, "enqueued": 0}
	for i := range events {
		e := &events[i]
		occs, err := e.Occurrences(j.Location, now.Add(-36*time.Hour), now.Add(-12*time.Hour))
		if err != nil {
			continue
		}
		for _, occ := range occs {
			counts["occurrences"]++
			came, err := j.Store.Attended(ctx, e.ID, occ)
			if err != nil {
				return counts, err
			}
			args := models.EncodeArgs(store.EventArgs(e, occ))
			var buttons []models.ButtonSpec
			for n := 1; n <= 5; n++ {
				buttons = append(buttons, models.ButtonSpec{Key: fmt.Sprintf("rating.%d", n), Data: fmt.Sprintf("rt:%d:%d:%d", e.ID, occ.Unix()/60, n)})
			}
			markup := models.EncodeMarkup([][]models.ButtonSpec{buttons})
			expires := occ.Add(7 * 24 * time.Hour).UTC()
			rows := make([]models.Outbox, 0, len(came))
			for _, c := range came {
				id := c.MemberID
				rows = append(rows, models.Outbox{DedupeKey: fmt.Sprintf("event:%d:%d:rate:%d", e.ID, occ.Unix()/60, c.MemberID),
					MemberID: &id, ChatID: c.ChatID, Kind: models.KindReminder, TemplateKey: "event.rate", Args: args,
					Markup: markup, NotBefore: now, ExpiresAt: &expires})
			}
			n, err := j.Store.Enqueue(ctx, rows)
			if err != nil {
				return counts, err
			}
			counts["enqueued"] += n
		}
	}
	return counts, nil
}
