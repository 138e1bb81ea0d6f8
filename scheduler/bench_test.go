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
			st, dsn := storetest.New(b)
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
				if err := storetest.Exec(ctx, dsn, "DELETE FROM outboxes"); err != nil {
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

// BenchmarkPlanRemindersTick measures one plan-reminder tick with 100,000
// members each holding a plan, 1% of them with a reminder due: the tick reads
// only the due plans (the next_remind_at index) and writes their reminders.
func BenchmarkPlanRemindersTick(b *testing.B) {
	const members = 100000
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	st, dsn := storetest.New(b)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, sh)
	branch, err := st.EnsureBranch(ctx, "Town/Village")
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]models.Member, 0, members)
	for i := 0; i < members; i++ {
		phone := fmt.Sprintf("+86139%08d", i)
		tg := int64(1_000_000 + i)
		batch = append(batch, models.Member{Name: fmt.Sprintf("M%d", i), Phone: &phone, BranchID: &branch.ID,
			Role: models.RoleMember, Status: models.StatusActive, TelegramID: &tg, ChatID: &tg})
	}
	if err := st.InsertMembers(ctx, batch); err != nil {
		b.Fatal(err)
	}
	k, err := st.PlanKindByKey(ctx, "annual_check")
	if err != nil {
		b.Fatal(err)
	}
	later := models.DayOf(now, sh).AddDate(0, 1, 0) // first reminders in three weeks
	if res, err := st.AssignPlans(ctx, k, models.BranchAudience("Town"), &later, nil, sh, now); err != nil || res.Created != members {
		b.Fatalf("assign %+v %v", res, err)
	}
	// 1%: due in seven days, its first reminder due now.
	due := models.DayOf(now, sh).AddDate(0, 0, 7)
	reset := func() {
		if err := storetest.Exec(ctx, dsn, "DELETE FROM outboxes"); err != nil {
			b.Fatal(err)
		}
		if err := storetest.Exec(ctx, dsn, "UPDATE plans SET next_due = ?, slot = 0, next_remind_at = ? WHERE id % 100 = 0", due, now.UTC()); err != nil {
			b.Fatal(err)
		}
	}
	job := scheduler.PlanReminders{Store: st, Location: sh}
	enqueued := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		reset()
		b.StartTimer()
		c, err := job.Run(ctx, now)
		if err != nil {
			b.Fatal(err)
		}
		enqueued = c["enqueued"]
	}
	if enqueued != members/100 {
		b.Fatalf("enqueued %d, want %d", enqueued, members/100)
	}
	b.ReportMetric(float64(enqueued), "reminders/tick")
}

// BenchmarkNoticesTick measures the five-minute run of recurring notices
// with 200 of them (yearly, lunar, monthly, weekly) and none due: what the
// job costs every five minutes of the year. A due date is one broadcast,
// as any notice.
func BenchmarkNoticesTick(b *testing.B) {
	ctx := context.Background()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	st, _ := storetest.New(b)
	if _, err := st.EnsureBranch(ctx, "Town/V1"); err != nil {
		b.Fatal(err)
	}
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, sh)
	rules := []models.Notice{{RRule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8"}, {Lunar: "01-01"}, {RRule: "FREQ=MONTHLY;BYMONTHDAY=15"}, {RRule: "FREQ=WEEKLY;BYDAY=MO"}}
	for i := 0; i < 200; i++ {
		n := rules[i%len(rules)]
		n.Audience, n.AtMinute, n.BeforeDays = "branch:Town/V1", 9*60, i%4
		n.SetTexts(map[string]string{"zh-Hans": fmt.Sprintf("通知 %d", i)})
		if err := st.AddNotice(ctx, &n, sh, created); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, sh) // a Thursday afternoon: nothing due
	job := scheduler.Notices{Store: st, Location: sh}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := job.Run(ctx, now)
		if err != nil || c["notices"] != 0 {
			b.Fatalf("%v %v", c, err)
		}
	}
}
