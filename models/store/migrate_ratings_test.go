package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestRatingsBecomeDayAfterSurveys: a database of version 17 holds 1–5
// ratings of an occurrence and a rating question still waiting for
// another; version 18 turns each into that occurrence's anonymous
// satisfaction survey: those who came are asked, each rating is an answer
// (5 stars 非常满意 … 1 很不满意) with no member, the satisfaction rate is
// the ratings', the rsvps keep no rating, and the waiting question's
// buttons answer its survey.
func TestRatingsBecomeDayAfterSurveys(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		st := storetest.Unmigrated(t, dsn)
		if _, err := st.MigrateTo(ctx, 17); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := st.ExecForTest(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh).UTC()
		occ := time.Date(2026, 11, 10, 9, 0, 0, 0, sh).UTC()  // rated, closed since
		occ2 := time.Date(2026, 11, 22, 9, 0, 0, 0, sh).UTC() // its question still waits
		exec("INSERT INTO branches (id, name, path, created_at) VALUES (1, 'Town', 'Town', ?)", now)
		exec("INSERT INTO branches (id, parent_id, name, path, created_at) VALUES (2, 1, 'East', 'Town/East', ?)", now)
		for i := 1; i <= 5; i++ {
			exec(`INSERT INTO members (id, name, phone, branch_id, role, lang, telegram_id, chat_id, status, created_at, updated_at)
				VALUES (?, ?, ?, 2, 'member', 'en', ?, ?, 'active', ?, ?)`, i, fmt.Sprint("M", i), fmt.Sprint("+86138000000", i), 100+i, 100+i, now, now)
		}
		for id, at := range map[int]time.Time{1: occ, 2: occ2} {
			exec(`INSERT INTO events (id, kind, title, location, start_at, audience, rsvp, capacity, allow_guests, r_rule, status, created_at, updated_at)
				VALUES (?, 'activity_day', ?, 'Hall', ?, 'branch:Town/East', ?, 0, ?, '', 'scheduled', ?, ?)`, id, fmt.Sprint("Talk ", id), at, true, false, now, now)
		}
		rsvp := func(event int, at time.Time, member int, answer string, in bool, rating any) {
			exec(`INSERT INTO rsvps (event_id, occurrence, member_id, answer, guests, waitlisted, checked_in, rating, updated_at)
				VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`, event, at, member, answer, false, in, rating, now)
		}
		rsvp(1, occ, 1, "yes", true, 5)     // 非常满意
		rsvp(1, occ, 2, "yes", true, 2)     // 不满意
		rsvp(1, occ, 3, "yes", true, 4)     // 满意
		rsvp(1, occ, 4, "yes", false, nil)  // said yes, did not come
		rsvp(1, occ, 5, "yes", true, nil)   // came, did not rate
		rsvp(2, occ2, 1, "yes", false, nil) // nobody checked in: a yes came
		exec(`INSERT INTO outboxes (dedupe_key, member_id, chat_id, kind, template_key, args, text, markup, not_before, urgent, status,
			next_attempt_at, attempts, last_error, event_id, occurrence, created_at) VALUES (?, 1, 101, 'event.rate', 'event.rate', '', '', '', ?, ?, 'pending', ?, 0, '', 2, ?, ?)`,
			fmt.Sprintf("event.rate:e2:o%d:m1", occ2.Unix()/60), now, false, now, occ2, now)

		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		sv, err := st.EventSurvey(ctx, 1, occ)
		if err != nil {
			t.Fatal(err)
		}
		if !sv.Anonymous || sv.Title != "Talk 1" || len(sv.Questions) != 1 || sv.Questions[0].Kind != models.QuestionSatisfaction ||
			sv.ClosesAt == nil || !sv.ClosesAt.Equal(occ.Add(7*24*time.Hour)) || sv.Open(now) {
			t.Fatalf("the rated occurrence's survey %+v", sv)
		}
		tally, err := st.SurveyTallyOf(ctx, sv)
		if err != nil {
			t.Fatal(err)
		}
		counts := tally.Counts[1]["Town/East"]
		if tally.Asked["Town/East"] != 4 || tally.Answered["Town/East"] != 3 || fmt.Sprint(counts) != "[0 1 1 0 1 0]" {
			t.Fatalf("asked %v answered %v counts %v: want 4 asked (those who came), 3 answered, one each of 1, 2, 4", tally.Asked, tally.Answered, counts)
		}
		sat, err := st.EventSatisfaction(ctx, occ.Add(-time.Hour), occ.Add(time.Hour))
		if p, ok := sat[1][occ].Percent(); err != nil || !ok || p != 67 {
			t.Fatalf("satisfaction %+v %v, want 67%% (2 of 3)", sat, err)
		}
		named, err := storetest.Dump(ctx, dsn, "SELECT COUNT(*) AS n FROM survey_answers WHERE member_id IS NOT NULL")
		if err != nil || strings.TrimSpace(named) != "n=0" {
			t.Fatalf("answers naming a member: %s %v", named, err)
		}
		if _, err := storetest.Dump(ctx, dsn, "SELECT rating FROM rsvps"); err == nil {
			t.Fatal("rsvps still has a rating column")
		}
		// The waiting question's occurrence has its survey, open, asking
		// the one who came; the old button answers it, once.
		sv2, err := st.EventSurvey(ctx, 2, occ2)
		if err != nil || !sv2.Open(now) {
			t.Fatalf("the waiting question's survey %+v %v", sv2, err)
		}
		m1, _ := st.MemberByID(ctx, 1)
		if _, err := st.AnswerSurvey(ctx, sv2.ID, m1, 1, 2, "", now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AnswerSurvey(ctx, sv2.ID, m1, 1, 1, "", now); err != models.ErrAnsweredBefore {
			t.Fatalf("a second answer: %v", err)
		}
		m2, _ := st.MemberByID(ctx, 2)
		if _, err := st.AnswerSurvey(ctx, sv2.ID, m2, 1, 1, "", now); err != models.ErrNotAsked {
			t.Fatalf("one who was not there: %v", err)
		}
		// A day-after run finds the occurrence's survey open and asks no one
		// twice.
		ev, _ := st.EventByID(ctx, 2)
		if n, err := st.OpenEventSurvey(ctx, planner.EventSurvey(ev, occ2), now); err != nil || n != 0 {
			t.Fatalf("opened again: %d %v", n, err)
		}
	})
}
