package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/mattn/go-runewidth"
)

// printTable writes rows (the first one the header) in columns aligned by
// display width: a Chinese character takes two columns in a terminal.
func printTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(cell)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// nearest are up to three of names closest to s (a typo: 东城真 for 东城镇).
func nearest(s string, names []string) []string {
	type scored struct {
		name string
		d    int
	}
	var all []scored
	for _, n := range names {
		all = append(all, scored{n, levenshtein.ComputeDistance(s, n)})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d < all[j].d })
	var out []string
	for _, c := range all {
		if len(out) == 3 || c.d > max(2, len([]rune(s))/2) {
			break
		}
		out = append(out, c.name)
	}
	return out
}
