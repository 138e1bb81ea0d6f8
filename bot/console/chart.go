package console

import (
	"fmt"
	"html"
	"strings"
)

// The console's charts are SVG written here, in Go, not a JavaScript
// library: a grouped bar chart is a few dozen lines, the page stays a
// single small file with no vendored code to keep up to date, and the text
// is drawn by the phone's own fonts, so Chinese labels need no font
// shipped (a canvas library would measure and draw CJK text itself).

// Series is one kind of bar of a chart, a value per label.
type Series struct {
	Name   string
	Values []int
}

// chartColors are the series' colours, distinguishable in light and dark
// themes.
var chartColors = []string{"#2481cc", "#e67e22", "#27ae60", "#8e44ad"}

// BarChart draws grouped bars: a group per label (a quarter), a bar per
// series, its value above it, and a legend; 340×200, scaled to the page's
// width by its viewBox.
func BarChart(title string, labels []string, series []Series) string {
	const w, h, top, bottom, left = 340, 210, 46, 24, 8
	max := 1
	for _, s := range series {
		for _, v := range s.Values {
			if v > max {
				max = v
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" class="chart">`, w, h, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%d" y="14" font-size="13" font-weight="600" fill="currentColor">%s</text>`, left, html.EscapeString(title))
	// The legend, under the title.
	x := left
	for i, s := range series {
		c := chartColors[i%len(chartColors)]
		fmt.Fprintf(&b, `<rect x="%d" y="20" width="9" height="9" fill="%s"/><text x="%d" y="28" font-size="10" fill="currentColor">%s</text>`, x, c, x+12, html.EscapeString(s.Name))
		x += 18
		for _, r := range s.Name {
			if r >= 0x2E80 { // a CJK character is about a square
				x += 11
			} else {
				x += 6
			}
		}
	}
	plot := h - top - bottom
	group := (w - 2*left) / max1(len(labels))
	bar := (group - 10) / max1(len(series))
	for g, label := range labels {
		gx := left + g*group + 5
		for i, s := range series {
			v := 0
			if g < len(s.Values) {
				v = s.Values[g]
			}
			bh := plot * v / max
			bx := gx + i*bar
			fmt.Fprintf(&b, `<rect class="qbar" x="%d" y="%d" width="%d" height="%d" fill="%s" data-value="%d"/>`, bx, top+plot-bh, bar-2, bh, chartColors[i%len(chartColors)], v)
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" text-anchor="middle" fill="currentColor">%d</text>`, bx+(bar-2)/2, top+plot-bh-2, v)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="middle" fill="currentColor">%s</text>`, gx+(group-10)/2, h-8, html.EscapeString(label))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
