package reports

import (
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// PreviewItem is one message one member will get: what /preview lists.
// The scheduler's jobs forecast them (scheduler.Previewer); the bot shows
// them.
type PreviewItem struct {
	At     time.Time // when it goes out: the job's run, after quiet hours
	Row    outbox.Row
	Member *models.Member // with Branch
	Lang   locales.Lang
	Queued bool // already in the outbox (a scheduled notice, a held reminder)
}
