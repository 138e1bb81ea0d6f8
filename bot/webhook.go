package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"
)

// maxUpdateBytes bounds a webhook body; real updates are a few kilobytes.
const maxUpdateBytes = 1 << 20

// SetWebhook registers url with Telegram, with the secret it must send back,
// and sets the command menus.
func (b *Bot) SetWebhook(ctx context.Context, url, secret string) error {
	if _, err := b.api.SetWebhook(ctx, &tg.SetWebhookParams{
		URL: url, SecretToken: secret, AllowedUpdates: []string{"message", "callback_query"},
	}); err != nil {
		return fmt.Errorf("bot: setWebhook: %s", redact(err.Error(), b.cfg.Token))
	}
	b.SetMenus(ctx)
	return nil
}

// WebhookHandler receives updates pushed by Telegram. Unlike the library's
// handler it refuses a wrong secret (401, compared in constant time, before
// anything is read or written), refuses a body over 1 MB (413, unread),
// never logs bodies, handles a re-sent update_id once, and answers 200 only
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
			b.metrics.Webhook.WithLabelValues("400").Inc()
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if upd.ID != 0 {
			fresh, err := b.st.FirstSeen(ctx, upd.ID, b.cfg.Now())
			if err != nil {
				// Not recorded: Telegram sends it again later.
				b.log.Warn("webhook: record update", "err", err)
				b.metrics.Webhook.WithLabelValues("503").Inc()
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			if !fresh {
				b.metrics.Webhook.WithLabelValues("duplicate").Inc()
				w.WriteHeader(http.StatusOK)
				return
			}
		}
		// Accepted updates are handled to the end even if shutdown begins.
		b.handleNow(context.WithoutCancel(ctx), &upd)
		b.metrics.Webhook.WithLabelValues("200").Inc()
		w.WriteHeader(http.StatusOK)
	})
}

// handleNow handles an update in its chat's order and returns once it is
// handled.
func (b *Bot) handleNow(ctx context.Context, upd *tgm.Update) {
	done := make(chan struct{})
	b.chats.push(updateChatID(upd), func() {
		defer close(done)
		b.safeHandle(ctx, upd)
	})
	<-done
}
