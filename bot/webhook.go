package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
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
// handler it refuses a wrong secret (401, compared in constant time), never
// logs bodies, and handles the update under ctx (the service's lifetime), not
// the request's.
func (b *Bot) WebhookHandler(ctx context.Context, secret string) http.Handler {
	want := []byte(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ctx.Err() != nil {
			// Shutting down: a non-2xx answer makes Telegram send it again,
			// to a replica that is up.
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
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateBytes+1))
		if err != nil || len(body) > maxUpdateBytes {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var upd tgm.Update
		if err := json.Unmarshal(body, &upd); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		// Accepted updates are handled to the end even if shutdown begins.
		b.api.ProcessUpdate(context.WithoutCancel(ctx), &upd)
		w.WriteHeader(http.StatusOK)
	})
}
