package reports

import (
	"strconv"
	"strings"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// FiguresText is /figures: a report duty's figures per branch for a
// period, each against the period before, and the branches that have not
// reported.
func FiguresText(cat *locales.Catalog, l locales.Lang, t *store.FigureTotals) string {
	figs := t.Kind.FigureList()
	lines := []string{cat.T(l, "figures.title", "Kind", t.Kind.Name(string(l)), "Period", t.Period.Label, "Previous", t.Previous.Label)}
	if len(t.Branches) == 0 {
		lines = append(lines, cat.T(l, "figures.none"))
	}
	total, before := map[string]int{}, map[string]int{}
	for _, b := range t.Branches {
		var vals []string
		for _, f := range figs {
			vals = append(vals, cat.T(l, "figures.value", "Name", f.Name(string(l)), "Now", b.Now[f.Key], "Before", b.Before[f.Key]))
			total[f.Key] += b.Now[f.Key]
			before[f.Key] += b.Before[f.Key]
		}
		lines = append(lines, cat.T(l, "figures.line", "Branch", b.Branch, "Values", strings.Join(vals, cat.T(l, "list.separator"))))
	}
	if len(t.Branches) > 1 {
		var vals []string
		for _, f := range figs {
			vals = append(vals, cat.T(l, "figures.value", "Name", f.Name(string(l)), "Now", total[f.Key], "Before", before[f.Key]))
		}
		lines = append(lines, cat.T(l, "figures.total", "Values", strings.Join(vals, cat.T(l, "list.separator"))))
	}
	if len(t.Missing) > 0 {
		lines = append(lines, cat.T(l, "figures.missing", "Branches", strings.Join(t.Missing, cat.T(l, "list.separator"))))
	}
	return strings.Join(lines, "\n")
}

// FiguresTable is the same as a table: a row a branch, a column each
// figure and its value the period before; the branches not reported, with
// empty figures.
func FiguresTable(cat *locales.Catalog, l locales.Lang, t *store.FigureTotals) roster.Table {
	figs := t.Kind.FigureList()
	tb := roster.Table{Sheet: cat.T(l, "figures.sheet")}
	tb.Headers = []string{cat.T(l, "import.column.branch")}
	for _, f := range figs {
		tb.Headers = append(tb.Headers, f.Name(string(l))+" "+t.Period.Label, f.Name(string(l))+" "+t.Previous.Label)
	}
	for _, b := range t.Branches {
		row := []string{b.Branch}
		for _, f := range figs {
			row = append(row, strconv.Itoa(b.Now[f.Key]), strconv.Itoa(b.Before[f.Key]))
		}
		tb.Rows = append(tb.Rows, row)
	}
	for _, m := range t.Missing {
		row := []string{m + " (" + cat.T(l, "figures.not_reported") + ")"}
		for range figs {
			row = append(row, "", "")
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}
