// Package models holds assocbot's entities (branches, members, events,
// answers, the outbox) and their rules, as pure code: who an audience is
// (Audience), who may do what (Scope, Event.MayAnswer), what
// an event may be (Event.Validate), and the typed data of inline buttons
// (Callback). The types carry GORM tags but no database code: queries live
// in models/store, and the messages the association starts in
// models/planner.
package models

import (
	"strings"
	"time"
)

// Role is what a member may do in the bot.
type Role string

// The roles of SPEC C1.
const (
	RoleMember    Role = "member"
	RoleOrganizer Role = "organizer"
	RoleAdmin     Role = "admin"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleMember || r == RoleOrganizer || r == RoleAdmin
}

// Status is a member's reachability.
type Status string

// The member statuses of SPEC C1.
const (
	StatusActive      Status = "active"
	StatusMuted       Status = "muted"
	StatusUnreachable Status = "unreachable"
	StatusLeft        Status = "left"
)

// Branch is one node of the association's tree (town, village, community).
// Path is the branch's full name from the top, e.g. "Town/Village".
type Branch struct {
	ID       uint    `gorm:"primaryKey"`
	ParentID *uint   `gorm:"index"`
	Name     string  `gorm:"size:100;not null"`
	Path     string  `gorm:"size:500;not null;uniqueIndex"`
	Parent   *Branch `gorm:"constraint:OnDelete:RESTRICT"`
	// CareJune: the branch (and those below it) visits its families in
	// difficulty before 六一 too (SPEC C14).
	CareJune  bool `gorm:"not null;default:false"`
	CreatedAt time.Time
}

// Depth is the number of levels above the branch (0 for a top-level branch).
func (b Branch) Depth() int { return strings.Count(b.Path, "/") }

// Member is a person on the association's roster, linked to Telegram or not.
type Member struct {
	ID       uint    `gorm:"primaryKey"`
	Name     string  `gorm:"size:100;not null"`
	Phone    *string `gorm:"size:20;uniqueIndex"` // E.164; nil for members who joined by request without a phone
	BranchID *uint   `gorm:"index"`
	Branch   *Branch `gorm:"constraint:OnDelete:SET NULL"`
	Role     Role    `gorm:"size:16;not null;default:member"`
	Lang     string  `gorm:"size:16"` // the member's own choice; empty until they choose
	// TelegramLang is the language_code their Telegram client last sent: the
	// fallback for messages the bot starts (reminders) when Lang is empty.
	TelegramLang string `gorm:"size:35"`
	TZ           string `gorm:"size:64"` // IANA zone for members working away; empty = the association's
	TelegramID   *int64 `gorm:"uniqueIndex"`
	ChatID       *int64
	// Status has no index: it has too few values to narrow a search, and SQLite
	// would pick it over branch_id for "the active members of a branch".
	Status Status `gorm:"size:16;not null;default:active"`
	// UnreachableSince is when they last became unreachable (blocked the bot).
	UnreachableSince *time.Time
	// Channel is how messages reach the member (SPEC C12): auto, telegram
	// or sms.
	Channel Channel `gorm:"size:16;not null;default:auto"`
	// SMSStoppedAt: SMS to the member stopped for good (they replied TD,
	// or the provider refuses the number) until an organizer re-enables it.
	SMSStoppedAt  *time.Time
	SMSStopReason string `gorm:"size:32;not null;default:''"`
	// SMSHealth: the member consented to health reminders by SMS (a
	// phone's lock screen is not private); without it they get a neutral
	// text.
	SMSHealth bool        `gorm:"not null;default:false"`
	Tags      []MemberTag `gorm:"constraint:OnDelete:CASCADE"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Linked reports whether the member has a Telegram account attached.
func (m Member) Linked() bool { return m.TelegramID != nil }

// Zone is the member's own time zone (members working away), else def.
func (m *Member) Zone(def *time.Location) *time.Location {
	if m != nil && m.TZ != "" {
		if loc, err := time.LoadLocation(m.TZ); err == nil {
			return loc
		}
	}
	return def
}

// BranchPath is the path of the member's branch, "" without one.
func (m *Member) BranchPath() string {
	if m == nil || m.Branch == nil {
		return ""
	}
	return m.Branch.Path
}

// TagNames lists the member's tags.
func (m Member) TagNames() []string {
	names := make([]string, 0, len(m.Tags))
	for _, t := range m.Tags {
		names = append(names, t.Tag)
	}
	return names
}

// MemberTag is one tag (volunteer, board, away, …) of one member; a table of its
// own so that "everyone tagged X" is an indexed query.
type MemberTag struct {
	MemberID uint   `gorm:"primaryKey"`
	Tag      string `gorm:"primaryKey;size:50;index"`
}

// OrganizerScope gives an organizer a branch and everything below it.
type OrganizerScope struct {
	MemberID uint   `gorm:"primaryKey"`
	BranchID uint   `gorm:"primaryKey;index"`
	Member   Member `gorm:"constraint:OnDelete:CASCADE"`
	Branch   Branch `gorm:"constraint:OnDelete:CASCADE"`
}

// Invite is a single-use deep-link code for one member. Only the SHA-256 of the
// code is stored, so a leaked database does not leak working links.
type Invite struct {
	ID        uint   `gorm:"primaryKey"`
	CodeHash  string `gorm:"size:64;not null;uniqueIndex"`
	MemberID  uint   `gorm:"not null;index"`
	Member    Member `gorm:"constraint:OnDelete:CASCADE"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// Visitor remembers a Telegram user who is not (yet) a member: the language
// they chose, so a stranger is answered in it before they join.
type Visitor struct {
	TelegramID int64  `gorm:"primaryKey;autoIncrement:false"`
	Lang       string `gorm:"size:16"`
	Phone      string `gorm:"size:20"` // a shared phone not found on the roster, carried into a join request
	UpdatedAt  time.Time
}

// JoinStatus is where a join request stands.
type JoinStatus string

// The states of a join request.
const (
	JoinPending  JoinStatus = "pending"
	JoinApproved JoinStatus = "approved"
	JoinDeclined JoinStatus = "declined"
)

// JoinRequest is a stranger's request to join a branch, decided by the
// organizers of that branch.
type JoinRequest struct {
	ID         uint       `gorm:"primaryKey"`
	TelegramID int64      `gorm:"not null;index"`
	ChatID     int64      `gorm:"not null"`
	Name       string     `gorm:"size:200;not null"`
	Phone      *string    `gorm:"size:20"`
	Lang       string     `gorm:"size:16;not null"`
	BranchID   uint       `gorm:"not null;index"`
	Branch     Branch     `gorm:"constraint:OnDelete:CASCADE"`
	Status     JoinStatus `gorm:"size:16;not null;default:pending;index"`
	DecidedBy  *uint
	MemberID   *uint
	CreatedAt  time.Time
	DecidedAt  *time.Time
}

// Channel is how messages reach a member (SPEC C12).
type Channel string

// The channels a member can be set to.
const (
	ChannelAuto     Channel = "auto"     // Telegram when linked and reachable, else SMS
	ChannelTelegram Channel = "telegram" // Telegram only, never SMS
	ChannelSMS      Channel = "sms"      // SMS only, even when linked
)

// Channels lists the settings, in the order they are offered.
func Channels() []Channel { return []Channel{ChannelAuto, ChannelTelegram, ChannelSMS} }

// Valid reports whether c is a known setting.
func (c Channel) Valid() bool { return c == ChannelAuto || c == ChannelTelegram || c == ChannelSMS }

// BotReaches reports whether the bot can write to the member in Telegram:
// linked, active (not blocked, not paused, still on the roster).
func (m Member) BotReaches() bool { return m.ChatID != nil && m.Status == StatusActive }

// Matches reports whether a search for q finds the member: q is a part of
// their name (in any case) or of their phone's digits; "" finds everyone.
func (m Member) Matches(q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" || strings.Contains(strings.ToLower(m.Name), q) {
		return true
	}
	// A phone's part: digits, spaced or dashed as people write them.
	digits := strings.NewReplacer(" ", "", "-", "", "+", "").Replace(q)
	if digits == "" || strings.Trim(digits, "0123456789") != "" || m.Phone == nil {
		return false
	}
	return strings.Contains(strings.ReplaceAll(DisplayPhone(*m.Phone), " ", ""), digits)
}

// ChannelSet is the member's channel setting (auto when none was stored).
func (m Member) ChannelSet() Channel {
	if m.Channel == "" {
		return ChannelAuto
	}
	return m.Channel
}

// SMSStopped reports whether SMS to the member has stopped for good.
func (m Member) SMSStopped() bool { return m.SMSStoppedAt != nil }
