package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
)

// maxUpdateBytes bounds a webhook body; real updates are a few kilobytes.
const maxUpdateBytes = 1 << 20

// updateHold is how long a webhook update taken for handling is the
// taker's: longer than any handling takes (a reply waiting out a 429
// included), so that a delivery Telegram repeats meanwhile is not handled
// twice; an update whose taker died is handled at the first delivery after.
const updateHold = 3 * time.Minute

// ValidWebhookSecret is Telegram's rule for a webhook's secret_token: 1-256
// characters of A-Z a-z 0-9 _ -. The length is checked apart: the regexp
// ^[A-Za-z0-9_-]{1,256}$ would compile to 256 copies of its class, a
// quarter of a megabyte held from the start.
func ValidWebhookSecret(s string) bool {
	return len(s) <= 256 && secretChars.MatchString(s)
}

var secretChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// registerFor bounds how long SetWebhook tries before it gives up.
const registerFor = 2 * time.Minute

// SetWebhook registers url with Telegram, with the secret it must send back,
// then sets the command menus in the background. While Telegram asks to
// wait (429: replicas starting together each register; telegram.Client
// waits those out) or cannot be reached (5xx, network) it tries again, for up to two minutes; a refusal of the URL
// or the token ends it at once.
func (b *Bot) SetWebhook(ctx context.Context, url, secret string) error {
	giveUp := time.Now().Add(registerFor)
	backoff := time.Second
	for {
		_, err := b.api.SetWebhook(ctx, &tg.SetWebhookParams{
			URL: url, SecretToken: secret, AllowedUpdates: []string{"message", "callback_query", "my_chat_member"},
		})
		if err == nil {
			break
		}
		wait := backoff
		if telegram.Classify(ctx, err).Verdict != outbox.Retry {
			return fmt.Errorf("bot: setWebhook: %s", redact(err.Error(), b.cfg.Token))
		}
		backoff = min(2*backoff, 30*time.Second)
		if time.Now().Add(wait).After(giveUp) {
			return fmt.Errorf("bot: setWebhook: still failing after %s: %s", registerFor, redact(err.Error(), b.cfg.Token))
		}
		b.log.Warn("setWebhook failed; trying again", "in", wait.String(), "err", redact(err.Error(), b.cfg.Token))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	b.setMenusBeside(ctx)
	return nil
}

// WebhookHandler receives updates pushed by Telegram. Unlike the library's
// handler it refuses a wrong secret (401, compared in constant time, before
// anything is read or written), refuses a body over 1 MB (413, unread),
// never logs bodies, handles a re-sent update_id once (taken on arrival,
// marked handled at the end; see store.TakeUpdate), and answers 200 only
// once the update is handled (in its chat's order), under ctx (the
// service's lifetime), not the request's: Telegram re-sends what got no
// 2xx, to this replica or another.
func (b *Bot) WebhookHandler(ctx context.Context, secret string) http.Handler {
	want := []byte(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ctx.Err() != nil {
			// Shutting down: a non-2xx answer makes Telegram send it again,
			// to a replica that is up.
			b.metrics.Webhook.WithLabelValues("503").Inc()
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			b.metrics.Webhook.WithLabelValues("401").Inc()
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.ContentLength > maxUpdateBytes {
			b.metrics.Webhook.WithLabelValues("413").Inc()
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			b.metrics.Webhook.WithLabelValues("413").Inc()
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			b.metrics.Webhook.WithLabelValues("400").Inc()
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var upd tgm.Update
		if err := json.Unmarshal(body, &upd); err != nil {
			if _, ok := b.passOver(body, err); !ok {
				b.metrics.Webhook.WithLabelValues("400").Inc()
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			// An update from Telegram that the library's models cannot
			// read: sent again it would fail again, so it is passed over
			// (as when polling).
			b.metrics.Webhook.WithLabelValues("200").Inc()
			w.WriteHeader(http.StatusOK)
			return
		}
		take, err := b.st.TakeUpdate(ctx, upd.ID, b.cfg.Now(), updateHold)
		switch {
		case err != nil:
			// Not taken: Telegram sends it again later.
			b.log.Warn("webhook: take update", "err", err)
			b.metrics.Webhook.WithLabelValues("503").Inc()
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		case take == store.UpdatePoison:
			b.gaveUp(upd.ID)
			b.metrics.Webhook.WithLabelValues("given_up").Inc()
			w.WriteHeader(http.StatusOK)
			return
		case take == store.UpdateHandled:
			b.metrics.Webhook.WithLabelValues("duplicate").Inc()
			w.WriteHeader(http.StatusOK)
			return
		case take == store.UpdateInHand:
			// Being handled by another request, which may yet fail: a
			// 2xx now would lose it then, so Telegram asks again later.
			b.metrics.Webhook.WithLabelValues("in_hand").Inc()
			http.Error(w, "in hand", http.StatusServiceUnavailable)
			return
		}
		// Accepted updates are handled to the end even if shutdown begins,
		// and marked handled in the same turn of their chat, which Wait
		// waits for: a re-delivery after a shutdown that cut off this
		// answer finds it handled.
		hctx := context.WithoutCancel(ctx)
		b.handleNow(hctx, &upd, func() {
			if err := b.st.MarkUpdateHandled(hctx, upd.ID, b.cfg.Now()); err != nil {
				// Handled all the same: a re-delivery after the hold is
				// handled again, which beats losing it.
				b.log.Warn("webhook: mark update handled", "err", err)
			}
		})
		b.metrics.Webhook.WithLabelValues("200").Inc()
		w.WriteHeader(http.StatusOK)
	})
}

// handleNow handles an update in its chat's order, then runs after, and
// returns once both are done.
func (b *Bot) handleNow(ctx context.Context, upd *tgm.Update, after func()) {
	done := make(chan struct{})
	b.chats.push(updateChatID(upd), func() {
		defer close(done)
		b.safeHandle(ctx, upd)
		after()
	})
	<-done
}
