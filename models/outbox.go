package models

import (
	"encoding/json"
	"time"
)

// OutboxStatus is where a message stands.
type OutboxStatus string

// The outbox states (SPEC C7).
const (
	OutboxPending OutboxStatus = "pending" // waiting for its time
	OutboxSending OutboxStatus = "sending" // claimed by a dispatcher, under lease
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"  // gave up: a 400, or too many retries
	OutboxStale   OutboxStatus = "stale"   // past expires_at, never sent
	OutboxSkipped OutboxStatus = "skipped" // the member is unreachable, muted or gone
)

// Final reports whether the message will never be sent again.
func (s OutboxStatus) Final() bool {
	return s == OutboxSent || s == OutboxFailed || s == OutboxStale || s == OutboxSkipped
}

// The kinds of outbox messages.
const (
	KindBroadcast = "broadcast"
	KindReminder  = "reminder"
	KindNotice    = "notice"
)

// Outbox is one message to send. Every message assocbot starts goes through
// here: a planner or an organizer enqueues it, the dispatcher sends it.
//
// NextAttemptAt is when the row is next due: its not-before time at first,
// later the retry time, and while a dispatcher holds the row, the end of its
// lease, so that one indexed condition (status, next_attempt_at) finds both
// due rows and rows a crashed dispatcher left behind.
type Outbox struct {
	ID                uint64       `gorm:"primaryKey"`
	DedupeKey         string       `gorm:"size:200;not null;uniqueIndex"`
	MemberID          *uint        `gorm:"index"`
	ChatID            int64        `gorm:"not null"`
	Kind              string       `gorm:"size:32;not null"`
	TemplateKey       string       `gorm:"size:100"`  // rendered at send time in the member's language
	Args              string       `gorm:"type:text"` // JSON object of template arguments
	Text              string       `gorm:"type:text"` // an organizer's own words, sent as written
	PhotoFileID       string       `gorm:"size:200"`
	DocumentFileID    string       `gorm:"size:200"`
	Markup            string       `gorm:"type:text"` // JSON [][]ButtonSpec, labels rendered at send time
	NotBefore         time.Time    `gorm:"not null"`
	ExpiresAt         *time.Time   // after it the message is stale
	Urgent            bool         `gorm:"not null;default:false"` // ignores quiet hours and mute
	Status            OutboxStatus `gorm:"size:16;not null;index:idx_outbox_due,priority:1"`
	NextAttemptAt     time.Time    `gorm:"not null;index:idx_outbox_due,priority:2"`
	Attempts          int          `gorm:"not null;default:0"`
	LeaseOwner        string       `gorm:"size:128"`
	LastError         string       `gorm:"size:500"`
	SentAt            *time.Time
	TelegramMessageID int64
	BroadcastID       *uint `gorm:"index"`
	CreatedAt         time.Time
}

// ButtonSpec is an inline button whose label is a message key.
type ButtonSpec struct {
	Key  string         `json:"key"`
	Args map[string]any `json:"args,omitempty"`
	Data string         `json:"data"`
}

// EncodeArgs serializes template arguments for Outbox.Args.
func EncodeArgs(args map[string]any) string {
	if len(args) == 0 {
		return ""
	}
	b, _ := json.Marshal(args)
	return string(b)
}

// Broadcast is an organizer's notice to an audience.
type Broadcast struct {
	ID                uint   `gorm:"primaryKey"`
	OrganizerID       *uint  // nil when sent from the CLI
	ChatID            *int64 // where progress and the report go
	ProgressMessageID *int64 // the message edited as it goes
	Audience          string `gorm:"size:200;not null"`
	Text              string `gorm:"type:text"`
	PhotoFileID       string `gorm:"size:200"`
	DocumentFileID    string `gorm:"size:200"`
	Total             int    `gorm:"not null"`
	SendAt            time.Time
	Status            string `gorm:"size:16;not null;index"` // sending, done
	LastProgress      int    // sent count last shown
	CreatedAt         time.Time
	FinishedAt        *time.Time
}

// Broadcast statuses.
const (
	BroadcastSending = "sending"
	BroadcastDone    = "done"
)

// Dialog is where a user is in a multi-step conversation (a broadcast being
// written), kept in the database so that any replica can answer the next step.
type Dialog struct {
	TelegramID int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind       string `gorm:"size:32;not null"`
	Step       string `gorm:"size:32;not null"`
	Data       string `gorm:"type:text"`
	UpdatedAt  time.Time
}

// EncodeMarkup serializes buttons for Outbox.Markup.
func EncodeMarkup(rows [][]ButtonSpec) string {
	if len(rows) == 0 {
		return ""
	}
	b, _ := json.Marshal(rows)
	return string(b)
}
