package planner_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
)

// TestRowsHaveOneKeyFormatAndTheirSubject: the dedupe key is built from
// typed parts, the subject is columns, and a stranger's row carries its
// language.
func TestRowsHaveOneKeyFormatAndTheirSubject(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
	e := &models.Event{ID: 12, Kind: models.EventMeeting, Title: "月度例会", Location: "村委会", StartAt: occ, Audience: "branch:Town", RSVP: true}
	rows := planner.Reminder(e, occ, 24*time.Hour).Rows([]planner.Recipient{{MemberID: 5, ChatID: 500}})
	o := rows[0]
	if o.DedupeKey != fmt.Sprintf("event.reminder:e12:o%d:s1440:m5", occ.Unix()/60) || o.Kind != "event.reminder" ||
		*o.EventID != 12 || !o.Occurrence.Equal(occ) || !o.NotBefore.Equal(occ.Add(-24*time.Hour)) || !o.ExpiresAt.Equal(occ) ||
		o.Urgent || o.Status != outbox.Pending {
		t.Fatalf("reminder row %+v", o)
	}
	jr := &models.JoinRequest{ID: 4, ChatID: 777, Name: "Sam", Lang: "zh-Hant", Status: models.JoinDeclined}
	d := planner.JoinDecision(jr, "Town", occ).Rows([]planner.Recipient{*planner.JoinDecision(jr, "Town", occ).Chat})[0]
	if d.DedupeKey != "join.decision:j4:c777" || d.MemberID != nil || d.Lang != "zh-Hant" || !d.Urgent || *d.JoinRequestID != 4 {
		t.Fatalf("decision row %+v", d)
	}
}

// TestRenderIsTypedAndInTheReadersLanguage: times become dates in the
// reader's language and zone, keys their words, whatever the names.
func TestRenderIsTypedAndInTheReadersLanguage(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	be, _ := time.LoadLocation("Europe/Berlin")
	occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh)
	e := &models.Event{ID: 12, Kind: models.EventMeeting, Title: "Monthly meeting", StartAt: occ, Audience: "all", RSVP: true, AllowGuests: true}
	o := planner.Announcement(e, occ, occ.Add(-72*time.Hour)).Rows([]planner.Recipient{{MemberID: 1, ChatID: 1}})[0]
	for lang, want := range map[locales.Lang]string{locales.En: "🗓 Monthly meeting\n🕘 Mon 7 Dec 02:30", locales.ZhHant: "12月7日（週一） 02:30"} {
		text, markup, err := planner.Text(cat, lang, be, occ, &o)
		if err != nil || !strings.Contains(text, want) || len(markup.Inline) != 3 {
			t.Errorf("%s: %q %+v %v", lang, text, markup, err)
		}
	}
	// A title that looks like a time stays a title.
	e.Title = "2026-12-07T01:30:00Z"
	o = planner.Announcement(e, occ, occ).Rows([]planner.Recipient{{MemberID: 1, ChatID: 1}})[0]
	if text, _, _ := planner.Text(cat, locales.En, sh, occ, &o); !strings.Contains(text, "🗓 2026-12-07T01:30:00Z") {
		t.Errorf("title rendered as %q", text)
	}
	bad := o
	bad.Args = "{"
	if _, _, err := planner.Text(cat, locales.En, sh, occ, &bad); !errors.Is(err, planner.ErrUnrenderable) {
		t.Errorf("broken arguments: %v", err)
	}
}
