package scheduler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

// greeting is a job the preview has never heard of: a notice to everyone
// at each of its runs. It forecasts what it would enqueue.
type greeting struct{}

func (greeting) Name() string { return "greeting" }
func (greeting) Run(context.Context, time.Time) (scheduler.Counts, error) {
	return scheduler.Counts{}, nil
}

func (greeting) Forecast(ctx context.Context, f *scheduler.Forecast) error {
	for _, t := range f.Runs() {
		f.Add(t, planner.Message{Kind: outbox.KindBroadcast, To: models.Everyone(), Slot: t.Format(time.RFC3339), Text: "Happy new year"})
	}
	return nil
}

// TestANewJobIsInThePreviewByItsForecast: the preview asks every job of
// the schedule that forecasts, at the job's own cron runs, and puts what
// it says through the dispatcher's decision: a job added to the schedule
// needs no change in the preview. The quiet hours hold a run at 07:00
// until 08:00; a member who left gets nothing; one outside the scope is
// not listed.
func TestANewJobIsInThePreviewByItsForecast(t *testing.T) {
	st, _ := storetest.New(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	ctx := context.Background()
	var left *models.Member
	for i, m := range []store.NewMember{
		{Name: "Wang", Phone: "13800000001", Branch: "Town/West"},
		{Name: "Li", Phone: "13800000002", Branch: "Town/East"},
		{Name: "Zhao", Phone: "13800000003", Branch: "Town/West"},
	} {
		if _, err := st.AddMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		linked, err := st.LinkByPhone(ctx, m.Phone, int64(101+i), int64(101+i))
		if err != nil {
			t.Fatal(err)
		}
		left = linked
	}
	if err := st.SetMemberStatus(ctx, left.ID, models.StatusLeft); err != nil {
		t.Fatal(err)
	}
	quiet, _ := outbox.ParseQuietHours("21:00-08:00")
	p := &scheduler.Previewer{Store: st, Entries: []scheduler.Entry{{Spec: "0 7,12 * * *", Job: greeting{}}}, Location: loc, Quiet: quiet}
	now := time.Date(2026, 12, 31, 10, 0, 0, 0, loc)
	items, err := p.Preview(ctx, models.Scope{Paths: []string{"Town/West"}}, now, now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.At.In(loc).Format("01-02 15:04")+" "+it.Member.Name)
	}
	want := []string{"12-31 12:00 Wang", "01-01 08:00 Wang"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("preview %q, want %q", got, want)
	}
	// A spec the scheduler would refuse is said, not forecast as never.
	p.Entries[0].Spec = "0 25 * * *"
	if _, err := p.Preview(ctx, models.Scope{Admin: true}, now, now.Add(24*time.Hour)); err == nil || !strings.Contains(err.Error(), "greeting") {
		t.Fatalf("a bad spec: %v", err)
	}
}
