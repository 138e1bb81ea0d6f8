package models

import (
	"sort"

	"github.com/agnivade/levenshtein"
)

// Nearest are up to three of names closest to s by edit distance, closest
// first (a typo: 东城真 for 东城镇, 东城镇/李佳村 for 东城镇/李家村); none when
// every name is further than half of s (at least two edits) from it. The
// bot and the CLI name the branches a mistyped one may have meant by it.
func Nearest(s string, names []string) []string {
	type scored struct {
		name string
		d    int
	}
	all := make([]scored, 0, len(names))
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
