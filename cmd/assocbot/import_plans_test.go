package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// checksByPhone reads each member's open checks: kind, last done, next due.
func checksByPhone(t *testing.T, db string) string {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := storetest.Dump(context.Background(), db, `SELECT members.phone, plan_kinds.key, plans.last_done, plans.next_due
		FROM plans JOIN members ON members.id = plans.member_id JOIN plan_kinds ON plan_kinds.id = plans.kind_id ORDER BY members.phone, plan_kinds.key`)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestMemberExportRoundTripsChecks: the member export carries each
// member's checks (a member with two checks on two lines, the kind by its
// name in the reader's language, the interval in words), and importing it
// into an empty database gives the same checks with the same dates.
func TestMemberExportRoundTripsChecks(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	src := filepath.Join(dir, "in.csv")
	os.WriteFile(src, []byte("姓名,手机,分会,检查类型,上次检查\n"+
		"甲,13800000001,镇/村,季度孕检（三查）,2026-10-01\n"+
		"甲,13800000001,镇/村,prepregnancy,2026-03-15\n"+
		"乙,13800000002,镇/村,,\n"), 0o600)
	if code, out, errOut := runCLI(t, env, "", "import", src); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	want := checksByPhone(t, db)
	if strings.Count(want, "key=") != 2 {
		t.Fatalf("the source has %q", want)
	}
	for _, c := range []struct{ format, lang, kindName string }{
		{"csv", "zh-Hans", "季度孕检（三查）"}, {"xlsx", "en", "Quarterly check-up"}, {"csv", "zh-Hant", "季度孕檢（三查）"},
	} {
		file := filepath.Join(dir, "export."+c.format)
		if code, out, errOut := runCLI(t, env, "", "export", "members", "--format", c.format, "--lang", c.lang, "-o", file); code != 0 {
			t.Fatalf("export %v: %d %s %s", c, code, out, errOut)
		}
		if c.format == "csv" {
			raw, _ := os.ReadFile(file)
			if !strings.Contains(string(raw), c.kindName) {
				t.Fatalf("the %s export does not name the kind %q:\n%s", c.lang, c.kindName, raw)
			}
		}
		fresh := filepath.Join(dir, fmt.Sprintf("fresh-%s-%s.db", c.format, c.lang))
		fenv := func(k string) string { return map[string]string{"ASSOCBOT_DB": fresh}[k] }
		if code, out, errOut := runCLI(t, fenv, "", "import", file); code != 0 {
			t.Fatalf("import of the %v export: %d %s %s", c, code, out, errOut)
		}
		if got := checksByPhone(t, fresh); got != want {
			t.Fatalf("%v: checks after the round trip\n%s\nwant\n%s", c, got, want)
		}
	}
}
