package models

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"
)

// ActivityRecord is the written record of one branch activity (SPEC C8, the
// "seven haves" activity file): its topic, a short summary and photos;
// attendance comes from check-in. Photos are kept by Telegram file id only.
type ActivityRecord struct {
	ID         uint      `gorm:"primaryKey"`
	EventID    uint      `gorm:"not null;uniqueIndex:idx_records_occurrence,priority:1"`
	Occurrence time.Time `gorm:"not null;uniqueIndex:idx_records_occurrence,priority:2"`
	BranchID   *uint     `gorm:"index"`
	Topic      string    `gorm:"size:200;not null"`
	Summary    string    `gorm:"type:text"`
	Photos     string    `gorm:"type:text"` // file ids, one a line
	RecordedBy *uint
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// PhotoIDs are the record's photos' file ids.
func (r *ActivityRecord) PhotoIDs() []string {
	if r.Photos == "" {
		return nil
	}
	return strings.Split(r.Photos, "\n")
}

// MaxRecordPhotos bounds a record's photos.
const MaxRecordPhotos = 20

// Quarter is a calendar quarter.
type Quarter struct {
	Year int
	Q    int // 1–4
}

// QuarterOf is the quarter of t (in its location).
func QuarterOf(t time.Time) Quarter { return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1} }

// ParseQuarter reads "2026Q4" ("" is the quarter of now).
func ParseQuarter(s string, now time.Time) (Quarter, error) {
	s = strings.ToUpper(strings.Join(strings.Fields(width.Fold.String(s)), ""))
	if s == "" {
		return QuarterOf(now), nil
	}
	if m := quarterWords.FindStringSubmatch(s); m != nil {
		// 2026年第三季度, 2026年3季度, 第四季度 (this year), 2026 Q3.
		year := now.Year()
		if m[1] != "" {
			year, _ = strconv.Atoi(m[1])
		}
		n, err := strconv.Atoi(m[2])
		if err != nil {
			n = strings.Index("一二三四", m[2])/len("一") + 1
		}
		s = fmt.Sprintf("%dQ%d", year, n)
	}
	y, q, ok := strings.Cut(s, "Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || n < 1 || n > 4 || year < 2000 || year > 2200 {
		return Quarter{}, errors.New("a quarter is written like 2026Q4 or 2026年第四季度")
	}
	return Quarter{Year: year, Q: n}, nil
}

// quarterWords is a quarter as Chinese writes it: 2026年第三季度, 2026年3季度,
// 第四季度, 三季度 (full-width digits folded first).
var quarterWords = regexp.MustCompile(`^(?:(\d{4})年)?第?([1-4一二三四])季度?$`)

// String is the quarter as ParseQuarter reads it.
func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// Previous is the quarter before q.
func (q Quarter) Previous() Quarter {
	if q.Q == 1 {
		return Quarter{Year: q.Year - 1, Q: 4}
	}
	return Quarter{Year: q.Year, Q: q.Q - 1}
}

// Span is the quarter's first moment and the next quarter's, in loc.
func (q Quarter) Span(loc *time.Location) (from, to time.Time) {
	from = time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 3, 0)
}

// ErrNotRecordable refuses a record of an event that is not a branch's
// activity day that took place as planned.
var ErrNotRecordable = errors.New("only a branch's activity day that took place has a record")

// Recordable reports whether the event keeps activity records: a branch's
// activity day that was not cancelled.
func (e *Event) Recordable() bool {
	a, err := ParseAudience(e.Audience)
	if err != nil {
		return false
	}
	_, branch := a.IsBranch()
	return e.Kind == EventActivityDay && e.Status == EventScheduled && branch
}
