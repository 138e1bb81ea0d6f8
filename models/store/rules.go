package store

import (
	"strings"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
)

// The SQL forms of rules that are also written in Go (in models): each is
// written here once, and a table test runs both forms over the same cases
// (rules_test.go).

// branchesWithin is models.PathWithin in SQL: the branches at tops and
// below them (none for no tops). A path's % and _ are its own characters,
// not patterns. Its other direction, the branches a path is within, is
// "branches.path IN ?" with models.AncestorPaths.
func branchesWithin(tx *gorm.DB, tops ...string) *gorm.DB {
	q := tx.Model(&models.Branch{})
	if len(tops) == 0 {
		return q.Where("1 = 0")
	}
	conds := make([]string, len(tops))
	args := make([]any, 0, 2*len(tops))
	for i, top := range tops {
		conds[i] = "branches.path = ? OR branches.path LIKE ? ESCAPE '\\'"
		args = append(args, top, escapeLike(top)+"/%")
	}
	return q.Where("("+strings.Join(conds, " OR ")+")", args...)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
