package roster

import (
	"strings"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// Report is what an import did, or would do, and every bad row.
type Report struct {
	Rows      int // good rows read
	New       int // members added
	Updated   int // members changed
	Unchanged int
	Branches  int // branches created
	Plans     int // check plans added or moved on by a last check
	Problems  []Problem
	DryRun    bool
	// NewBranches are the paths of the branches created (in a dry run, of
	// those that would be), sorted: a typo in a file shows as a new branch.
	NewBranches []string
	// Kinds are the kinds of check a file may name, listed after the
	// problems when a row names another.
	Kinds []models.PlanKind
}

// Applied reports whether the import wrote anything.
func (r *Report) Applied() bool { return !r.DryRun && len(r.Problems) == 0 }

// Text renders the report in a language: a summary (a dry run's names the
// branches the import would create), then one line a problem (row, column,
// reason).
func (r *Report) Text(cat *locales.Catalog, l locales.Lang) string {
	var b strings.Builder
	if len(r.Problems) > 0 {
		b.WriteString(cat.T(l, "import.failed", "Count", len(r.Problems)))
	} else {
		key := "import.done"
		if r.DryRun {
			key = "import.checked"
		}
		b.WriteString(cat.T(l, key, "Rows", r.Rows, "New", r.New, "Updated", r.Updated, "Unchanged", r.Unchanged,
			"Branches", r.Branches, "Plans", r.Plans))
		if len(r.NewBranches) > 0 {
			// Named before the import, while a misspelt one can still be
			// fixed in the file, and after it, as made.
			key := "import.made_branches"
			if r.DryRun {
				key = "import.new_branches"
			}
			b.WriteString("\n" + cat.T(l, key, "List", strings.Join(r.NewBranches, cat.T(l, "list.separator"))))
		}
	}
	for _, p := range r.Problems {
		b.WriteString("\n")
		value := p.Value
		if p.Reason == BadInterval {
			value = IntervalWords(cat, l, p.Value)
		}
		reason := cat.T(l, "import.problem."+string(p.Reason), "Value", value, "Line", p.Line)
		if p.Line == 0 || p.Column == "" {
			// A problem of the whole file, which says where itself.
			b.WriteString(reason)
			continue
		}
		b.WriteString(cat.T(l, "import.problem_line", "Line", p.Line, "Column", cat.T(l, "import.column."+string(p.Column)), "Reason", reason))
	}
	if len(r.Kinds) > 0 && len(r.Problems) > 0 {
		names := make([]string, len(r.Kinds))
		for i, k := range r.Kinds {
			names[i] = cat.T(l, "import.kind_choice", "Name", k.Name(string(l)), "Key", k.Key, "Every", IntervalWords(cat, l, k.Every))
		}
		b.WriteString("\n\n" + cat.T(l, "import.kinds", "List", strings.Join(names, cat.T(l, "list.separator"))))
	}
	return b.String()
}

// IntervalWords says a kind's interval ("3m", "90d") in words: 3 months,
// 3个月, 90 days; a kind fixed by a recurrence ("") says so.
func IntervalWords(cat *locales.Catalog, l locales.Lang, every string) string {
	months, days, err := models.ParseEvery(every)
	switch {
	case err != nil:
		return cat.T(l, "interval.fixed")
	case months > 0:
		return cat.T(l, "interval.months", "N", months)
	}
	return cat.T(l, "interval.days", "N", days)
}
