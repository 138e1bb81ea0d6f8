package scheduler

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// Notices makes a broadcast of each date of the recurring notices (and the
// association's year's entries switched on) whose time has come
// (store.PlanNotices): once a date, however many runs, replicas or
// restarts.
type Notices struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (Notices) Name() string { return "notices" }

// Run plans the dates due as of now.
func (j Notices) Run(ctx context.Context, now time.Time) (Counts, error) {
	planned, err := j.Store.PlanNotices(ctx, j.Location, now)
	total := 0
	for _, p := range planned {
		total += p.Total
	}
	return Counts{"notices": len(planned), "enqueued": total}, err
}

// Forecast lists the dates of the enabled notices in the window, each as
// the broadcast it will be: /preview shows the Spring Festival greetings
// before they go.
func (j Notices) Forecast(ctx context.Context, f *Forecast) error {
	ns, err := j.Store.Notices(ctx)
	if err != nil {
		return err
	}
	for i := range ns {
		n := &ns[i]
		if !n.Enabled {
			continue
		}
		a, err := models.ParseAudience(n.Audience)
		if err != nil {
			continue
		}
		dates, err := n.Due(f.Now, f.Until, j.Location)
		if err != nil {
			continue
		}
		for _, d := range dates {
			at := n.SendAt(d, j.Location)
			b := &models.Broadcast{Text: n.TextFor("zh-Hans"), PhotoFileID: n.PhotoFileID, SendAt: at}
			f.Add(at, planner.Broadcast(b, a, "", n.NoticeTexts()))
		}
	}
	return nil
}

// Inquiries follows up members' questions once a day
// (store.FollowUpInquiries): each organizer's list of those waiting a day or
// more, the branch above told of those waiting three days.
type Inquiries struct {
	Store    *store.Store
	Location *time.Location
}

// Name is the job's name in logs.
func (Inquiries) Name() string { return "questions" }

// Run sends the day's lists and escalations.
func (j Inquiries) Run(ctx context.Context, now time.Time) (Counts, error) {
	lists, escalated, err := j.Store.FollowUpInquiries(ctx, j.Location, now)
	return Counts{"lists": lists, "escalated": escalated}, err
}
