package models

import "time"

// ButtonSpec is an inline button whose label is a message key.
type ButtonSpec struct {
	Key  string         `json:"key"`
	Args map[string]any `json:"args,omitempty"`
	Data string         `json:"data"`
}

// Broadcast is an organizer's notice to an audience.
type Broadcast struct {
	ID                uint   `gorm:"primaryKey"`
	OrganizerID       *uint  // nil when sent from the CLI
	ChatID            *int64 // where progress and the report go
	ProgressMessageID *int64 // the progress message, once sent
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
	// NoticeID and Occurrence: the recurring notice and the date this
	// broadcast is the occurrence of (one broadcast a date, by a unique
	// index).
	NoticeID   *uint      `gorm:"uniqueIndex:idx_broadcasts_occurrence"`
	Occurrence *time.Time `gorm:"uniqueIndex:idx_broadcasts_occurrence"`
}

// Broadcast statuses.
const (
	BroadcastSending   = "sending"
	BroadcastDone      = "done"
	BroadcastCancelled = "cancelled" // a scheduled notice called off before its time
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

// A notice's own words must leave room for the line that says who sends
// it (Telegram: 4096 characters a message, 1024 a caption).
const (
	MaxNoticeText    = 3900
	MaxNoticeCaption = 900
)
