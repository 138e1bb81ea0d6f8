package planner

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/assocbot/assocbot/models/outbox"
)

// Verdict is what to do after a Bot API call.
type Verdict int

// The verdicts.
const (
	Delivered    Verdict = iota
	WaitAndGoOn          // 429: wait retry_after, then send again
	Retry                // 5xx, timeouts, network: back off, bounded
	Unreachable          // 403, chat not found: nothing more to this chat
	Fail                 // another 4xx: this message cannot be sent
	Interrupted          // our own shutdown: give the message back
	Unchanged            // an edit to what the message already says: done
	TokenRefused         // 401: Telegram refuses the bot's token; nothing can be sent until it is fixed
	Uneditable           // an edit of a message that can no longer be edited (deleted, too old): send it anew, or let it be
)

// Outcome is one classified Bot API answer.
type Outcome struct {
	Verdict    Verdict
	Reason     outbox.Reason
	RetryAfter time.Duration // for WaitAndGoOn
}

// Classify sorts the error of a Bot API call, for the dispatcher and the
// bot's own replies alike (STYLE: courier's handlers/telegram). Telegram's
// description text is read here only, where the API gives no code.
func Classify(ctx context.Context, err error) Outcome {
	if err == nil {
		return Outcome{Verdict: Delivered}
	}
	var tooMany *tg.TooManyRequestsError
	var migrate *tg.MigrateError
	var netErr net.Error
	text := err.Error()
	switch {
	case errors.As(err, &tooMany):
		ra := time.Duration(tooMany.RetryAfter) * time.Second
		if ra <= 0 {
			ra = time.Second
		}
		return Outcome{Verdict: WaitAndGoOn, Reason: outbox.ReasonRateLimited, RetryAfter: ra}
	case ctx.Err() != nil:
		return Outcome{Verdict: Interrupted}
	case errors.Is(err, ErrUnrenderable):
		return Outcome{Verdict: Fail, Reason: outbox.ReasonBadRequest}
	case errors.Is(err, tg.ErrorUnauthorized):
		// The token was revoked or mistyped: no message is at fault, and
		// none goes out until an operator fixes it.
		return Outcome{Verdict: TokenRefused}
	case errors.Is(err, tg.ErrorForbidden):
		return Outcome{Verdict: Unreachable, Reason: outbox.ReasonBlocked}
	case errors.As(err, &migrate):
		return Outcome{Verdict: Fail, Reason: outbox.ReasonBadRequest}
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorConflict):
		switch {
		case strings.Contains(text, "message is not modified"):
			return Outcome{Verdict: Unchanged}
		case strings.Contains(text, "chat not found"), strings.Contains(text, "user is deactivated"):
			return Outcome{Verdict: Unreachable, Reason: outbox.ReasonChatGone}
		case strings.Contains(text, "message can't be edited"), strings.Contains(text, "message to edit not found"),
			strings.Contains(text, "there is no text in the message to edit"), strings.Contains(text, "MESSAGE_ID_INVALID"):
			return Outcome{Verdict: Uneditable, Reason: outbox.ReasonUneditable}
		}
		return Outcome{Verdict: Fail, Reason: outbox.ReasonBadRequest}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr):
		return Outcome{Verdict: Retry, Reason: outbox.ReasonServerError}
	}
	// 5xx answers, a proxy's HTML page (a decode error): worth trying again
	// later.
	return Outcome{Verdict: Retry, Reason: outbox.ReasonServerError}
}
