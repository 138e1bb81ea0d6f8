package planner_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
)

func TestClassify(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		name    string
		ctx     context.Context
		err     error
		verdict planner.Verdict
		reason  outbox.Reason
	}{
		{"ok", ctx, nil, planner.Delivered, ""},
		{"429", ctx, &tg.TooManyRequestsError{Message: "Too Many Requests", RetryAfter: 3}, planner.WaitAndGoOn, outbox.ReasonRateLimited},
		{"wrapped 429", ctx, fmt.Errorf("send: %w", &tg.TooManyRequestsError{RetryAfter: 3}), planner.WaitAndGoOn, outbox.ReasonRateLimited},
		{"blocked", ctx, fmt.Errorf("%w, Forbidden: bot was blocked by the user", tg.ErrorForbidden), planner.Unreachable, outbox.ReasonBlocked},
		{"chat not found", ctx, fmt.Errorf("%w, Bad Request: chat not found", tg.ErrorBadRequest), planner.Unreachable, outbox.ReasonChatGone},
		{"too long", ctx, fmt.Errorf("%w, Bad Request: message is too long", tg.ErrorBadRequest), planner.Fail, outbox.ReasonBadRequest},
		{"not modified", ctx, fmt.Errorf("%w, Bad Request: message is not modified", tg.ErrorBadRequest), planner.Unchanged, ""},
		{"deleted", ctx, fmt.Errorf("%w, Bad Request: message to edit not found", tg.ErrorBadRequest), planner.Uneditable, outbox.ReasonUneditable},
		{"too old", ctx, fmt.Errorf("%w, Bad Request: message can't be edited", tg.ErrorBadRequest), planner.Uneditable, outbox.ReasonUneditable},
		{"5xx", ctx, errors.New("error response from telegram: 502"), planner.Retry, outbox.ReasonServerError},
		{"timeout", ctx, context.DeadlineExceeded, planner.Retry, outbox.ReasonServerError},
		{"unrenderable", ctx, fmt.Errorf("%w: arguments", planner.ErrUnrenderable), planner.Fail, outbox.ReasonBadRequest},
		{"shutdown", cancelled, context.Canceled, planner.Interrupted, ""},
	} {
		got := planner.Classify(c.ctx, c.err)
		if got.Verdict != c.verdict || got.Reason != c.reason {
			t.Errorf("%s: %+v, want %v %q", c.name, got, c.verdict, c.reason)
		}
		if c.verdict == planner.WaitAndGoOn && got.RetryAfter != 3*time.Second {
			t.Errorf("%s: retry after %v", c.name, got.RetryAfter)
		}
	}
}

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
		text, markup, err := planner.Render(cat, lang, be, occ, &o)
		kb, _ := markup.(*planner.InlineKeyboard)
		if err != nil || !strings.Contains(text, want) || kb == nil || len(kb.InlineKeyboard) != 3 {
			t.Errorf("%s: %q %+v %v", lang, text, markup, err)
		}
	}
	// A title that looks like a time stays a title.
	e.Title = "2026-12-07T01:30:00Z"
	o = planner.Announcement(e, occ, occ).Rows([]planner.Recipient{{MemberID: 1, ChatID: 1}})[0]
	if text, _, _ := planner.Render(cat, locales.En, sh, occ, &o); !strings.Contains(text, "🗓 2026-12-07T01:30:00Z") {
		t.Errorf("title rendered as %q", text)
	}
	bad := o
	bad.Args = "{"
	if _, _, err := planner.Render(cat, locales.En, sh, occ, &bad); !errors.Is(err, planner.ErrUnrenderable) {
		t.Errorf("broken arguments: %v", err)
	}
}
