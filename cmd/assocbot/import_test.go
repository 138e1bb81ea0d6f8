package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// tableCounts counts the rows an import may write.
func tableCounts(t *testing.T, db string) map[string]int {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]int{}
	for _, tab := range []string{"members", "member_tags", "branches", "organizer_scopes", "plans", "check_records"} {
		n, err := storetest.Count(context.Background(), db, tab)
		if err != nil {
			t.Fatal(err)
		}
		out[tab] = n
	}
	return out
}

func sameCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// TestImportMessyGBK: a CSV as Chinese Excel saves it (GB18030, Chinese
// headers with spaces, CRLF) with one bad row of each kind: every problem
// reported with its row and column, in the reader's language, and nothing
// imported, dry run or not.
func TestImportMessyGBK(t *testing.T) {
	db := filepath.Join(t.TempDir(), "i.db")
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	if code, _, errOut := runCLI(t, env, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	before := tableCounts(t, db)
	for _, l := range []string{"zh-Hans", "en"} {
		for _, dry := range []bool{true, false} {
			args := []string{"import", "testdata/messy_gbk.csv", "--lang", l}
			if dry {
				args = append(args, "--dry-run")
			}
			code, out, _ := runCLI(t, env, "", args...)
			if code != 2 {
				t.Fatalf("%v: exit %d", args, code)
			}
			golden(t, "messy_gbk."+l+".golden", out)
		}
	}
	if after := tableCounts(t, db); !sameCounts(before, after) {
		t.Fatalf("a file with bad rows changed the database: %v → %v", before, after)
	}
}

// TestImportIsAllOrNothingAndIdempotent: a good file (UTF-8 with a BOM,
// English headers in another order) checked by a dry run (nothing written),
// imported, imported again (nothing changes); the same file with one bad
// row imports nothing.
func TestImportIsAllOrNothingAndIdempotent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "i.db")
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	runCLI(t, env, "", "migrate")
	empty := tableCounts(t, db)
	code, out, _ := runCLI(t, env, "", "import", "testdata/members_bom.csv", "--dry-run")
	if code != 0 || !strings.HasPrefix(out, "File checked, nothing imported yet: 4 rows — new members: 4") {
		t.Fatalf("dry run: %d %q", code, out)
	}
	if got := tableCounts(t, db); !sameCounts(empty, got) {
		t.Fatalf("a dry run wrote: %v", got)
	}
	code, out, _ = runCLI(t, env, "", "import", "testdata/members_bom.csv")
	golden(t, "members_bom.golden", out)
	if code != 0 {
		t.Fatalf("import: %d", code)
	}
	once := tableCounts(t, db)
	if once["members"] != 4 || once["plans"] != 2 || once["organizer_scopes"] != 1 || once["member_tags"] != 3 {
		t.Fatalf("imported %v", once)
	}
	code, out, _ = runCLI(t, env, "", "import", "testdata/members_bom.csv")
	if code != 0 || !strings.Contains(out, "new members: 0, changed: 0, unchanged: 4") {
		t.Fatalf("again: %d %q", code, out)
	}
	if twice := tableCounts(t, db); !sameCounts(once, twice) {
		t.Fatalf("a second import changed rows: %v → %v", once, twice)
	}
	// One bad row: nothing of the file is written.
	raw, _ := os.ReadFile("testdata/members_bom.csv")
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, append(raw, []byte("13800000099,New person,东城镇,,chief,,,,\n")...), 0o644)
	if code, out, _ := runCLI(t, env, "", "import", bad); code != 2 || !strings.Contains(out, "Row 6, role: “chief” is not a role") {
		t.Fatalf("bad row: %d %q", code, out)
	}
	if got := tableCounts(t, db); !sameCounts(once, got) {
		t.Fatalf("a file with a bad row changed rows: %v → %v", once, got)
	}
}

// TestImportXLSXAndExportRoundTrip: an XLSX with Traditional headers
// imports; the members export (XLSX and CSV, any language) opens in
// excelize and imports back with nothing to change.
func TestImportXLSXAndExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "i.db")
	env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
	x := excelize.NewFile()
	for i, row := range [][]any{
		{"姓名", "手機", "分會", "標籤", "角色", "語言"},
		{"陳美玲", "139 0000 0001", "东城镇/王庄村", "義工", "組織者", "繁體"},
		{"王芳", "13800000001", "东城镇/李家村", "", "會員", ""},
		{"", "13800000002", "东城镇", "", "", ""},
		{"Li", "13800000001", "东城镇", "", "", ""},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("Sheet1", cell, &row)
	}
	xlsx := filepath.Join(dir, "members.xlsx")
	if err := x.SaveAs(xlsx); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, env, "", "import", xlsx, "--lang", "zh-Hant", "--dry-run")
	golden(t, "members_xlsx.golden", out)
	if code != 2 {
		t.Fatalf("xlsx with bad rows: %d", code)
	}
	// Without its two bad rows it imports.
	x.RemoveRow("Sheet1", 5)
	x.RemoveRow("Sheet1", 4)
	x.SaveAs(xlsx)
	if code, out, _ := runCLI(t, env, "", "import", xlsx); code != 0 || !strings.Contains(out, "new members: 2") {
		t.Fatalf("xlsx: %d %q", code, out)
	}
	runCLI(t, env, "", "import", "testdata/members_bom.csv")
	before := tableCounts(t, db)
	for _, c := range []struct{ format, lang string }{{"xlsx", "zh-Hans"}, {"csv", "zh-Hant"}, {"xlsx", "en"}, {"csv", "en"}} {
		file := filepath.Join(dir, "export."+c.format)
		code, out, errOut := runCLI(t, env, "", "export", "members", "--format", c.format, "--lang", c.lang, "-o", file)
		if code != 0 || !strings.Contains(out, ": 4 rows") {
			t.Fatalf("export %v: %d %q %q", c, code, out, errOut)
		}
		if c.format == "xlsx" {
			f, err := excelize.OpenFile(file)
			if err != nil {
				t.Fatalf("excelize: %v", err)
			}
			rows, _ := f.GetRows(f.GetSheetList()[0])
			f.Close()
			if len(rows) != 5 {
				t.Fatalf("%d rows in the sheet", len(rows))
			}
		}
		raw, _ := os.Open(file)
		rows, problems, err := roster.Parse(raw, roster.DefaultLimits())
		raw.Close()
		if err != nil || len(problems) != 0 || len(rows) != 4 {
			t.Fatalf("export %v reads back: %d rows, %v, %v", c, len(rows), problems, err)
		}
		if code, out, _ := runCLI(t, env, "", "import", file); code != 0 || !strings.Contains(out, "new members: 0, changed: 0, unchanged: 4") {
			t.Fatalf("re-import of the %v export: %d %q", c, code, out)
		}
		if after := tableCounts(t, db); !sameCounts(before, after) {
			t.Fatalf("the round trip changed rows: %v → %v", before, after)
		}
	}
}
