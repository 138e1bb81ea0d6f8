package models

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// QuestionKind is how a survey question is answered (SPEC C13).
type QuestionKind string

// The kinds of question.
const (
	// QuestionSatisfaction is the five-level scale: 1 非常满意, 2 满意,
	// 3 一般, 4 不满意, 5 很不满意.
	QuestionSatisfaction QuestionKind = "satisfaction"
	QuestionChoice       QuestionKind = "choice" // one of up to MaxOptions options
	QuestionYesNo        QuestionKind = "yesno"  // 1 yes, 2 no
)

// QuestionKinds lists the kinds.
func QuestionKinds() []QuestionKind {
	return []QuestionKind{QuestionSatisfaction, QuestionChoice, QuestionYesNo}
}

// Valid reports whether k is a known kind.
func (k QuestionKind) Valid() bool {
	return k == QuestionSatisfaction || k == QuestionChoice || k == QuestionYesNo
}

// Survey limits.
const (
	MaxOptions        = 8  // of a choice question
	MaxQuestions      = 10 // of a survey
	MaxSurveyTitle    = 100
	MaxQuestionText   = 300
	MaxOptionText     = 40
	MaxCommentText    = 300
	SatisfactionLevel = 5 // the scale's levels
	// Satisfied are the scale's levels counted in the satisfaction rate:
	// 非常满意 and 满意.
	Satisfied = 2
)

// Survey is a questionnaire to an audience (SPEC C13). In an anonymous
// survey the store keeps who has answered (SurveyTaker, for the reminder)
// apart from what was answered (SurveyAnswer, with no member).
type Survey struct {
	ID        uint   `gorm:"primaryKey"`
	Title     string `gorm:"size:100;not null"`
	Audience  string `gorm:"size:500;not null"`
	Anonymous bool   `gorm:"not null;default:false"`
	OpensAt   time.Time
	ClosesAt  *time.Time
	// RemindHours: how many hours before ClosesAt those who have not
	// finished are reminded, once (0: never).
	RemindHours int `gorm:"not null;default:24"`
	CreatedBy   *uint
	ClosedAt    *time.Time // closed by an organizer before ClosesAt
	CreatedAt   time.Time
	// EventID and Occurrence: the day-after survey of an occurrence of an
	// event, asked of those who came (SPEC C4); one per occurrence.
	EventID    *uint            `gorm:"uniqueIndex:idx_surveys_event"`
	Occurrence *time.Time       `gorm:"uniqueIndex:idx_surveys_event"`
	Questions  []SurveyQuestion `gorm:"constraint:OnDelete:CASCADE"`
}

// SurveyQuestion is one question, at Position (1, 2 …).
type SurveyQuestion struct {
	ID       uint         `gorm:"primaryKey"`
	SurveyID uint         `gorm:"not null;index"`
	Position int          `gorm:"not null"`
	Kind     QuestionKind `gorm:"size:16;not null"`
	Text     string       `gorm:"size:300;not null"`
	Options  string       `gorm:"size:400;not null;default:''"` // a choice's options, joined by "|"
	// Comment: after answering it, a member may add a comment in their own
	// words (optional, one).
	Comment bool `gorm:"not null;default:false"`
}

// OptionList is a choice question's options.
func (q SurveyQuestion) OptionList() []string {
	if q.Options == "" {
		return nil
	}
	return strings.Split(q.Options, "|")
}

// Choices is how many answers the question has: numbered 1…Choices.
func (q SurveyQuestion) Choices() int {
	switch q.Kind {
	case QuestionSatisfaction:
		return SatisfactionLevel
	case QuestionYesNo:
		return 2
	}
	return len(q.OptionList())
}

// SurveyTaker is a member asked, and how far they have answered.
type SurveyTaker struct {
	SurveyID   uint  `gorm:"primaryKey;autoIncrement:false"`
	MemberID   uint  `gorm:"primaryKey;autoIncrement:false;index"`
	BranchID   *uint // the member's branch when asked, for the results per branch
	Answered   int   `gorm:"not null;default:0"` // the questions answered
	Commented  int   `gorm:"not null;default:0"` // the questions commented on: bit 1<<position
	FinishedAt *time.Time
	RemindedAt *time.Time
}

// SurveyAnswer is one answer to one question, one per ballot: in a named
// survey the ballot is the member's ("m" and their id, MemberID set); in an
// anonymous one a random token that only the member's own message carries,
// so that nothing stored leads from a member to an answer.
type SurveyAnswer struct {
	ID         uint   `gorm:"primaryKey"`
	SurveyID   uint   `gorm:"not null;index"`
	QuestionID uint   `gorm:"not null"`
	BranchID   *uint  // the branch counted in, for the results per branch
	MemberID   *uint  // nil in an anonymous survey
	Ballot     string `gorm:"size:32;not null;default:''"`
	Choice     int    `gorm:"not null"`
	UpdatedAt  time.Time
}

// OfEvent reports whether the survey is an occurrence's day-after survey.
func (s *Survey) OfEvent() bool { return s.EventID != nil && s.Occurrence != nil }

// Listed reports whether organizers' lists (/surveys, the console) show
// the survey at now: an event's day-after survey only while it is open,
// one an occurrence that would crowd out the association's own (a closed
// one's rate is in the figures).
func (s *Survey) Listed(now time.Time) bool { return !s.OfEvent() || s.Open(now) }

// Satisfaction is the satisfaction rate's parts: of the Valid answers to
// satisfaction questions, the Satisfied ones (非常满意 and 满意).
type Satisfaction struct {
	Satisfied, Valid int
}

// MinAnonymous is the fewest answers an anonymous survey's figures show:
// with fewer, a few answers could be traced to the few people known to
// have been asked (those who came to an event, a small branch).
const MinAnonymous = 5

// Enough reports whether the rate rests on enough answers to be shown
// when they are anonymous (MinAnonymous).
func (s Satisfaction) Enough() bool { return s.Valid >= MinAnonymous }

// Merge adds o's answers to s.
func (s *Satisfaction) Merge(o Satisfaction) {
	s.Satisfied += o.Satisfied
	s.Valid += o.Valid
}

// Add counts answer choice (1–SatisfactionLevel) in.
func (s *Satisfaction) Add(choice, n int) {
	if choice < 1 || choice > SatisfactionLevel {
		return
	}
	s.Valid += n
	if choice <= Satisfied {
		s.Satisfied += n
	}
}

// Percent is the rate as a whole percent; false without answers.
func (s Satisfaction) Percent() (int, bool) {
	if s.Valid == 0 {
		return 0, false
	}
	return int(math.Round(100 * float64(s.Satisfied) / float64(s.Valid))), true
}

// SurveyComment is a member's comment on a question: in an anonymous
// survey without the member, and with the day it was given, not the time.
type SurveyComment struct {
	ID         uint   `gorm:"primaryKey"`
	SurveyID   uint   `gorm:"not null;index"`
	QuestionID uint   `gorm:"not null"`
	BranchID   *uint  // the member's branch when asked
	MemberID   *uint  // nil in an anonymous survey
	Text       string `gorm:"size:1200;not null"`
	CreatedAt  time.Time
}

// HasCommented reports whether the taker has commented on the question at
// position.
func (t *SurveyTaker) HasCommented(position int) bool { return t.Commented&(1<<position) != 0 }

// Open reports whether the survey takes answers at now.
func (s *Survey) Open(now time.Time) bool {
	return s.ClosedAt == nil && !now.Before(s.OpensAt) && (s.ClosesAt == nil || now.Before(*s.ClosesAt))
}

// Question is the question at position (nil: none).
func (s *Survey) Question(position int) *SurveyQuestion {
	for i := range s.Questions {
		if s.Questions[i].Position == position {
			return &s.Questions[i]
		}
	}
	return nil
}

// The survey's refusals.
var (
	ErrSurveyClosed    = errors.New("the survey is closed")
	ErrNotAsked        = errors.New("the survey was not sent to you")
	ErrBadAnswer       = errors.New("not an answer to this question")
	ErrAnsweredBefore  = errors.New("answered already: change your answers from the last message")
	ErrNoComment       = errors.New("the question takes no comment, or is not answered yet")
	ErrCommentedBefore = errors.New("commented already")
)

// Validate checks a survey before it is made: a title, 1–MaxQuestions
// questions of known kinds, a choice with 2–MaxOptions options, texts of
// printable characters within their lengths, a close after the open.
func (s *Survey) Validate() error {
	t := strings.TrimSpace(s.Title)
	if t == "" || utf8.RuneCountInString(t) > MaxSurveyTitle || !ValidText(t, false) {
		return fmt.Errorf("%w: the title (1–%d characters)", ErrBadText, MaxSurveyTitle)
	}
	if len(s.Questions) == 0 || len(s.Questions) > MaxQuestions {
		return fmt.Errorf("a survey has 1 to %d questions", MaxQuestions)
	}
	for i, q := range s.Questions {
		if !q.Kind.Valid() {
			return fmt.Errorf("question %d: unknown kind %q (satisfaction, choice, yesno)", i+1, q.Kind)
		}
		if txt := strings.TrimSpace(q.Text); txt == "" || utf8.RuneCountInString(txt) > MaxQuestionText || !ValidText(txt, true) {
			return fmt.Errorf("question %d: %w (1–%d characters)", i+1, ErrBadText, MaxQuestionText)
		}
		opts := q.OptionList()
		switch {
		case q.Kind == QuestionChoice && (len(opts) < 2 || len(opts) > MaxOptions):
			return fmt.Errorf("question %d: a choice has 2 to %d options", i+1, MaxOptions)
		case q.Kind != QuestionChoice && len(opts) > 0:
			return fmt.Errorf("question %d: only a choice has options", i+1)
		}
		for _, o := range opts {
			if o = strings.TrimSpace(o); o == "" || utf8.RuneCountInString(o) > MaxOptionText || !ValidText(o, false) {
				return fmt.Errorf("question %d: %w: an option (1–%d characters)", i+1, ErrBadText, MaxOptionText)
			}
		}
	}
	if s.ClosesAt != nil && !s.ClosesAt.After(s.OpensAt) {
		return errors.New("the survey closes before it opens")
	}
	return nil
}
