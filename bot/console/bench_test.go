package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/console"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// BenchmarkConsoleStats is a town organizer's opening of the console, its
// three calls to the end: /app/api/stats (authentication, the quarter's
// figures, the four quarters' history, a bar per village, the chart),
// /app/api/events (twenty coming meetings) and /app/api/surveys, for a
// town of 20
// villages of 50 members each and one of 40 villages (the most bars
// drawn) of 250, every village holding an activity day each of the last
// four quarters with ten check-ins.
func BenchmarkConsoleStats(b *testing.B) {
	for _, size := range [][2]int{{20, 50}, {40, 250}} {
		b.Run(fmt.Sprintf("villages=%d,members=%d", size[0], size[0]*size[1]), func(b *testing.B) {
			benchmarkStats(b, size[0], size[1])
		})
	}
}

func benchmarkStats(b *testing.B, villages, perVillage int) {
	st, _ := storetest.New(b)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now()
	const token = "777:console-bench"
	var rows []roster.Row
	for v := range villages {
		for m := range perVillage {
			n := v*perVillage + m
			rows = append(rows, roster.Row{Line: n + 2, Name: fmt.Sprintf("会员%d", n), Phone: fmt.Sprintf("+86138%08d", n),
				Branch: fmt.Sprintf("东城镇/村%02d", v)})
		}
	}
	if _, err := st.ImportRoster(ctx, rows, nil, store.ImportOptions{Scope: models.Scope{Admin: true}, Location: sh, Now: now}); err != nil {
		b.Fatal(err)
	}
	org, err := st.AddMember(ctx, store.NewMember{Name: "镇组长", Phone: "13900000001", Branch: "东城镇", Role: models.RoleOrganizer})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "13900000001", 601, 601); err != nil {
		b.Fatal(err)
	}
	q := models.QuarterOf(now.In(sh))
	for back := range 4 {
		from, _ := q.Span(sh)
		held := from.Add(36 * time.Hour)
		if back == 0 {
			held = now.Add(-2 * time.Hour)
		}
		for v := range villages {
			path := fmt.Sprintf("东城镇/村%02d", v)
			e := &models.Event{Kind: models.EventActivityDay, Title: "活动日", StartAt: held, DurationMin: 60,
				Audience: "branch:" + path, RSVP: true, CreatedBy: &org.ID}
			if _, err := st.CreateEvent(ctx, e, sh, held.Add(-24*time.Hour)); err != nil {
				b.Fatal(err)
			}
			for m := range 10 {
				member, err := st.MemberByPhone(ctx, fmt.Sprintf("+86138%08d", v*perVillage+m))
				if err != nil {
					b.Fatal(err)
				}
				if err := st.SetCheckIn(ctx, e.ID, held, member.ID, true, org, sh, held.Add(10*time.Minute)); err != nil {
					b.Fatal(err)
				}
			}
		}
		q = q.Previous()
	}
	// Twenty coming meetings, one a village, and a survey to the town:
	// the page's other calls have something to list.
	for v := range villages {
		e := &models.Event{Kind: models.EventMeeting, Title: "例会", StartAt: now.Add(time.Duration(v+1) * 24 * time.Hour).Truncate(time.Hour),
			DurationMin: 60, Audience: fmt.Sprintf("branch:东城镇/村%02d", v), RSVP: true, CreatedBy: &org.ID}
		if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
			b.Fatal(err)
		}
	}
	sv := &models.Survey{Title: "满意度", Audience: "branch:东城镇", OpensAt: now,
		Questions: []models.SurveyQuestion{{Kind: models.QuestionSatisfaction, Text: "满意吗？"}}}
	if _, err := st.CreateSurvey(ctx, sv, now); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	console.New(st, console.Config{Token: token, Location: sh, PerUser: 1e6, Burst: 1e6}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	auth := "tma " + console.SignInitData(token, 601, "镇组长", "zh", now)
	get := func(path string, v any) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if err := jsonDecode(resp, v); err != nil {
			b.Fatal(err)
		}
		return resp.StatusCode
	}
	// A page load: the figures, the coming events, the surveys (the
	// calls app.js makes on opening).
	b.ResetTimer()
	for b.Loop() {
		var s console.Stats
		var evs struct{ Events []console.Event }
		var svs struct{ Surveys []console.Survey }
		if get("/app/api/stats", &s) != http.StatusOK || len(s.Branches) != 1 || len(s.Branches[0].Children) != villages ||
			s.Branches[0].Activities != villages || len(s.History) != 4 || s.History[0].Activities != villages {
			b.Fatalf("stats: %+v", s.History)
		}
		// This quarter's activity days (begun two hours ago, still in
		// hand) and the meetings: more than the 30 listed.
		if get("/app/api/events", &evs) != http.StatusOK || len(evs.Events) != 30 {
			b.Fatalf("%d events", len(evs.Events))
		}
		if get("/app/api/surveys", &svs) != http.StatusOK || len(svs.Surveys) != 1 {
			b.Fatalf("%d surveys", len(svs.Surveys))
		}
	}
}

func jsonDecode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
