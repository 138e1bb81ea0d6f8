package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/calendar"
)

// TestNoticeCalendarAndFAQCommands: recurring notices by rule or lunar
// date print their next dates (春节 2027-02-06, 2028-01-26); the year's
// entries are listed off, switched on with their default texts or a
// file's, and off; frequent questions are added, listed and removed; an
// event on a statutory holiday needs --on-holiday. Each bad input is
// refused, naming what is wrong, with no row changed.
func TestNoticeCalendarAndFAQCommands(t *testing.T) {
	db, env := cliDB(t)
	mustCLI(t, env, "branch", "add", "东城镇/李家村")
	out := mustCLI(t, env, "notice", "add", "--audience", "all", "--text", "新春快乐！", "--lunar", "01-01")
	if want := "notice 1 to all, lunar 01-01 at 09:00; next: 2027-02-06, 2028-01-26, 2029-02-13\n"; out != want {
		t.Fatalf("notice add --lunar: %q, want %q", out, want)
	}
	out = mustCLI(t, env, "notice", "add", "--audience", "branch:东城镇", "--text", "三八维权周", "--text-en", "Women's week",
		"--rrule", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8", "--before", "3d", "--at", "08:30")
	if !strings.Contains(out, "next: 2027-03-08 (sent 2027-03-05 08:30), 2028-03-08 (sent 2028-03-05 08:30)") {
		t.Fatalf("notice add --rrule --before: %q", out)
	}
	for _, c := range []struct {
		want []string
		args []string
	}{
		{[]string{"--lunar \"13-01\"", "MM-DD"}, []string{"--audience", "all", "--text", "x", "--lunar", "13-01"}},
		{[]string{"one of --rrule or --lunar"}, []string{"--audience", "all", "--text", "x", "--lunar", "01-01", "--rrule", "FREQ=YEARLY"}},
		{[]string{"one of --rrule or --lunar"}, []string{"--audience", "all", "--text", "x"}},
		{[]string{"needs --text"}, []string{"--audience", "all", "--lunar", "01-01"}},
		{[]string{"--rrule", "YEARLY, MONTHLY or WEEKLY"}, []string{"--audience", "all", "--text", "x", "--rrule", "FREQ=DAILY"}},
		{[]string{"--at \"25:00\""}, []string{"--audience", "all", "--text", "x", "--lunar", "01-01", "--at", "25:00"}},
		{[]string{"--before", "60d"}, []string{"--audience", "all", "--text", "x", "--lunar", "01-01", "--before", "90d"}},
		{[]string{"东城镇/王家村"}, []string{"--audience", "branch:东城镇/王家村", "--text", "x", "--lunar", "01-01"}},
	} {
		refused(t, db, env, c.want, append([]string{"notice", "add"}, c.args...)...)
	}
	if out := mustCLI(t, env, "notice", "list"); !strings.Contains(out, "新春快乐！") || !strings.Contains(out, "三八维权周") {
		t.Fatalf("notice list: %q", out)
	}
	if out := mustCLI(t, env, "notice", "remove", "2"); out != "notice 2 removed: no more dates are sent\n" {
		t.Fatalf("notice remove: %q", out)
	}
	refused(t, db, env, []string{"no notice 2"}, "notice", "remove", "2")

	// The year: all off, then one on with its default texts, one with a
	// file's English text.
	out = mustCLI(t, env, "calendar", "list")
	if strings.Count(out, " off ") != 8 || !strings.Contains(out, "spring_festival") || !strings.Contains(out, "2027-02-06") {
		t.Fatalf("calendar list: %q", out)
	}
	out = mustCLI(t, env, "calendar", "enable", "spring_festival")
	if !strings.Contains(out, "spring_festival (Spring Festival greetings) on") || !strings.Contains(out, "next: 2027-02-06") {
		t.Fatalf("calendar enable: %q", out)
	}
	file := filepath.Join(t.TempDir(), "women.txt")
	if err := os.WriteFile(file, []byte("Happy Women's Day from the Town branch!\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, env, "calendar", "enable", "women_day", "--text-file", file, "--lang", "en", "--audience", "branch:东城镇")
	if out := mustCLI(t, env, "notice", "list"); !strings.Contains(out, "[calendar women_day]") || !strings.Contains(out, "[calendar spring_festival] 🧧 春节快乐") {
		t.Fatalf("notice list with the calendar: %q", out)
	}
	refused(t, db, env, []string{`"sprng_festival" is no entry`, "spring_festival"}, "calendar", "enable", "sprng_festival")
	refused(t, db, env, []string{"--lang", "--text-file"}, "calendar", "enable", "member_day", "--lang", "en")
	if out := mustCLI(t, env, "calendar", "disable", "women_day"); !strings.Contains(out, "women_day off") {
		t.Fatalf("calendar disable: %q", out)
	}
	if out := mustCLI(t, env, "calendar", "list"); strings.Count(out, " on ") != 1 {
		t.Fatalf("calendar list after: %q", out)
	}

	// Frequent questions.
	if out := mustCLI(t, env, "faq", "add", "--question", "孕前检查在哪里做？", "--answer", "镇卫生院二楼。", "--keywords", "孕前检查，孕检"); out != "faq 1 (zh-Hans): 孕前检查在哪里做？\n" {
		t.Fatalf("faq add: %q", out)
	}
	refused(t, db, env, []string{`--lang "fr"`}, "faq", "add", "--question", "q", "--answer", "a", "--lang", "fr")
	refused(t, db, env, []string{"--question and --answer"}, "faq", "add", "--question", "q")
	if out := mustCLI(t, env, "faq", "list"); !strings.Contains(out, "孕前检查,孕检") {
		t.Fatalf("faq list: %q", out)
	}
	mustCLI(t, env, "faq", "remove", "1")
	refused(t, db, env, []string{"no faq 1"}, "faq", "remove", "1")

	// An event on the Spring Festival holiday.
	event := func(day string, extra ...string) []string {
		return append([]string{"event", "add", "--kind", "meeting", "--title", "例会", "--start", day + " 09:00"}, extra...)
	}
	refused(t, db, env, []string{"2027-02-08 is a statutory holiday", "春节", "--on-holiday"}, event("2027-02-08")...)
	if out := mustCLI(t, env, event("2027-02-08", "--on-holiday")...); !strings.Contains(out, "next 2027-02-08 09:00") {
		t.Fatalf("event add --on-holiday: %q", out)
	}
	if out := mustCLI(t, env, event("2027-02-15")...); !strings.Contains(out, "next 2027-02-15 09:00") {
		t.Fatalf("event add on a working day: %q", out)
	}
}

// TestHolidaysFileExtendsTheTable: ASSOCBOT_HOLIDAYS adds the years after
// lunar-go's data at start-up; a malformed file is refused, naming the
// variable, and adds nothing.
func TestHolidaysFileExtendsTheTable(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("2031100161\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := Config{Token: "1:x", APIURL: "https://api.telegram.org", DB: "x.db", TZ: "Asia/Shanghai", Lang: "zh-Hans", ImportMaxMB: 10, Rate: 30, QuietHours: "off", Workers: 4, Lease: time.Minute, Listen: ":8080", Holidays: bad}
	if err := c.Validate(true); err == nil || !strings.Contains(err.Error(), "ASSOCBOT_HOLIDAYS") {
		t.Fatalf("a malformed file: %v", err)
	}
	day := time.Date(2031, 10, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := calendar.HolidayOn(day); ok {
		t.Fatal("2031-10-01 known before the file")
	}
	good := filepath.Join(dir, "2031.txt")
	if err := os.WriteFile(good, []byte("203110016120311001\n203109280020311001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Holidays = good
	if err := c.Validate(true); err != nil {
		t.Fatal(err)
	}
	h, ok := calendar.HolidayOn(day)
	if !ok || h.Key != "national_day" || h.Work {
		t.Fatalf("2031-10-01 after the file: %+v %v", h, ok)
	}
	// Every command reads it, so the CLI and the bot agree.
	db, env := cliDB(t)
	later := filepath.Join(dir, "2032.txt")
	if err := os.WriteFile(later, []byte("203210016120321001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = calendar.Fix("20321001~120321001") })
	withFile := func(k string) string {
		if k == "ASSOCBOT_HOLIDAYS" {
			return later
		}
		return env(k)
	}
	refused(t, db, withFile, []string{"2032-10-01 is a statutory holiday"},
		"event", "add", "--kind", "meeting", "--title", "例会", "--start", "2032-10-01 09:00")
	refused(t, db, func(k string) string { return map[string]string{"ASSOCBOT_HOLIDAYS": bad}[k] + env(k) }, []string{"ASSOCBOT_HOLIDAYS"}, "event", "list")
	t.Cleanup(func() { _ = calendar.Fix("20311001~120311001" + "20310928~020311001") })
	if !calendar.Workday(time.Date(2031, 9, 28, 0, 0, 0, 0, time.UTC)) { // a Sunday made a working day
		t.Fatal("the make-up Sunday is no working day")
	}
}
