package models

import (
	"errors"
	"time"
)

// Who may do what, in one place: every command, button and dialog asks
// these rules, never its own.

// Scope is what a member may act for as an organizer: admins everything,
// organizers the branches they were given and everything below them,
// members nothing. The store loads it (store.Scope).
type Scope struct {
	Admin bool
	Paths []string // the branch paths an organizer was given
}

// Manages reports whether the scope acts for member m: an admin for
// anyone, an organizer for the members of their branches, an admin's
// record only an admin (the member card, the console's roster).
func (s Scope) Manages(m *Member) bool {
	return s.Admin || m.Role != RoleAdmin && s.CoversMember(m)
}

// Covers reports whether the branch at path is within the scope.
func (s Scope) Covers(path string) bool {
	if s.Admin {
		return true
	}
	for _, p := range s.Paths {
		if PathWithin(path, p) {
			return true
		}
	}
	return false
}

// CoversMember reports whether the scope covers the member: admins everyone,
// organizers the members of a branch within their scope (one without a
// branch, nobody but the admins).
func (s Scope) CoversMember(m *Member) bool {
	return s.Admin || (m != nil && m.Branch != nil && s.Covers(m.Branch.Path))
}

// CanReach reports whether an organizer with this scope may send a notice
// to the audience or make an event for it. Admins reach everyone; an
// organizer reaches branches within their scope, the organizers of those
// branches, and members of them (memberPaths: the branch path of each member
// of a members audience, "" for one without a branch). Everyone and tags
// span all branches: admins only.
func (s Scope) CanReach(a Audience, memberPaths []string) bool {
	if s.Admin {
		return true
	}
	if path, ok := a.IsBranch(); ok {
		return s.Covers(path)
	}
	if paths, ok := a.IsBranches(); ok {
		for _, p := range paths {
			if !s.Covers(p) {
				return false
			}
		}
		return len(paths) > 0
	}
	if path, ok := a.IsOrganizers(); ok {
		return path != "" && s.Covers(path) // every organizer: admins only
	}
	if ids, ok := a.IsMembers(); ok {
		if len(memberPaths) == 0 || len(memberPaths) != len(ids) {
			return false
		}
		for _, p := range memberPaths {
			if p == "" || !s.Covers(p) {
				return false
			}
		}
		return true
	}
	return false
}

// VisibleTo reports whether a member sees the event: one who has not left,
// in its audience.
func (e *Event) VisibleTo(m *Member) bool {
	a, err := ParseAudience(e.Audience)
	return err == nil && m.OnRoster() && a.Includes(m)
}

// ErrNotYours refuses an organizer's action on an event they do not manage.
var ErrNotYours = errors.New("the event is not one the organizer manages")

// MayCheckIn is the rule for checking a member in or out (or answering for
// them): an organizer who manages the event (manages: store.CanManage), of
// a scheduled event, for a real occurrence, a member of its audience who has
// not left, at now within the occurrence's check-in window (CheckInAt).
func (e *Event) MayCheckIn(manages bool, m *Member, occ time.Time, loc *time.Location, now time.Time) error {
	switch {
	case !manages:
		return ErrNotYours
	case e.Status != EventScheduled:
		return ErrEventClosed
	case !e.VisibleTo(m):
		return ErrNotInAudience
	case !e.Occurs(loc, occ):
		return ErrBadOccurrence
	}
	return CheckInAt(occ, now, loc)
}

// The reasons an answer is refused, the same for a button, a
// command and an organizer answering on a member's behalf.
var (
	ErrNotMember      = errors.New("not a member")
	ErrNotInAudience  = errors.New("the member is not in the event's audience")
	ErrEventClosed    = errors.New("the event is cancelled or takes no answers")
	ErrBadOccurrence  = errors.New("no such occurrence")
	ErrEventStarted   = errors.New("the occurrence has started")
	ErrDeadlinePassed = errors.New("the answer deadline has passed")
)

// MayAnswer is the rule for an answer: a member who has not left, in the
// event's audience, to a real occurrence of a scheduled event that takes
// answers, before the deadline and before it starts.
func (e *Event) MayAnswer(m *Member, occ time.Time, loc *time.Location, now time.Time) error {
	switch {
	case !m.OnRoster():
		return ErrNotMember
	case e.Status != EventScheduled || !e.RSVP:
		return ErrEventClosed
	}
	if !e.VisibleTo(m) {
		return ErrNotInAudience
	}
	if !e.Occurs(loc, occ) {
		return ErrBadOccurrence
	}
	if !occ.After(now) {
		return ErrEventStarted
	}
	if e.RSVPDeadline != nil && !now.Before(*e.RSVPDeadline) {
		return ErrDeadlinePassed
	}
	return nil
}

// Came reports whether the answer r says its member came: checked in, or,
// when nobody was checked in for the occurrence, a yes with a place.
func Came(r *RSVP, anyCheckedIn bool) bool {
	if r == nil {
		return false
	}
	if r.CheckedIn {
		return true
	}
	return !anyCheckedIn && r.Answer == AnswerYes && !r.Waitlisted
}

// OnRoster reports whether the member is still a member: muted and
// unreachable members are; those who left are not.
func (m *Member) OnRoster() bool { return m != nil && m.Status != StatusLeft }

// IsOrganizer reports whether m acts as an organizer: an organizer or an
// admin who has not left. What they may act for is their Scope. In SQL it
// is the store's organizers (TestIsOrganizerIsOneRule runs both).
func (m *Member) IsOrganizer() bool {
	return m.OnRoster() && (m.Role == RoleOrganizer || m.Role == RoleAdmin)
}
