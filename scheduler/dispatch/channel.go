package dispatch

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
)

// Channel is a means of reaching members: Telegram today (bot/telegram),
// wired in by main. It owns its provider's limits and "too fast" answers:
// Send waits for the message's turn, sends, waits out any rate limit and
// sends again, and sorts the final answer into an outcome.
type Channel interface {
	Send(ctx context.Context, m Message) Sent
}

// Message is one row, rendered for its reader.
type Message struct {
	Row    *outbox.Row    // to whom (ChatID), as what (a photo, an edit of EditMessageID)
	Text   string         // in the reader's language and zone
	Markup planner.Markup // its buttons, as stored: the channel shows them its way
	Lang   locales.Lang
	// Organizer: the reader is an organizer (a member's keyboard gets an
	// organizer's keys).
	Organizer bool
	// AsNew sends an edit Telegram refused as a new message.
	AsNew bool
	// Ready, when set, is asked once the message's turn has come, just
	// before it leaves: false calls it off (outbox.CalledOff).
	Ready func() bool
	// Timeout bounds the send once it leaves; it finishes even when ctx
	// ends meanwhile (cut off, it might arrive and be sent again).
	Timeout time.Duration
}

// Sent is what became of a send.
type Sent struct {
	outbox.Outcome
	MessageID int64 // the provider's id of the message (0: unknown)
	Err       error // the provider's answer, for the operator (never a member's words)
}
