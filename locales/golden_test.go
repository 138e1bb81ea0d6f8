package locales

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

var update = flag.Bool("update", false, "rewrite testdata/messages.golden")

// samples are the arguments the golden file renders every message with, by
// name; a name not here gets «Name».
var samples = map[string]any{
	"Count": 3, "N": 2, "Rows": 12, "New": 2, "Updated": 1, "Unchanged": 9, "Branches": 1, "Plans": 4, "Line": 7, "Days": 3, "Max": 20,
	"Total": 40, "Delivered": 38, "Blocked": 1, "Failed": 1, "Yes": 12, "Maybe": 3, "No": 2, "Came": 11, "Photos": 2, "Guests": 1,
	"Capacity": 30, "Position": 2, "ID": 12, "EventID": 12, "Members": 120, "CheckedIn": 11, "Overdue": 4, "Activities": 1,
	"Name": "王芳", "Title": "月度例会", "Location": "村委会二楼", "Branch": "东城镇/李家村", "Bot": "assocbot", "Command": "/stats",
	"Phone": "139 0000 0009", "Topic": "健康讲座", "Summary": "讲解了孕前检查", "Quarter": "2026Q4", "Value": "下周三",
	"Kind": "年度健康检查", "Audience": "东城镇/李家村", "Text": "明天停水", "Icon": "📅", "Satisfaction": "67%（2/3）", "Satisfied": 2, "Valid": 3,
	"When": "12月20日（周日）09:30", "At": "12月20日 09:00", "StartAt": "12月20日（周日）09:30", "DueAt": "12月20日", "Week": "11月23日",
	"Expires": "12月6日", "DeadlineAt": "12月18日 18:00", "Link": "https://t.me/assocbot?start=CODE", "Example": "2026-12-20 09:00",
}

var argName = regexp.MustCompile(`\{\{[^}]*?\.(\w+)`)

// TestEveryMessageGolden renders every message of every language with
// sample arguments into testdata/messages.golden (read once by a person,
// then a guard against silent changes: go test ./locales -update rewrites
// it), and fails on a message that does not render cleanly.
func TestEveryMessageGolden(t *testing.T) {
	cat, err := New()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("active.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string]string{}
	if err := toml.Unmarshal(raw, &msgs); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(msgs))
	for k := range msgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sources := map[Lang]map[string]string{}
	for _, l := range All() {
		src, err := os.ReadFile("active." + string(l) + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		srcMap := map[string]string{}
		if err := toml.Unmarshal(src, &srcMap); err != nil {
			t.Fatal(err)
		}
		sources[l] = srcMap
	}
	var b strings.Builder
	for _, k := range keys {
		names := map[string]bool{}
		for _, l := range All() {
			for _, mm := range argName.FindAllStringSubmatch(sources[l][k], -1) {
				names[mm[1]] = true
			}
		}
		var kv []any
		var sorted []string
		for n := range names {
			sorted = append(sorted, n)
		}
		sort.Strings(sorted)
		for _, n := range sorted {
			v, ok := samples[n]
			if !ok {
				v = "«" + n + "»"
			}
			kv = append(kv, n, v)
		}
		fmt.Fprintf(&b, "== %s\n", k)
		for _, l := range All() {
			out := cat.T(l, k, kv...)
			if out == k || strings.Contains(out, "<no value>") || strings.Contains(out, "{{") || strings.Contains(out, "%!") {
				t.Errorf("%s %s renders badly: %q", l, k, out)
			}
			fmt.Fprintf(&b, "-- %s\n%s\n", l, out)
		}
	}
	path := "testdata/messages.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./locales -update writes it)", err)
	}
	if got := b.String(); got != string(want) {
		g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(g) && i < len(w); i++ {
			if g[i] != w[i] {
				t.Fatalf("messages.golden differs at line %d:\n got: %s\nwant: %s\n(go test ./locales -update rewrites it after a reading)", i+1, g[i], w[i])
			}
		}
		t.Fatalf("messages.golden differs in length: %d lines, want %d", len(g), len(w))
	}
}
