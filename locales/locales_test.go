package locales

import (
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// TestEveryLanguageHasEveryKey fails when a language lacks a key another has,
// or has one empty: the three languages are complete and equal (SPEC C2).
func TestEveryLanguageHasEveryKey(t *testing.T) {
	keys := map[Lang]map[string]string{}
	union := map[string]bool{}
	for _, l := range All() {
		raw, err := os.ReadFile("active." + string(l) + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := toml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		keys[l] = m
		for k := range m {
			union[k] = true
		}
	}
	var all []string
	for k := range union {
		all = append(all, k)
	}
	sort.Strings(all)
	for _, l := range All() {
		for _, k := range all {
			v, ok := keys[l][k]
			if !ok {
				t.Errorf("%s lacks %q", l, k)
			} else if strings.TrimSpace(v) == "" {
				t.Errorf("%s has %q empty", l, k)
			}
		}
	}
}

func TestFromTelegram(t *testing.T) {
	for _, c := range []struct {
		code string
		want Lang
	}{
		{"en-US", En}, {"en", En}, {"zh-CN", ZhHans}, {"zh-hans", ZhHans}, {"zh-sg", ZhHans}, {"zh", ZhHans},
		{"zh-TW", ZhHant}, {"zh-hant", ZhHant}, {"zh-HK", ZhHant}, {"zh-mo", ZhHant}, {"zh-Hant-TW", ZhHant},
		{"fr", En}, {"de-DE", En}, {"", ZhHans},
	} {
		if got := FromTelegram(c.code, ZhHans); got != c.want {
			t.Errorf("FromTelegram(%q) = %s, want %s", c.code, got, c.want)
		}
	}
	if got := FromTelegram("", En); got != En {
		t.Errorf("empty code must give the deployment default, got %s", got)
	}
}

func TestRender(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	c.OnMissing = func(l Lang, key string, err error) { missing = append(missing, key) }
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, sh)
	at := time.Date(2027, 5, 29, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai, a Saturday
	for l, want := range map[Lang]string{ZhHans: "5月29日（周六） 09:00", ZhHant: "5月29日（週六） 09:00", En: "Sat 29 May 09:00"} {
		if got := c.DateTime(l, at, sh, now); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
	if got := c.DateTime(En, at, sh, now.AddDate(-1, 0, 0)); got != "Sat 29 May 2027 09:00" {
		t.Errorf("other year: %q", got)
	}
	// A count of one renders like any other (no plural forms to miss).
	if got := c.T(En, "broadcast.queued", "Count", 1); !strings.Contains(got, "1") || strings.Contains(got, "broadcast.queued") {
		t.Errorf("count of one: %q", got)
	}
	if got := c.T(ZhHant, "lang.set"); got != "語言已設為繁體中文。" {
		t.Errorf("T = %q", got)
	}
	if got := c.T(En, "no.such.key"); got != "no.such.key" || len(missing) != 1 {
		t.Errorf("missing key: %q, reported %v", got, missing)
	}
}

func TestResolveOwnChoiceFirst(t *testing.T) {
	for _, c := range []struct {
		chosen, code string
		want         Lang
	}{{"zh-Hant", "en-US", ZhHant}, {"", "en-US", En}, {"", "", ZhHans}, {"bogus", "zh-tw", ZhHant}} {
		if got := Resolve(c.chosen, c.code, ZhHans); got != c.want {
			t.Errorf("Resolve(%q, %q) = %s, want %s", c.chosen, c.code, got, c.want)
		}
	}
}

// TestTagsAreOneList: the tags Parse accepts and those FromTelegram reads
// (alone or with a subtag after them) are the one list, each naming its
// language, written as people write it too; and All lists its languages
// once, in the buttons' order.
func TestTagsAreOneList(t *testing.T) {
	if got := All(); len(got) != 3 || got[0] != ZhHans || got[1] != ZhHant || got[2] != En {
		t.Errorf("All() = %v", got)
	}
	for _, l := range tags {
		for _, tag := range l.tags {
			for _, written := range []string{tag, strings.ToUpper(tag), " " + strings.ReplaceAll(tag, "-", "_") + " "} {
				if got, ok := Parse(written); !ok || got != l.lang {
					t.Errorf("Parse(%q) = %s, %v; want %s", written, got, ok, l.lang)
				}
			}
			for _, code := range []string{tag, tag + "-x", strings.ToUpper(tag)} {
				if got := FromTelegram(code, ZhHant); got != l.lang {
					t.Errorf("FromTelegram(%q) = %s, want %s", code, got, l.lang)
				}
			}
		}
	}
	for _, s := range []string{"fr", "zh-x", "", "english"} {
		if got, ok := Parse(s); ok {
			t.Errorf("Parse(%q) = %s, want none", s, got)
		}
	}
	if got, ok := Parse("zh"); !ok || got != ZhHans {
		t.Errorf("Parse(zh) = %s, %v; want %s", got, ok, ZhHans)
	}
}
