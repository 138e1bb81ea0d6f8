package dispatch

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/sms"
)

// Channel is Telegram as the dispatcher's channel (bot/telegram), wired in
// by main; SMS is the other (SMSChannel). It owns its provider's limits and "too fast" answers:
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

// SMSChannel is SMS as a channel (SPEC C12), wired in by main when a
// provider is configured (bot/smsprovider). Its Send sends one approved
// template to one phone and sorts the provider's answer.
type SMSChannel interface {
	Send(ctx context.Context, m SMS) SMSSent
	// MaxParam is the provider's limit on one parameter's length.
	MaxParam() int
}

// SMS is one row as an SMS: the member's phone, the template and its
// parameters in order.
type SMS struct {
	Row      *outbox.Row
	Phone    string // E.164
	Template sms.Template
	Values   []sms.Value
	Timeout  time.Duration
}

// SMSClass is how a provider's answer is sorted: the one classifier of
// each provider's codes (bot/smsprovider.Classify).
type SMSClass int

// The classes.
const (
	SMSDelivered   SMSClass = iota // accepted by the provider (delivery is reported later)
	SMSRetry                       // network, the provider's own failure: try again, bounded
	SMSLater                       // a per-number or daily limit: try again after RetryAfter, no attempt counted
	SMSStopMember                  // invalid number, opted out, blacklisted: no more SMS to this member
	SMSBadTemplate                 // the template is not approved or its parameters are refused: this kind fails, the admins are told
	SMSPause                       // no balance, credentials or sign refused: every SMS waits, the admins are told
	SMSFail                        // this message cannot be sent (its words refused)
	SMSInterrupted                 // our own shutdown: give the message back
)

// SMSSent is what became of an SMS.
type SMSSent struct {
	Class      SMSClass
	Code       string        // the provider's code, for the admins' alert and the log
	ProviderID string        // the provider's id of the message, for its delivery report
	RetryAfter time.Duration // for SMSLater
	Err        error         // for the operator: never the member's phone or words
}
