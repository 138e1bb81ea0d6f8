package models

import (
	"strings"
	"time"
)

// Inquiry is a member's question to their branch's organizers (SPEC C15):
// words the bot did not understand, sent on as a question with one tap, and
// answered by one organizer's reply. A question may be about the member's
// health: it is private like a check (C5), never in a group or a log.
type Inquiry struct {
	ID       uint `gorm:"primaryKey"`
	MemberID uint `gorm:"not null;index"`
	// BranchID is the member's branch when they asked: its organizers
	// answer, then (after EscalateAfter) those of the branch above.
	BranchID *uint
	Text     string       `gorm:"type:text;not null"`
	Status   InquiryState `gorm:"size:10;not null;index"`
	// BySMS: the member asked by SMS, and is answered by SMS.
	BySMS      bool `gorm:"not null;default:false"`
	AskedAt    *time.Time
	AnsweredAt *time.Time
	AnsweredBy *uint
	Answer     string `gorm:"type:text;not null;default:''"`
	// Escalated: the branch above was told (once).
	Escalated bool `gorm:"not null;default:false"`
	CreatedAt time.Time
}

// InquiryState is where a question is.
type InquiryState string

// The states of a question.
const (
	// InquiryDraft: the words, kept for the member's tap "send as a
	// question" (a button carries no more than an id).
	InquiryDraft    InquiryState = "draft"
	InquiryOpen     InquiryState = "open"
	InquiryAnswered InquiryState = "answered"
)

// Question limits and times.
const (
	MaxInquiryText = 1000
	MaxAnswerText  = 2000
	// ListAfter: an open question is on its organizers' daily list from a
	// day after it was asked; EscalateAfter: the branch above is told.
	ListAfter     = 24 * time.Hour
	EscalateAfter = 72 * time.Hour
	// DraftTTL: a draft not sent by then is forgotten.
	DraftTTL = 24 * time.Hour
)

// FAQ is a frequent question with its answer, in one language (SPEC C15):
// offered to a member whose words match before their question is sent.
type FAQ struct {
	ID       uint   `gorm:"primaryKey"`
	Lang     string `gorm:"size:8;not null;index"`
	Question string `gorm:"size:300;not null"`
	Answer   string `gorm:"type:text;not null"`
	// Keywords, comma-separated: words that, found in a member's message,
	// offer this answer.
	Keywords  string `gorm:"size:300;not null;default:''"`
	CreatedAt time.Time
}

// FAQ limits.
const (
	MaxFAQQuestion = 300
	MaxFAQAnswer   = 3000
	MaxFAQOffered  = 3
)

// KeywordList splits Keywords.
func (f FAQ) KeywordList() []string {
	var out []string
	for _, k := range strings.FieldsFunc(f.Keywords, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}
