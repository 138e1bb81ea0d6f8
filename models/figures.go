package models

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Figure is one number a report duty asks for (SPEC C14): the weekly
// report's 节育手术, the monthly report's 流入 and 流出 people. A kind's
// figures are written "KEY:名称:name:名稱,…" (PlanKind.Figures).
type Figure struct {
	Key                string
	ZhHans, En, ZhHant string
}

// Name is the figure's name in lang.
func (f Figure) Name(lang string) string {
	switch lang {
	case "zh-Hant":
		return f.ZhHant
	case "en":
		return f.En
	}
	return f.ZhHans
}

// Figure limits.
const (
	MaxFigures     = 10
	MaxFigureValue = 1000000
)

var figureKey = regexp.MustCompile(`^[a-z0-9_]{1,30}$`)

// ErrFigures: a kind's figures are not "KEY:名称:name:名稱,…".
var ErrFigures = errors.New(`a kind's figures are "KEY:名称:name:名稱,…": a key of a-z 0-9 _, and a name in zh-Hans, en and zh-Hant (at most 10 figures)`)

// ParseFigures reads a kind's figures ("" has none).
func ParseFigures(s string) ([]Figure, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if len(s) > 1000 { // the column's size
		return nil, ErrFigures
	}
	var out []Figure
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		f := strings.Split(strings.TrimSpace(part), ":")
		if len(f) != 4 {
			return nil, fmt.Errorf("%w: %q", ErrFigures, part)
		}
		fig := Figure{Key: strings.TrimSpace(f[0]), ZhHans: strings.TrimSpace(f[1]), En: strings.TrimSpace(f[2]), ZhHant: strings.TrimSpace(f[3])}
		if !figureKey.MatchString(fig.Key) || seen[fig.Key] {
			return nil, fmt.Errorf("%w: the key %q", ErrFigures, fig.Key)
		}
		for _, n := range []string{fig.ZhHans, fig.En, fig.ZhHant} {
			if n == "" || len([]rune(n)) > 40 || !ValidText(n, false) {
				return nil, fmt.Errorf("%w: a name of %q", ErrFigures, fig.Key)
			}
		}
		seen[fig.Key] = true
		out = append(out, fig)
	}
	if len(out) > MaxFigures {
		return nil, ErrFigures
	}
	return out, nil
}

// FigureList is the kind's figures (none when they do not parse: a kind is
// validated when it is made).
func (k *PlanKind) FigureList() []Figure {
	f, _ := ParseFigures(k.Figures)
	return f
}

// FigureValue is one figure of one cycle of a report duty, as its
// organizer gave it: for the branch they report for, the period its due
// date closes.
type FigureValue struct {
	ID        uint   `gorm:"primaryKey"`
	PlanID    uint   `gorm:"not null;uniqueIndex:idx_figure_values_cycle,priority:1"`
	Cycle     int    `gorm:"not null;uniqueIndex:idx_figure_values_cycle,priority:2"`
	Key       string `gorm:"size:30;not null;uniqueIndex:idx_figure_values_cycle,priority:3"`
	KindID    uint   `gorm:"not null;index"`
	BranchID  *uint  `gorm:"index"`
	MemberID  uint   `gorm:"not null"`
	Due       Day    `gorm:"not null;index"` // the cycle's due date: its period
	Value     int    `gorm:"not null"`
	CreatedAt time.Time
}

// Period is a span of figures: a month (2026-12) or a quarter (2026Q4).
type Period struct {
	From, To Day // [From, To)
	Label    string
}

// ParsePeriod reads "2026-12" or "2026Q4".
func ParsePeriod(s string) (Period, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if t, err := time.Parse("2006-01", s); err == nil {
		from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return Period{From: from, To: from.AddDate(0, 1, 0), Label: from.Format("2006-01")}, nil
	}
	var y, q int
	if n, err := fmt.Sscanf(s, "%dQ%d", &y, &q); err == nil && n == 2 && q >= 1 && q <= 4 && y > 1900 && y < 2200 {
		from := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
		return Period{From: from, To: from.AddDate(0, 3, 0), Label: fmt.Sprintf("%dQ%d", y, q)}, nil
	}
	return Period{}, fmt.Errorf("a period is a month (2026-12) or a quarter (2026Q4), got %q", s)
}

// Previous is the period of the same length just before.
func (p Period) Previous() Period {
	months := (p.To.Year()-p.From.Year())*12 + int(p.To.Month()-p.From.Month())
	from := p.From.AddDate(0, -months, 0)
	label := from.Format("2006-01")
	if months == 3 {
		label = fmt.Sprintf("%dQ%d", from.Year(), (int(from.Month())-1)/3+1)
	}
	return Period{From: from, To: p.From, Label: label}
}
