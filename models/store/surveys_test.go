package store_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestSurveysOnBothDatabases: a survey's life on SQLite and PostgreSQL —
// asked, answered (named and anonymous, changed), counted, reminded once,
// closed.
func TestSurveysOnBothDatabases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		var ms []*models.Member
		for _, p := range []string{"13800000001", "13800000002", "13800000003"} {
			ms = append(ms, mustAdd(t, st, store.NewMember{Name: "M" + p[10:], Phone: p, Branch: "Town/East"}))
		}
		closes := now.Add(48 * time.Hour)
		for _, anonymous := range []bool{false, true} {
			sv := &models.Survey{Title: "S", Audience: "branch:Town", Anonymous: anonymous, ClosesAt: &closes, RemindHours: 24,
				Questions: []models.SurveyQuestion{{Kind: models.QuestionSatisfaction, Text: "Q?"}, {Kind: models.QuestionYesNo, Text: "Y?"}}}
			if n, err := st.CreateSurvey(ctx, sv, now); err != nil || n != 3 {
				t.Fatalf("asked %d %v", n, err)
			}
			a, err := st.AnswerSurvey(ctx, sv.ID, ms[0], 1, 1, "", now)
			if err != nil || a.Next != 2 {
				t.Fatalf("answer %+v %v", a, err)
			}
			ballot := ""
			if anonymous {
				ballot = a.Ballot
			}
			if _, err := st.AnswerSurvey(ctx, sv.ID, ms[0], 2, 2, ballot, now); err != nil {
				t.Fatal(err)
			}
			if _, err := st.AnswerSurvey(ctx, sv.ID, ms[0], 1, 2, ballot, now); err != nil { // changed
				t.Fatal(err)
			}
			if _, err := st.AnswerSurvey(ctx, sv.ID, ms[1], 1, 4, "", now); err != nil {
				t.Fatal(err)
			}
			tally, err := st.SurveyTallyOf(ctx, sv)
			if err != nil {
				t.Fatal(err)
			}
			if tally.Asked["Town/East"] != 3 || tally.Answered["Town/East"] != 2 || tally.Counts[1]["Town/East"][2] != 1 || tally.Counts[1]["Town/East"][4] != 1 {
				t.Fatalf("tally %+v", tally)
			}
			named, err := st.NamedSurveyAnswers(ctx, sv)
			if err != nil || anonymous != (named == nil) || !anonymous && len(named) != 3 {
				t.Fatalf("named %v %v", named, err)
			}
			if n, err := st.PlanSurveyReminders(ctx, now.Add(30*time.Hour)); err != nil || n != 2 {
				t.Fatalf("reminded %d %v", n, err)
			}
			if n, err := st.PlanSurveyReminders(ctx, now.Add(31*time.Hour)); err != nil || n != 0 {
				t.Fatalf("reminded again %d %v", n, err)
			}
			if ok, err := st.CloseSurvey(ctx, sv.ID, now.Add(time.Hour)); err != nil || !ok {
				t.Fatalf("close %v %v", ok, err)
			}
			if _, err := st.AnswerSurvey(ctx, sv.ID, ms[2], 1, 1, "", now.Add(2*time.Hour)); err != models.ErrSurveyClosed {
				t.Fatalf("after closing: %v", err)
			}
			rows, _ := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindSurveyRemind})
			for _, r := range rows {
				if r.Status != outbox.Skipped && r.SurveyID != nil && *r.SurveyID == sv.ID {
					t.Fatalf("a reminder left waiting after closing: %+v", r)
				}
			}
		}
	})
}
