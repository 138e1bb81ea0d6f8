package calendar

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Holiday is one day of China's statutory holidays, from the State
// Council's yearly notice as github.com/6tail/lunar-go keeps it: a day off,
// or a make-up working day (调休上班) that pays for one.
type Holiday struct {
	// Key names the festival in English, the same in every year:
	// "new_year" (元旦节), "spring_festival" (春节), "qingming" (清明节),
	// "labour_day" (劳动节), "dragon_boat" (端午节), "mid_autumn" (中秋节),
	// "national_day" (国庆节, and 国庆中秋 when the two fall together),
	// "victory_day" (抗战胜利日, 2015 only), or "holiday" for a name the
	// library gains later.
	Key string
	// Name is the library's Chinese name, such as 春节 or 国庆中秋.
	Name string
	// Work is true for a make-up working day, false for a day off.
	Work bool
	// Day is the calendar date (its UTC midnight).
	Day time.Time
}

// holidayKeys maps the library's names (HolidayUtil.NAMES) to Holiday.Key.
var holidayKeys = map[string]string{
	"元旦节":   "new_year",
	"春节":    "spring_festival",
	"清明节":   "qingming",
	"劳动节":   "labour_day",
	"端午节":   "dragon_boat",
	"中秋节":   "mid_autumn",
	"国庆节":   "national_day",
	"国庆中秋":  "national_day",
	"抗战胜利日": "victory_day",
}

// holidays guards the library's holiday data, which Fix changes in place:
// every lookup holds it for reading, Fix for writing.
var holidays sync.RWMutex

// HolidayOn is the statutory holiday entry of the calendar date of day
// (its year, month and day): a day off or a make-up working day. It is
// false on an ordinary day, and on every day after HolidayDataThrough.
func HolidayOn(day time.Time) (Holiday, bool) {
	holidays.RLock()
	h := HolidayUtil.GetHolidayByYmd(day.Year(), int(day.Month()), day.Day())
	holidays.RUnlock()
	if h == nil {
		return Holiday{}, false
	}
	key, ok := holidayKeys[h.GetName()]
	if !ok {
		key = "holiday"
	}
	return Holiday{
		Key:  key,
		Name: h.GetName(),
		Work: h.IsWork(),
		Day:  time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC),
	}, true
}

// DayOff is the statutory holiday whose day off day is (not a make-up
// working day): the day an event asks to be confirmed for, in the chat's
// dialog and one line, /editevent and the CLI alike.
func DayOff(day time.Time) (Holiday, bool) {
	h, ok := HolidayOn(day)
	return h, ok && !h.Work
}

// Workday reports whether the calendar date of day is a working day in
// China: a make-up working day is one, even on a Saturday or a Sunday; a
// holiday's day off is not, even on a weekday; any other day is one from
// Monday to Friday. After HolidayDataThrough only the weekday counts.
func Workday(day time.Time) bool {
	if h, ok := HolidayOn(day); ok {
		return h.Work
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// HolidayDataThrough is the last year with any holiday data, the library's
// own or added by Fix, among 2001–2100 (0 if none). The State Council publishes a year's
// holidays in the autumn before it, so later years are unknown until the
// library or a fix adds them: HolidayOn finds nothing there, and Workday
// only knows weekends.
func HolidayDataThrough() int {
	holidays.RLock()
	defer holidays.RUnlock()
	last := 0
	for y := 2001; y <= 2100; y++ {
		if HolidayUtil.GetHolidaysByYear(y).Len() > 0 {
			last = y
		}
	}
	return last
}

// fixRecord is the length of one record of the library's fix format.
const fixRecord = 18

// Fix adds or changes holiday data, in the library's own format
// (HolidayUtil.Fix), so that a deployment can add a year the library does
// not know yet. The data is a run of 18-character records, each:
//
//	YYYYMMDD  the day (characters 1–8);
//	N         the festival, an index into HolidayUtil.NAMES (character 9):
//	          0 元旦节, 1 春节, 2 清明节, 3 劳动节, 4 端午节, 5 中秋节,
//	          6 国庆节, 7 国庆中秋, 8 抗战胜利日;
//	          or ~ to remove the library's entry for the day;
//	W         0 for a make-up working day, 1 for a day off (character 10);
//	YYYYMMDD  the festival's own day, which the day belongs to
//	          (characters 11–18).
//
// For example "202610016120261001" makes 2026-10-01 a day off of the
// National Day, and "202609206020261001" makes 2026-09-20 a make-up
// working day for it. A record for a day the library has replaces its
// entry; a record for another day adds one. Spaces and line breaks
// between records are ignored, so a file may hold one record a line.
//
// Fix checks all the data before it changes anything: on an error
// (a length that is not a multiple of 18, a non-digit, a date that does
// not exist, a festival index out of range, a day given twice) nothing
// changes. Lookups wait while Fix runs; call it once, at start-up. The
// data is the library's, for the whole process: code that calls
// HolidayUtil directly is not guarded.
func Fix(data string) error {
	data = strings.Join(strings.Fields(data), "")
	if data == "" {
		return nil
	}
	if len(data)%fixRecord != 0 {
		return fmt.Errorf("calendar: holiday fix data of %d characters, not a multiple of %d", len(data), fixRecord)
	}
	seen := make(map[string]bool)
	for i := 0; i < len(data); i += fixRecord {
		r := data[i : i+fixRecord]
		if err := checkRecord(r); err != nil {
			return fmt.Errorf("calendar: holiday fix record %d %q: %w", i/fixRecord+1, r, err)
		}
		if seen[r[:8]] {
			return fmt.Errorf("calendar: holiday fix record %d %q: day given twice", i/fixRecord+1, r)
		}
		seen[r[:8]] = true
	}
	holidays.Lock()
	defer holidays.Unlock()
	HolidayUtil.Fix(nil, data)
	return nil
}

// LoadFix reads holiday fix data, as Fix takes it, from r (such as a file
// of one record a line) and applies it.
func LoadFix(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("calendar: reading holiday fix data: %w", err)
	}
	return Fix(string(b))
}

// checkRecord reports what is wrong with one 18-character fix record.
func checkRecord(r string) error {
	if err := checkDate(r[:8]); err != nil {
		return fmt.Errorf("day: %w", err)
	}
	if n := r[8]; n != '~' && (n < '0' || int(n-'0') >= len(HolidayUtil.NAMES)) {
		return fmt.Errorf("festival %q is not ~ or 0–%d", n, len(HolidayUtil.NAMES)-1)
	}
	if w := r[9]; w != '0' && w != '1' {
		return fmt.Errorf("work flag %q is not 0 or 1", w)
	}
	if err := checkDate(r[10:]); err != nil {
		return fmt.Errorf("festival day: %w", err)
	}
	return nil
}

// checkDate reports what is wrong with a YYYYMMDD date.
func checkDate(s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%q is not 8 digits", s)
		}
	}
	if _, err := time.Parse("20060102", s); err != nil {
		return fmt.Errorf("%q is not a date", s)
	}
	return nil
}
