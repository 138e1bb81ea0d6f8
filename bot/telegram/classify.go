package telegram

import (
	"context"
	"errors"
	"net"
	"strings"

	tg "github.com/go-telegram/bot"

	"github.com/assocbot/assocbot/models/outbox"
)

// Classify sorts the error of a Bot API call, for the dispatcher's sends and
// the bot's own replies alike (STYLE: courier's handlers/telegram).
// Telegram's description text is read here only, where the API gives no
// code. A 429 never reaches it from a message: Client waits those out (the
// one 429 path); from another call (answerCallbackQuery) it is worth a
// later try.
func Classify(ctx context.Context, err error) outbox.Outcome {
	if err == nil {
		return outbox.Outcome{Verdict: outbox.Delivered}
	}
	var tooMany *tg.TooManyRequestsError
	var migrate *tg.MigrateError
	var netErr net.Error
	text := err.Error()
	switch {
	case errors.Is(err, ErrCalledOff):
		return outbox.Outcome{Verdict: outbox.CalledOff}
	case errors.Is(err, ErrNoTurn):
		return outbox.Outcome{Verdict: outbox.Deferred}
	case errors.As(err, &tooMany):
		return outbox.Outcome{Verdict: outbox.Retry, Reason: outbox.ReasonRateLimited}
	case ctx.Err() != nil:
		return outbox.Outcome{Verdict: outbox.Interrupted}
	case errors.Is(err, tg.ErrorUnauthorized):
		// The token was revoked or mistyped: no message is at fault, and
		// none goes out until an operator fixes it.
		return outbox.Outcome{Verdict: outbox.TokenRefused}
	case errors.Is(err, tg.ErrorForbidden):
		return outbox.Outcome{Verdict: outbox.Unreachable, Reason: outbox.ReasonBlocked}
	case errors.As(err, &migrate):
		return outbox.Outcome{Verdict: outbox.Fail, Reason: outbox.ReasonBadRequest}
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorConflict):
		switch {
		case strings.Contains(text, "message is not modified"):
			return outbox.Outcome{Verdict: outbox.Unchanged}
		case strings.Contains(text, "chat not found"), strings.Contains(text, "user is deactivated"):
			return outbox.Outcome{Verdict: outbox.Unreachable, Reason: outbox.ReasonChatGone}
		case strings.Contains(text, "message can't be edited"), strings.Contains(text, "message to edit not found"),
			strings.Contains(text, "there is no text in the message to edit"), strings.Contains(text, "MESSAGE_ID_INVALID"):
			return outbox.Outcome{Verdict: outbox.Uneditable, Reason: outbox.ReasonUneditable}
		}
		return outbox.Outcome{Verdict: outbox.Fail, Reason: outbox.ReasonBadRequest}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr):
		return outbox.Outcome{Verdict: outbox.Retry, Reason: outbox.ReasonServerError}
	}
	// 5xx answers, a proxy's HTML page (a decode error): worth trying again
	// later.
	return outbox.Outcome{Verdict: outbox.Retry, Reason: outbox.ReasonServerError}
}
