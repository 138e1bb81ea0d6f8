package models

// YearEntry is an occasion of the association's year (SPEC C15), ready for
// an admin to switch on: a recurring notice with a default audience and,
// in the locales, a name ("year.KEY.name") and a default text in each
// language ("year.KEY.text").
type YearEntry struct {
	Key        string
	RRule      string // yearly on a date; or
	Lunar      string // yearly on a lunar date
	AtMinute   int
	BeforeDays int
	Audience   Audience
}

// Notice is the entry as a recurring notice (its texts and start are the
// caller's).
func (e YearEntry) Notice() Notice {
	key := e.Key
	return Notice{Audience: e.Audience.String(), RRule: e.RRule, Lunar: e.Lunar, AtMinute: e.AtMinute,
		BeforeDays: e.BeforeDays, CalendarKey: &key, Enabled: true}
}

// Year is the association's year, in the order of its dates: the seeds'
// fixed occasions (3·8 women's rights week, the April notice preparing
// 5·29, the member day, 六一, the 9·25 anniversary of the open letter, the
// 元旦 and 春节 greetings) and the Spring Festival care-visit round.
func Year() []YearEntry {
	yearly := func(month, day string) string { return "FREQ=YEARLY;BYMONTH=" + month + ";BYMONTHDAY=" + day }
	const nine = 9 * 60
	return []YearEntry{
		{Key: "new_year", RRule: yearly("1", "1"), AtMinute: nine, Audience: Everyone()},
		{Key: "spring_care", Lunar: "01-01", AtMinute: nine, BeforeDays: 21, Audience: AllOrganizers()},
		{Key: "spring_festival", Lunar: "01-01", AtMinute: nine, Audience: Everyone()},
		{Key: "women_day", RRule: yearly("3", "8"), AtMinute: nine, BeforeDays: 3, Audience: Everyone()},
		{Key: "member_day_prep", RRule: yearly("4", "1"), AtMinute: nine, Audience: AllOrganizers()},
		{Key: "member_day", RRule: yearly("5", "29"), AtMinute: nine, Audience: Everyone()},
		{Key: "childrens_day", RRule: yearly("6", "1"), AtMinute: nine, Audience: Everyone()},
		{Key: "open_letter", RRule: yearly("9", "25"), AtMinute: nine, Audience: Everyone()},
	}
}

// YearEntryByKey finds an entry of the year.
func YearEntryByKey(key string) (YearEntry, bool) {
	for _, e := range Year() {
		if e.Key == key {
			return e, true
		}
	}
	return YearEntry{}, false
}
