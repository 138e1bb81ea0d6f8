package bot

import (
	"context"

	tgm "github.com/go-telegram/bot/models"
)

// SetBeforeHandle makes f run before each update's handling (a handler
// that panics, for the tests of poison updates).
func SetBeforeHandle(b *Bot, f func(*tgm.Update)) { b.beforeHandle = f }

// HandleUpdate handles one update synchronously, without the panic guard:
// fuzz tests use it so that a panic surfaces.
func (b *Bot) HandleUpdate(ctx context.Context, upd *tgm.Update) {
	b.handle(ctx, b.api, upd)
}

// ProcessUpdate handles one update as if it arrived by polling.
func (b *Bot) ProcessUpdate(ctx context.Context, upd *tgm.Update) {
	b.api.ProcessUpdate(ctx, upd)
}
