package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	tg "github.com/go-telegram/bot"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/models/outbox"
)

func TestClassify(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		name    string
		ctx     context.Context
		err     error
		verdict outbox.Verdict
		reason  outbox.Reason
	}{
		{"ok", ctx, nil, outbox.Delivered, ""},
		// A 429 to a message never gets here (Client waits it out); to
		// another call it is worth a later try.
		{"429", ctx, &tg.TooManyRequestsError{Message: "Too Many Requests", RetryAfter: 3}, outbox.Retry, outbox.ReasonRateLimited},
		{"wrapped 429", ctx, fmt.Errorf("send: %w", &tg.TooManyRequestsError{RetryAfter: 3}), outbox.Retry, outbox.ReasonRateLimited},
		{"called off", ctx, fmt.Errorf("send: %w", telegram.ErrCalledOff), outbox.CalledOff, ""},
		{"no turn", ctx, fmt.Errorf("send: %w: db down", telegram.ErrNoTurn), outbox.Deferred, ""},
		{"blocked", ctx, fmt.Errorf("%w, Forbidden: bot was blocked by the user", tg.ErrorForbidden), outbox.Unreachable, outbox.ReasonBlocked},
		{"chat not found", ctx, fmt.Errorf("%w, Bad Request: chat not found", tg.ErrorBadRequest), outbox.Unreachable, outbox.ReasonChatGone},
		{"too long", ctx, fmt.Errorf("%w, Bad Request: message is too long", tg.ErrorBadRequest), outbox.Fail, outbox.ReasonBadRequest},
		{"not modified", ctx, fmt.Errorf("%w, Bad Request: message is not modified", tg.ErrorBadRequest), outbox.Unchanged, ""},
		{"deleted", ctx, fmt.Errorf("%w, Bad Request: message to edit not found", tg.ErrorBadRequest), outbox.Uneditable, outbox.ReasonUneditable},
		{"too old", ctx, fmt.Errorf("%w, Bad Request: message can't be edited", tg.ErrorBadRequest), outbox.Uneditable, outbox.ReasonUneditable},
		{"5xx", ctx, errors.New("error response from telegram: 502"), outbox.Retry, outbox.ReasonServerError},
		{"timeout", ctx, context.DeadlineExceeded, outbox.Retry, outbox.ReasonServerError},
		{"shutdown", cancelled, context.Canceled, outbox.Interrupted, ""},
	} {
		got := telegram.Classify(c.ctx, c.err)
		if got.Verdict != c.verdict || got.Reason != c.reason {
			t.Errorf("%s: %+v, want %v %q", c.name, got, c.verdict, c.reason)
		}
	}
}
