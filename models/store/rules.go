package store

import (
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// The SQL forms of rules that are also written in Go (in models): each is
// written here once, and a table test runs both forms over the same cases
// (rules_test.go).

// branchesWithin is models.PathWithin in SQL: the branches at tops and
// below them (none for no tops). It compares the path's first characters
// with top + "/" rather than using LIKE: a path's % and _ are its own
// characters, and SQLite's LIKE ignores case, so that "Town" would take in
// "TOWN/Village" there (and not on PostgreSQL, nor in Go). Its other
// direction, the branches a path is within, is "branches.path IN ?" with
// models.AncestorPaths.
func branchesWithin(tx *gorm.DB, tops ...string) *gorm.DB {
	q := tx.Model(&models.Branch{})
	if len(tops) == 0 {
		return q.Where("1 = 0")
	}
	conds := make([]string, len(tops))
	args := make([]any, 0, 3*len(tops))
	for i, top := range tops {
		conds[i] = "branches.path = ? OR substr(branches.path, 1, ?) = ?"
		args = append(args, top, utf8.RuneCountInString(top)+1, top+"/")
	}
	return q.Where("("+strings.Join(conds, " OR ")+")", args...)
}

// organizers is models.Member.IsOrganizer in SQL: the organizers and admins
// who have not left.
func organizers(tx *gorm.DB) *gorm.DB {
	return tx.Model(&models.Member{}).Where("members.status <> ? AND members.role IN ?",
		models.StatusLeft, []models.Role{models.RoleOrganizer, models.RoleAdmin})
}

// anyCheckedIn reports whether anyone was checked in to the occurrence:
// what models.Came, models.Held and models.Event.MayRate are given.
func anyCheckedIn(tx *gorm.DB, eventID uint, occ time.Time) (bool, error) {
	var n int64
	err := tx.Model(&models.RSVP{}).Where("event_id = ? AND occurrence = ? AND checked_in = ?", eventID, occ.UTC(), true).
		Count(&n).Error
	return n > 0, err
}

// came is models.Came in SQL: the ids (member_id) of the members who came
// to the occurrence, checked in or, when nobody was, a yes with a place.
func came(tx *gorm.DB, eventID uint, occ time.Time) (*gorm.DB, error) {
	anyIn, err := anyCheckedIn(tx, eventID, occ)
	if err != nil {
		return nil, err
	}
	q := tx.Model(&models.RSVP{}).Select("member_id").Where("event_id = ? AND occurrence = ?", eventID, occ.UTC())
	if anyIn {
		return q.Where("checked_in = ?", true), nil
	}
	return q.Where("checked_in = ? OR (answer = ? AND waitlisted = ?)", true, models.AnswerYes, false), nil
}

// withdraw is the one write of outbox.Withdrawn: the rows still waiting
// (pending) that cond picks are skipped, never sent, their subject changed.
// A row claimed before is withdrawn by outbox.Rules.Decide as it is sent.
func withdraw(tx *gorm.DB, cond string, args ...any) error {
	return tx.Model(&outbox.Row{}).Where("status = ?", outbox.Pending).Where(cond, args...).
		Updates(map[string]any{"status": outbox.Withdrawn.Status(), "reason": outbox.Withdrawn.Reason}).Error
}
