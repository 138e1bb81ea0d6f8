package outbox

import (
	"time"
)

// Status is where a message stands.
type Status string

// The outbox states (SPEC C7).
const (
	Pending Status = "pending" // waiting for its time
	Sending Status = "sending" // claimed by a dispatcher, under lease
	Sent    Status = "sent"
	Failed  Status = "failed"  // gave up: a 400, or too many retries
	Stale   Status = "stale"   // past expires_at, never sent
	Skipped Status = "skipped" // the member is unreachable, muted or gone, or the message was withdrawn
)

// Final reports whether the message will never be sent again.
func (s Status) Final() bool {
	return s == Sent || s == Failed || s == Stale || s == Skipped
}

// FinalStatuses lists the statuses of messages that will never be sent again.
func FinalStatuses() []Status {
	return []Status{Sent, Failed, Stale, Skipped}
}

// Reason is why a message was not delivered, or is waiting again, stored on
// its row so that reports count by reason (SPEC C6: delivered, blocked,
// failed) and never by matching error text. One classifier sets it
// (the Telegram edge's telegram.Classify) for every answer.
type Reason string

// The reasons.
const (
	ReasonNone        Reason = ""
	ReasonBlocked     Reason = "blocked" // 403: the member blocked the bot or deleted their account
	ReasonChatGone    Reason = "chat_not_found"
	ReasonBadRequest  Reason = "bad_request"  // another 400: this message cannot be sent
	ReasonRateLimited Reason = "rate_limited" // 429
	ReasonServerError Reason = "server_error" // 5xx, timeouts, network: retried
	ReasonStale       Reason = "stale"        // past its expiry
	ReasonMuted       Reason = "muted"
	ReasonUnreachable Reason = "unreachable" // known blocked before sending
	ReasonLeft        Reason = "left"
	ReasonNoMember    Reason = "no_member" // the member was removed
	ReasonWithdrawn   Reason = "withdrawn" // its subject changed (an event cancelled)
	// ReasonUneditable: an edit in place of a message that can no longer
	// be edited (the member deleted it, Telegram refuses edits of it).
	ReasonUneditable Reason = "uneditable"

	// SMS (SPEC C12).
	ReasonNoTemplate Reason = "no_template" // no approved template for the kind and language
	ReasonSMSCap     Reason = "sms_cap"     // the month's SMS cap is used up
	ReasonSMSStopped Reason = "sms_stopped" // the member replied TD, or the provider refuses the number
	ReasonSMSRefused Reason = "sms_refused" // the provider refuses the template, sign or account
	ReasonNoChannel  Reason = "no_channel"  // neither Telegram nor SMS reaches the member
)

// Channel is how a row goes.
type Channel string

// The channels.
const (
	ByTelegram Channel = "telegram"
	BySMS      Channel = "sms"
)

// Delivery is an SMS row's delivery report: sent (handed to the provider),
// then delivered or failed as the provider reports.
type Delivery string

// The delivery states.
const (
	DeliveryNone      Delivery = ""
	DeliverySent      Delivery = "sent"
	DeliveryDelivered Delivery = "delivered"
	DeliveryFailed    Delivery = "failed"
)

// Blocked reports whether the reason means the member cannot be reached.
func (r Reason) Blocked() bool {
	return r == ReasonBlocked || r == ReasonChatGone || r == ReasonUnreachable
}

// Row is one message to send. Every message assocbot starts goes through
// here: the planner package builds the rows, the store writes them, the
// dispatcher sends them.
//
// NextAttemptAt is when the row is next due: its not-before time at first,
// later the retry time, and while a dispatcher holds the row, the end of its
// lease, so that one indexed condition (status, next_attempt_at) finds both
// due rows and rows a crashed dispatcher left behind.
type Row struct {
	ID        uint64 `gorm:"primaryKey"`
	DedupeKey string `gorm:"size:200;not null;uniqueIndex"`
	MemberID  *uint  `gorm:"index"`
	ChatID    int64  `gorm:"not null"`
	Lang      string `gorm:"size:16"` // the reader's language when the row has no member
	Kind      string `gorm:"size:32;not null"`
	// The subject: what the message is about. Withdrawing or rewriting the
	// messages of an event is a query on these columns.
	EventID       *uint `gorm:"index"`
	Occurrence    *time.Time
	BroadcastID   *uint `gorm:"index"`
	JoinRequestID *uint
	PlanID        *uint `gorm:"index"`
	SurveyID      *uint `gorm:"index"`

	TemplateKey       string     `gorm:"size:100"`  // rendered at send time in the member's language
	Args              string     `gorm:"type:text"` // planner.Args as JSON
	Text              string     `gorm:"type:text"` // an organizer's own words, sent as written
	PhotoFileID       string     `gorm:"size:200"`
	DocumentFileID    string     `gorm:"size:200"`
	Markup            string     `gorm:"type:text"` // planner.Markup as JSON, labels rendered at send time
	NotBefore         time.Time  `gorm:"not null"`
	ExpiresAt         *time.Time // after it the message is stale
	Urgent            bool       `gorm:"not null;default:false"` // ignores quiet hours
	Status            Status     `gorm:"size:16;not null;index:idx_outbox_due,priority:1"`
	NextAttemptAt     time.Time  `gorm:"not null;index:idx_outbox_due,priority:2"`
	Attempts          int        `gorm:"not null;default:0"`
	LeaseOwner        string     `gorm:"size:128"`
	Reason            Reason     `gorm:"size:32"`
	LastError         string     `gorm:"size:500"` // Telegram's words, for the operator
	SentAt            *time.Time
	TelegramMessageID int64
	// EditMessageID, when not 0, is a message the bot sent to ChatID that
	// this row edits in place (editMessageText) rather than sending a new
	// one: a copy of an event's announcement after a change. When Telegram
	// refuses the edit (the message is gone or too old), a row that
	// SendIfUneditable is sent as a new message instead; another is left
	// (skipped, ReasonUneditable).
	EditMessageID    int64 `gorm:"not null;default:0"`
	SendIfUneditable bool  `gorm:"not null;default:false"`
	// Channel is how the row goes: Telegram, or SMS to the member's phone
	// (Route). It may change before the row is sent (the member blocked the
	// bot meanwhile), never after: one message, one channel.
	Channel Channel `gorm:"size:16;not null;default:telegram"`
	// ProviderMessageID is the SMS provider's id of the message (Tencent's
	// SerialNo, Alibaba's BizId), which its delivery report names.
	ProviderMessageID string   `gorm:"size:100;not null;default:'';index:idx_outboxes_provider_message_id"`
	Delivery          Delivery `gorm:"size:16;not null;default:''"`
	DeliveredAt       *time.Time
	CreatedAt         time.Time
}

// TableName keeps the table's name from before the type was named Row.
func (Row) TableName() string { return "outboxes" }
