package bot

import tgm "github.com/go-telegram/bot/models"

// SetBeforeHandle makes f run before each update's handling (a handler
// that panics, for the tests of poison updates).
func SetBeforeHandle(b *Bot, f func(*tgm.Update)) { b.beforeHandle = f }
