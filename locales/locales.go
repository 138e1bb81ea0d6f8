// Package locales holds every word a user reads, in Simplified Chinese,
// Traditional Chinese and English, and picks a user's language (SPEC C2).
package locales

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed active.*.toml
var files embed.FS

// Lang is one of the languages assocbot speaks.
type Lang string

// The three languages, complete and equal.
const (
	ZhHans Lang = "zh-Hans"
	ZhHant Lang = "zh-Hant"
	En     Lang = "en"
)

// All lists the languages in the order the language buttons show them.
func All() []Lang {
	out := make([]Lang, len(tags))
	for i, t := range tags {
		out[i] = t.lang
	}
	return out
}

// tags are the languages, in All's order, and the language tags (lower
// case) that name each: the one list All, Parse and FromTelegram read. A bare "zh" is Simplified Chinese
// (Parse); a Telegram code that starts with a tag ("zh-hant-tw") names its
// language too (FromTelegram).
var tags = []struct {
	lang Lang
	tags []string
}{
	{ZhHans, []string{"zh-hans", "zh-cn", "zh-sg"}},
	{ZhHant, []string{"zh-hant", "zh-tw", "zh-hk", "zh-mo"}},
	{En, []string{"en"}},
}

// Parse accepts a language as people and configs write it ("zh-Hans",
// "zh-hant", "EN", "zh_CN") and reports whether it is one of ours.
func Parse(s string) (Lang, bool) {
	c := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	if c == "zh" {
		return ZhHans, true
	}
	for _, t := range tags {
		if slices.Contains(t.tags, c) {
			return t.lang, true
		}
	}
	return "", false
}

// FromTelegram resolves a Telegram language_code (SPEC C2): Chinese variants to
// their script, English to en. A user whose client names another language
// (fr, de, …) reads English better than Chinese, so any other non-empty code
// gets English; no code at all gets the deployment default.
func FromTelegram(code string, def Lang) Lang {
	c := strings.ToLower(strings.TrimSpace(code))
	if c == "" {
		return def
	}
	if l, ok := Parse(c); ok {
		return l
	}
	for _, t := range tags {
		if slices.ContainsFunc(t.tags, func(tag string) bool { return strings.HasPrefix(c, tag) }) {
			return t.lang
		}
	}
	return En
}

// Resolve applies SPEC C2: the user's own choice, else their Telegram
// client's language_code, else the deployment default.
func Resolve(chosen, telegramCode string, def Lang) Lang {
	if l, ok := Parse(chosen); ok && chosen != "" {
		return l
	}
	return FromTelegram(telegramCode, def)
}

// Catalog renders message keys in a language.
type Catalog struct {
	bundle *i18n.Bundle
	locs   map[Lang]*i18n.Localizer
	// OnMissing, when set, hears about a key that could not be rendered.
	OnMissing func(lang Lang, key string, err error)
	// Home, when set, is the association's time zone (ASSOCBOT_TZ). A time
	// DateTime shows in another zone, to a member working away, then says
	// so and gives the association's time beside it: "Fri 11 Dec 07:00
	// Berlin time · 14:00 Beijing time".
	Home *time.Location
}

// New loads the embedded message files.
func New() (*Catalog, error) {
	bundle := i18n.NewBundle(language.MustParse(string(ZhHans)))
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: bundle, locs: map[Lang]*i18n.Localizer{}}
	for _, l := range All() {
		if _, err := bundle.LoadMessageFileFS(files, "active."+string(l)+".toml"); err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		c.locs[l] = i18n.NewLocalizer(bundle, string(l))
	}
	return c, nil
}

// T renders key in lang with template data given as name/value pairs
// ("Name", "王芳", "Count", 3). Messages have one form (Chinese has no plural;
// the English ones are written to read right for any count). It never panics: a missing key renders as the key itself and is reported to
// OnMissing.
func (c *Catalog) T(lang Lang, key string, kv ...any) string {
	loc, ok := c.locs[lang]
	if !ok {
		loc = c.locs[ZhHans]
	}
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			name, _ := kv[i].(string)
			data[name] = kv[i+1]
		}
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil || s == "" {
		if c.OnMissing != nil {
			c.OnMissing(lang, key, err)
		}
		if s == "" {
			return key
		}
	}
	return s
}

// DateTime renders t in loc the way a reader of lang expects:
// "5月29日(周五) 09:00", "5月29日(週五) 09:00", "Fri 29 May 09:00". The year is
// shown when it is not the year of now. Every time a reader sees is
// rendered here: when loc, the reader's zone, shows another time than the
// association's (Home), the zone is named and the association's time
// given beside it, its weekday too when the day differs:
// "当地时间 12月11日（周五） 07:00 · 北京时间 14:00".
func (c *Catalog) DateTime(lang Lang, t time.Time, loc *time.Location, now time.Time) string {
	s := c.dateTime(lang, t, loc, now)
	if c.Home == nil || loc == nil {
		return s
	}
	here, home := t.In(loc), t.In(c.Home)
	_, hereOff := here.Zone()
	_, homeOff := home.Zone()
	if hereOff == homeOff {
		return s // the same clock: the association's own zone, or Hong Kong for Shanghai
	}
	homeTime := home.Format("15:04")
	if home.YearDay() != here.YearDay() || home.Year() != here.Year() {
		homeTime = c.T(lang, fmt.Sprintf("time.weekday.%d", int(home.Weekday()))) + " " + homeTime
	}
	return c.T(lang, "time.away", "When", s,
		"Here", c.T(lang, "time.zone.local", "City", zoneCity(loc)),
		"HomeTime", homeTime, "Home", c.zoneName(lang, c.Home))
}

// zoneName names the association's zone for a reader: 北京时间, Beijing time
// for China's; else the zone's city ("Berlin time"; in Chinese, 协会所在地时间).
func (c *Catalog) zoneName(lang Lang, loc *time.Location) string {
	switch loc.String() {
	case "Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC":
		return c.T(lang, "time.zone.beijing")
	}
	return c.T(lang, "time.zone.home", "City", zoneCity(loc))
}

// zoneCity is the city of an IANA zone name: Europe/Berlin → Berlin,
// America/New_York → New York; a name without one as it is (UTC).
func zoneCity(loc *time.Location) string {
	name := loc.String()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}

// dateTime is DateTime without the zones.
func (c *Catalog) dateTime(lang Lang, t time.Time, loc *time.Location, now time.Time) string {
	t = t.In(loc)
	key := "time.datetime"
	if t.Year() != now.In(loc).Year() {
		key = "time.datetime_year"
	}
	return c.T(lang, key,
		"Year", t.Year(),
		"Month", int(t.Month()),
		"MonthName", c.T(lang, fmt.Sprintf("time.month.%d", int(t.Month()))),
		"Day", t.Day(),
		"Weekday", c.T(lang, fmt.Sprintf("time.weekday.%d", int(t.Weekday()))),
		"Time", t.Format("15:04"))
}

// Quarter names a quarter the way a reader of lang writes it:
// "2026年第四季度", "Q4 2026".
func (c *Catalog) Quarter(lang Lang, year, q int) string {
	return c.T(lang, fmt.Sprintf("time.quarter.%d", q), "Year", year)
}

// Date renders a calendar date (kept as midnight UTC) the way a reader of
// lang expects: "5月29日(周五)", "Fri 29 May"; the year when it is not the
// year of now.
func (c *Catalog) Date(lang Lang, d time.Time, now time.Time) string {
	key := "time.date"
	if d.Year() != now.Year() {
		key = "time.date_year"
	}
	return c.T(lang, key,
		"Year", d.Year(),
		"Month", int(d.Month()),
		"MonthName", c.T(lang, fmt.Sprintf("time.month.%d", int(d.Month()))),
		"Day", d.Day(),
		"Weekday", c.T(lang, fmt.Sprintf("time.weekday.%d", int(d.Weekday()))))
}
