package locales_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/locales"
)

// TestDateTimeInAnotherZone: DateTime names the reader's zone and gives
// the association's time beside it when the two clocks differ, with the
// association's weekday when the day differs; a reader in the
// association's zone, or in one with the same clock, sees the time alone.
func TestDateTimeInAnotherZone(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	shanghai, berlin, ny, hk := zone("Asia/Shanghai"), zone("Europe/Berlin"), zone("America/New_York"), zone("Asia/Hong_Kong")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)
	meeting := time.Date(2026, 12, 11, 14, 0, 0, 0, shanghai)
	early := time.Date(2026, 12, 12, 6, 0, 0, 0, shanghai)
	for _, c := range []struct {
		home   *time.Location
		lang   locales.Lang
		t      time.Time
		reader *time.Location
		want   string
	}{
		{nil, locales.En, meeting, berlin, "Fri 11 Dec 07:00"},
		{shanghai, locales.En, meeting, shanghai, "Fri 11 Dec 14:00"},
		{shanghai, locales.ZhHans, meeting, hk, "12月11日（周五） 14:00"},
		{shanghai, locales.En, meeting, berlin, "Fri 11 Dec 07:00 Berlin time · 14:00 Beijing time"},
		{shanghai, locales.ZhHans, meeting, berlin, "当地时间 12月11日（周五） 07:00 · 北京时间 14:00"},
		{shanghai, locales.ZhHant, meeting, berlin, "當地時間 12月11日（週五） 07:00 · 北京時間 14:00"},
		{shanghai, locales.En, early, berlin, "Fri 11 Dec 23:00 Berlin time · Sat 06:00 Beijing time"},
		{shanghai, locales.ZhHans, early, ny, "当地时间 12月11日（周五） 17:00 · 北京时间 周六 06:00"},
		{ny, locales.En, meeting, shanghai, "Fri 11 Dec 14:00 Shanghai time · 01:00 New York time"},
		{ny, locales.ZhHans, meeting, shanghai, "当地时间 12月11日（周五） 14:00 · 协会所在地时间 01:00"},
	} {
		cat.Home = c.home
		if got := cat.DateTime(c.lang, c.t, c.reader, now); got != c.want {
			t.Errorf("home %v, %s in %v: %q, want %q", c.home, c.lang, c.reader, got, c.want)
		}
	}
}
