package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

// BenchmarkEventRemindersTick measures one planner tick with 1,000 events
// (one per village), 1% of them with a reminder falling due, as the roster
// grows from 10,000 to 100,000 members: the tick should grow with what is
// due (the due villages' members), not with the roster.
func BenchmarkEventRemindersTick(b *testing.B) {
	for _, members := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			ctx := context.Background()
			sh, _ := time.LoadLocation("Asia/Shanghai")
			st, _ := storetest.New(b)
			const villages = 1000
			branch := make([]uint, villages)
			for i := range branch {
				br, err := st.EnsureBranch(ctx, fmt.Sprintf("Town/V%03d", i))
				if err != nil {
					b.Fatal(err)
				}
				branch[i] = br.ID
			}
			batch := make([]models.Member, 0, members)
			for i := 0; i < members; i++ {
				phone := fmt.Sprintf("+86139%08d", i)
				tg := int64(1_000_000 + i)
				batch = append(batch, models.Member{Name: fmt.Sprintf("M%d", i), Phone: &phone, BranchID: &branch[i%villages],
					Role: models.RoleMember, Status: models.StatusActive, TelegramID: &tg, ChatID: &tg})
			}
			if err := st.InsertMembers(ctx, batch); err != nil {
				b.Fatal(err)
			}
			now := time.Date(2026, 12, 1, 9, 0, 0, 0, sh)
			for i := 0; i < villages; i++ {
				start := now.Add(30 * 24 * time.Hour) // not due
				if i%100 == 0 {
					start = now.Add(24 * time.Hour) // its 24 h reminder falls due now: 1%
				}
				e := &models.Event{Kind: models.EventMeeting, Title: fmt.Sprintf("Meeting %d", i), StartAt: start,
					Audience: fmt.Sprintf("branch:Town/V%03d", i), RSVP: true}
				// Its announcements are deleted before each tick.
				if _, err := st.CreateEvent(ctx, e, sh, now.Add(-time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			enqueued := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if err := st.ExecForTest(ctx, "DELETE FROM outboxes"); err != nil {
					b.Fatal(err)
				}
				job := &scheduler.EventReminders{Store: st, Location: sh}
				b.StartTimer()
				c, err := job.Run(ctx, now)
				if err != nil {
					b.Fatal(err)
				}
				enqueued = c["enqueued"]
			}
			if want := members / 100; enqueued != want {
				b.Fatalf("enqueued %d, want %d", enqueued, want)
			}
			b.ReportMetric(float64(enqueued), "reminders/tick")
		})
	}
}
