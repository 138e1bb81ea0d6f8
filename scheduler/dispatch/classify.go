package dispatch

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
)

// Verdict is what to do after a send, decided in one place for every
// Telegram answer (STYLE: courier's handlers/telegram).
type Verdict int

// The verdicts.
const (
	Delivered   Verdict = iota
	WaitAndGoOn         // 429: the whole dispatcher waits retry_after, then resends
	Retry               // 5xx, timeouts, network: back off, bounded
	Unreachable         // 403: blocked or deactivated; nothing more to this member
	Fail                // other 4xx: this message cannot be sent
	Interrupted         // our own shutdown: give the row back
)

// Classify sorts the error of a Bot API call. retryAfter is set for a 429.
func Classify(ctx context.Context, err error) (v Verdict, retryAfter time.Duration) {
	if err == nil {
		return Delivered, 0
	}
	var tooMany *tg.TooManyRequestsError
	var migrate *tg.MigrateError
	var netErr net.Error
	switch {
	case errors.As(err, &tooMany):
		ra := time.Duration(tooMany.RetryAfter) * time.Second
		if ra <= 0 {
			ra = time.Second
		}
		return WaitAndGoOn, ra
	case ctx.Err() != nil:
		return Interrupted, 0
	case errors.Is(err, tg.ErrorForbidden):
		return Unreachable, 0
	case errors.As(err, &migrate):
		return Fail, 0
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorConflict):
		if strings.Contains(err.Error(), "chat not found") || strings.Contains(err.Error(), "user is deactivated") {
			return Unreachable, 0
		}
		return Fail, 0
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr):
		return Retry, 0
	}
	// 5xx answers, a proxy's HTML page (a decode error), 401 while a token is
	// being rotated: worth trying again later.
	return Retry, 0
}
