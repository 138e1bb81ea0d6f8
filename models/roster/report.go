package roster

import (
	"strings"

	"github.com/assocbot/assocbot/locales"
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
}

// Applied reports whether the import wrote anything.
func (r *Report) Applied() bool { return !r.DryRun && len(r.Problems) == 0 }

// Text renders the report in a language: a summary, then one line a
// problem (row, column, reason).
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
	}
	for _, p := range r.Problems {
		b.WriteString("\n")
		reason := cat.T(l, "import.problem."+string(p.Reason), "Value", p.Value, "Line", p.Line)
		if p.Line == 0 || p.Column == "" {
			// A problem of the whole file, which says where itself.
			b.WriteString(reason)
			continue
		}
		b.WriteString(cat.T(l, "import.problem_line", "Line", p.Line, "Column", cat.T(l, "import.column."+string(p.Column)), "Reason", reason))
	}
	return b.String()
}
