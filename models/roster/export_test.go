package roster_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
)

const hyperlink = `=HYPERLINK("http://example.com/x","点击查看")`

func TestNeutraliseCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{hyperlink, "'" + hyperlink},
		{"=1+1", "'=1+1"},
		{"+86 138 0013 8000", "'+86 138 0013 8000"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"'=1+1", "''=1+1"}, // a quote of its own is kept through a round trip
		{"''@x", "'''@x"},
		{"王芳", "王芳"},
		{"138 0013 8000", "138 0013 8000"},
		{"a=b", "a=b"},
		{" =1+1", " =1+1"},
		{"'", "'"},
		{"'abc", "'abc"},
		{"", ""},
		{"2026-05-29", "2026-05-29"},
	} {
		if got := roster.NeutraliseCell(c.in); got != c.want {
			t.Errorf("NeutraliseCell(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := roster.UnneutraliseCell(roster.NeutraliseCell(c.in)); got != c.in {
			t.Errorf("UnneutraliseCell(NeutraliseCell(%q)) = %q", c.in, got)
		}
	}
}

func FuzzNeutraliseCell(f *testing.F) {
	for _, s := range []string{hyperlink, "'=x", "''", "-", "王芳", "'\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := roster.NeutraliseCell(s)
		if n != "" && strings.ContainsRune("=+-@\t\r", rune(n[0])) {
			t.Fatalf("NeutraliseCell(%q) = %q starts a formula", s, n)
		}
		if got := roster.UnneutraliseCell(n); got != s {
			t.Fatalf("UnneutraliseCell(NeutraliseCell(%q)) = %q", s, got)
		}
	})
}

// readCSV reads an export back as a spreadsheet would see its cells.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV export lacks its BOM: %q", b)
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestWriteCSVNeutralisesEveryCell(t *testing.T) {
	tbl := roster.Table{
		Headers: []string{"name", "=header"},
		Rows: [][]string{
			{hyperlink, "+1 201-555-0123"},
			{"-10", "@cmd"},
			{"\tx", "\r=1"},
			{"王芳", "138 0013 8000"},
		},
	}
	var buf bytes.Buffer
	if err := roster.Write(&buf, roster.CSV, tbl); err != nil {
		t.Fatal(err)
	}
	got := readCSV(t, buf.Bytes())
	want := [][]string{
		{"name", "'=header"},
		{"'" + hyperlink, "'+1 201-555-0123"},
		{"'-10", "'@cmd"},
		{"'\tx", "'\r=1"},
		{"王芳", "138 0013 8000"},
	}
	if len(got) != len(want) {
		t.Fatalf("CSV has %d records, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
	// The table itself is not changed: XLSX and other writers see the values.
	if tbl.Rows[0][0] != hyperlink {
		t.Errorf("Write changed the table: %q", tbl.Rows[0][0])
	}
}

func TestWriteXLSXCellsAreInlineText(t *testing.T) {
	tbl := roster.Table{Sheet: "会员", Headers: []string{"name", "x"}, Rows: [][]string{{"=1+1", hyperlink}}}
	var buf bytes.Buffer
	if err := roster.Write(&buf, roster.XLSX, tbl); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]string{"A2": "=1+1", "B2": hyperlink} {
		typ, err := f.GetCellType("会员", cell)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeInlineString {
			t.Errorf("%s: cell type %v, want an inline string", cell, typ)
		}
		if formula, err := f.GetCellFormula("会员", cell); err != nil || formula != "" {
			t.Errorf("%s: formula %q (%v), want none", cell, formula, err)
		}
		if v, err := f.GetCellValue("会员", cell); err != nil || v != want {
			t.Errorf("%s: value %q (%v), want the text %q", cell, v, err, want)
		}
	}
}

// TestMembersCSVReadsBack writes a members export whose names, branches,
// tags and phones a spreadsheet would take for formulas, and imports it
// again: every row reads back exactly as it was.
func TestMembersCSVReadsBack(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	phone := func(s string) *string { return &s }
	branch := func(p string) *models.Branch { return &models.Branch{Path: p} }
	tags := func(ts ...string) []models.MemberTag {
		var out []models.MemberTag
		for _, tg := range ts {
			out = append(out, models.MemberTag{Tag: tg})
		}
		return out
	}
	ms := []models.Member{
		{Name: hyperlink, Phone: phone("+8613800138000"), Branch: branch("东城镇/新村"), Role: models.RoleMember, Lang: "zh-Hans"},
		{Name: "+Plus", Phone: phone("+12015550123"), Branch: branch("=Town/@Village"), Tags: tags("-away", "volunteer"), Role: models.RoleOrganizer},
		{Name: "-Minus", Phone: phone("+85291234567"), Role: models.RoleMember, Lang: "zh-Hant"},
		{Name: "@At", Phone: phone("+442079460958"), Tags: tags("@board"), Role: models.RoleMember, Lang: "en"},
		{Name: "'=quoted", Phone: phone("+8613900139000"), Role: models.RoleMember},
		{Name: "王芳", Phone: phone("+8613700137000"), Branch: branch("东城镇"), Tags: tags("志愿者"), Role: models.RoleMember},
	}
	for _, l := range locales.All() {
		var buf bytes.Buffer
		if err := roster.Write(&buf, roster.CSV, roster.MembersTable(cat, l, ms, nil, nil)); err != nil {
			t.Fatal(err)
		}
		for _, rec := range readCSV(t, buf.Bytes()) {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: cell %q would be a formula", l, cell)
				}
			}
		}
	}
	// roster.Parse drops the ' an export adds (roster.UnneutraliseCell on
	// each raw cell): else a name =X comes back as '=X, and '+44 20 … is no
	// phone.
	for _, l := range locales.All() {
		t.Run(string(l), func(t *testing.T) {
			var buf bytes.Buffer
			if err := roster.Write(&buf, roster.CSV, roster.MembersTable(cat, l, ms, nil, nil)); err != nil {
				t.Fatal(err)
			}
			rows, problems, err := roster.Parse(bytes.NewReader(buf.Bytes()), roster.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) > 0 {
				t.Fatalf("the export does not import: %+v\n%s", problems, buf.String())
			}
			if len(rows) != len(ms) {
				t.Fatalf("%d rows read back, want %d", len(rows), len(ms))
			}
			for i, m := range ms {
				r := rows[i]
				if r.Name != m.Name {
					t.Errorf("row %d: name %q, want %q", i, r.Name, m.Name)
				}
				if r.Phone != *m.Phone {
					t.Errorf("row %d: phone %q, want %q", i, r.Phone, *m.Phone)
				}
				if r.Branch != m.BranchPath() {
					t.Errorf("row %d: branch %q, want %q", i, r.Branch, m.BranchPath())
				}
				if !slices.Equal(r.Tags, m.TagNames()) && len(r.Tags)+len(m.Tags) > 0 {
					t.Errorf("row %d: tags %q, want %q", i, r.Tags, m.TagNames())
				}
				if r.Role != m.Role {
					t.Errorf("row %d: role %q, want %q", i, r.Role, m.Role)
				}
				if r.Lang != m.Lang {
					t.Errorf("row %d: language %q, want %q", i, r.Lang, m.Lang)
				}
			}
		})
	}
}
