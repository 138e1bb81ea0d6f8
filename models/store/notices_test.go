package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestNoticesAndQuestionsOnBothDatabases: a recurring notice's date is
// planned once (a unique broadcast a date, also when two plan it); an
// entry of the year keeps its texts when switched off and on; a question
// is sent once and answered once, the second answer refused with who
// answered; a matching frequent question is found in its language.
func TestNoticesAndQuestionsOnBothDatabases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 12, 4, 10, 0, 0, 0, sh)
		org := mustAdd(t, st, store.NewMember{Name: "张组长", Phone: "13900000000", Branch: "东城镇/李家村", Role: models.RoleOrganizer})
		wang := mustAdd(t, st, store.NewMember{Name: "王芳", Phone: "13800000001", Branch: "东城镇/李家村"})
		for _, p := range []struct {
			phone string
			id    int64
		}{{"13900000000", 501}, {"13800000001", 502}} {
			if _, err := st.LinkByPhone(ctx, p.phone, p.id, p.id); err != nil {
				t.Fatal(err)
			}
		}
		n := &models.Notice{Audience: "all", Lunar: "01-01", AtMinute: 9 * 60}
		n.SetTexts(map[string]string{"zh-Hans": "新春快乐"})
		if err := st.AddNotice(ctx, n, sh, now); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2027, 2, 6, 9, 1, 0, 0, sh)
		for i := range 3 {
			planned, err := st.PlanNotices(ctx, sh, at.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[i == 0]; len(planned) != want || (i == 0 && planned[0].Total != 2) {
				t.Fatalf("run %d planned %+v", i, planned)
			}
		}
		date := time.Date(2027, 2, 6, 0, 0, 0, 0, time.UTC)
		if _, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.Everyone(), Text: "x", SendAt: at, NoticeID: &n.ID, Occurrence: &date}); !errors.Is(err, store.ErrOccurrencePlanned) {
			t.Fatalf("a second broadcast of the date: %v", err)
		}
		// A notice its maker no longer organizes is switched off, not sent
		// in their name.
		mine := &models.Notice{Audience: "branch:东城镇/李家村", RRule: "FREQ=WEEKLY;BYDAY=MO", AtMinute: 9 * 60, CreatedBy: &org.ID}
		mine.SetTexts(map[string]string{"zh-Hans": "周一例会"})
		if err := st.AddNotice(ctx, mine, sh, now); err != nil {
			t.Fatal(err)
		}
		member := models.RoleMember
		if _, err := st.EditMember(ctx, org.ID, store.MemberChange{Role: &member}); err != nil {
			t.Fatal(err)
		}
		monday := time.Date(2026, 12, 7, 9, 1, 0, 0, sh)
		if planned, err := st.PlanNotices(ctx, sh, monday); !errors.Is(err, store.ErrNoticeMakerGone) || len(planned) != 0 {
			t.Fatalf("the demoted organizer's notice: %v %v", planned, err)
		}
		if got, _ := st.NoticeByID(ctx, mine.ID); got.Enabled {
			t.Fatal("the demoted organizer's notice is still on")
		}
		if planned, err := st.PlanNotices(ctx, sh, monday.Add(5*time.Minute)); err != nil || len(planned) != 0 {
			t.Fatalf("the next run: %v %v", planned, err)
		}
		organizer := models.RoleOrganizer
		if _, err := st.EditMember(ctx, org.ID, store.MemberChange{Role: &organizer}); err != nil {
			t.Fatal(err)
		}
		// The year's entry keeps its texts off and on.
		e, _ := models.YearEntryByKey("member_day")
		if _, err := st.SetYearEntry(ctx, e, nil, map[string]string{"zh-Hans": "会员日快乐"}, true, sh, now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetYearEntry(ctx, e, nil, nil, false, sh, now); err != nil {
			t.Fatal(err)
		}
		back, err := st.SetYearEntry(ctx, e, nil, nil, true, sh, now)
		if err != nil || back.TextFor("en") != "会员日快乐" || !back.Enabled {
			t.Fatalf("the entry back on: %+v %v", back, err)
		}

		// A question, sent once, answered once.
		q, err := st.DraftInquiry(ctx, wang, "请问孕前检查在哪里做？", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AskInquiry(ctx, q.ID, org, now); !errors.Is(err, models.ErrNotYours) {
			t.Fatalf("sent by another: %v", err)
		}
		if told, err := st.AskInquiry(ctx, q.ID, wang, now); err != nil || told != 1 {
			t.Fatalf("asked: %d %v", told, err)
		}
		if _, err := st.AskInquiry(ctx, q.ID, wang, now); !errors.Is(err, store.ErrInquiryGone) {
			t.Fatalf("asked twice: %v", err)
		}
		scope := models.Scope{Paths: []string{"东城镇/李家村"}}
		if _, err := st.AnswerInquiry(ctx, q.ID, org, models.Scope{Paths: []string{"西城"}}, "x", now); !errors.Is(err, models.ErrNotYours) {
			t.Fatalf("answered from another branch: %v", err)
		}
		if _, err := st.AnswerInquiry(ctx, q.ID, org, scope, "镇卫生院二楼", now); err != nil {
			t.Fatal(err)
		}
		var answered *store.AnsweredError
		if _, err := st.AnswerInquiry(ctx, q.ID, org, scope, "again", now); !errors.As(err, &answered) || answered.By != "张组长" {
			t.Fatalf("answered twice: %v", err)
		}
		got, _ := st.InquiryByID(ctx, q.ID)
		if got.Answer != "镇卫生院二楼" || got.Status != models.InquiryAnswered {
			t.Fatalf("the question %+v", got)
		}
		// Frequent questions, by language.
		for _, f := range []models.FAQ{{Lang: "zh-Hans", Question: "孕前检查在哪里做？", Answer: "镇卫生院", Keywords: "孕前检查"},
			{Lang: "en", Question: "Where is the pre-pregnancy check-up?", Answer: "Town clinic"}} {
			if err := st.AddFAQ(ctx, &f, now); err != nil {
				t.Fatal(err)
			}
		}
		if fs, err := st.MatchFAQs(ctx, "zh-Hans", "请问孕前检查在哪里做"); err != nil || len(fs) != 1 || fs[0].Answer != "镇卫生院" {
			t.Fatalf("matched %+v %v", fs, err)
		}
		if fs, _ := st.MatchFAQs(ctx, "en", "请问孕前检查在哪里做"); len(fs) != 0 {
			t.Fatalf("another language's matched: %+v", fs)
		}
	})
}
