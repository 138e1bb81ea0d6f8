package roster_test

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/roster/rostertest"
)

// hostile is each file the attack run sent, what the reader must answer,
// and the limits it is read under (the defaults unless raised, to show
// that the other limits hold on their own too).
func hostileFiles(t testing.TB, long bool) []struct {
	name   string
	file   []byte
	lim    roster.Limits
	reason roster.Reason
} {
	wide, err := rostertest.WideXLSX(20000)
	if err != nil {
		t.Fatal(err)
	}
	bomb, err := rostertest.BombXLSX(200 << 20)
	if err != nil {
		t.Fatal(err)
	}
	raised := roster.DefaultLimits()
	raised.MaxBytes = 64 << 20
	lines, commas := rostertest.LinesCSV(50<<20), rostertest.CommasCSV(50<<20)
	files := []struct {
		name   string
		file   []byte
		lim    roster.Limits
		reason roster.Reason
	}{
		{"wide xlsx (XFD on 20,000 rows)", wide, roster.DefaultLimits(), roster.TooManyColumns},
		{"xlsx unzipping to 200 MB", bomb, roster.DefaultLimits(), roster.XLSXTooLarge},
		{"50 MB of lines", lines, roster.DefaultLimits(), roster.FileTooBig},
		{"50 MB of lines, size limit raised", lines, raised, roster.TooManyProblems},
		{"50 MB of commas", commas, roster.DefaultLimits(), roster.FileTooBig},
		{"50 MB of commas, size limit raised", commas, raised, roster.LineTooLong},
		{"binary junk", rostertest.JunkFile(1 << 20), roster.DefaultLimits(), roster.NotATable},
	}
	if long {
		// 200,000 good rows read before the 200,001st refuses the file:
		// the most a file within the limits makes the reader hold.
		under, err := rostertest.LongXLSX(120 << 20)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, struct {
			name   string
			file   []byte
			lim    roster.Limits
			reason roster.Reason
		}{"xlsx unzipping to 120 MB, 1.1 million good rows", under, roster.DefaultLimits(), roster.TooLarge})
	}
	return files
}

// TestHostileFilesRefusedInBoundedMemory: every file of the attack run is
// refused with its own reason, and reading it holds less than 150 MB of
// heap (the wide XLSX) or 200 MB (the rest) at any moment, under the soft
// memory limit the binary runs with (cmd/assocbot's importMemoryLimit).
func TestHostileFilesRefusedInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("makes files of 50 MB and more")
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(140 << 20))
	for _, h := range hostileFiles(t, false) {
		t.Run(h.name, func(t *testing.T) {
			var (
				rows     []roster.Row
				problems []roster.Problem
				err      error
			)
			peak := rostertest.PeakHeap(func() { rows, problems, err = roster.Parse(bytes.NewReader(h.file), h.lim) })
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 0 || len(problems) == 0 || problems[len(problems)-1].Reason != h.reason {
				t.Fatalf("rows %d, %d problems, the first %+v; want %s last", len(rows), len(problems), problems[:min(len(problems), 3)], h.reason)
			}
			t.Logf("%s: %d KB file, peak heap %.1f MB", h.name, len(h.file)>>10, float64(peak)/(1<<20))
			// The bars: the wide XLSX under 150 MB, the rest under 200.
			bound := uint64(200 << 20)
			if h.reason == roster.TooManyColumns {
				bound = 150 << 20
			}
			if peak > bound {
				t.Errorf("peak heap %.0f MB, want under %d MB", float64(peak)/(1<<20), bound>>20)
			}
		})
	}
}

// BenchmarkParseHostile reads each hostile file and reports its peak heap.
func BenchmarkParseHostile(b *testing.B) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(140 << 20))
	for _, h := range hostileFiles(b, true) {
		b.Run(h.name, func(b *testing.B) {
			var peak uint64
			for i := 0; i < b.N; i++ {
				peak = max(peak, rostertest.PeakHeap(func() { roster.Parse(bytes.NewReader(h.file), h.lim) }))
			}
			b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
		})
	}
}

func TestBadFilesNamed(t *testing.T) {
	for _, c := range []struct {
		name   string
		file   []byte
		reason roster.Reason
		line   int
	}{
		{"binary junk", rostertest.JunkFile(4096), roster.NotATable, 0},
		{"an old .xls (OLE)", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), roster.NotATable, 0},
		{"a zip that is not XLSX", []byte("PK\x03\x04garbage"), roster.NotATable, 0},
		{"UTF-8 then GBK", rostertest.MixedCSV(), roster.MixedEncoding, 3},
		{"a CSV line of 100 KB", append([]byte("name,phone\n"), bytes.Repeat([]byte("x"), 100<<10)...), roster.LineTooLong, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, problems, err := roster.Parse(bytes.NewReader(c.file), roster.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 0 || len(problems) != 1 || problems[0].Reason != c.reason || problems[0].Line != c.line {
				t.Fatalf("got %d rows, %+v; want %s at line %d", len(rows), problems, c.reason, c.line)
			}
		})
	}
}

func TestGBKFileStillRead(t *testing.T) {
	gbk := []byte("name,phone\n")
	gbk = append(gbk, 0xc0, 0xee, 0xcb, 0xc4)
	gbk = append(gbk, []byte(",13800000002\n")...)
	rows, problems, err := roster.Parse(bytes.NewReader(gbk), roster.DefaultLimits())
	if err != nil || len(problems) != 0 || len(rows) != 1 || rows[0].Name != "李四" {
		t.Fatalf("%+v %+v %v", rows, problems, err)
	}
}

func TestLimitsHold(t *testing.T) {
	lim := roster.DefaultLimits()
	lim.MaxRows, lim.MaxCell = 3, 11
	var b strings.Builder
	b.WriteString("name,phone\n")
	for i := 0; i < 4; i++ {
		b.WriteString("王芳,1380000000" + string(rune('1'+i)) + "\n")
	}
	if _, problems, _ := roster.Parse(strings.NewReader(b.String()), lim); len(problems) != 1 || problems[0].Reason != roster.TooLarge {
		t.Errorf("4 rows over a limit of 3: %+v", problems)
	}
	_, problems, _ := roster.Parse(strings.NewReader("name,phone\n"+strings.Repeat("长", 12)+",13800000001\n"), lim)
	if len(problems) != 1 || problems[0].Reason != roster.CellTooLong || problems[0].Line != 2 {
		t.Errorf("a name of 12 characters over a limit of 11: %+v", problems)
	}
	lim = roster.DefaultLimits()
	lim.MaxBytes = 100
	if _, problems, _ := roster.Parse(strings.NewReader(strings.Repeat("x", 101)), lim); len(problems) != 1 || problems[0].Reason != roster.FileTooBig {
		t.Errorf("101 bytes over a limit of 100: %+v", problems)
	}
	if _, problems, _ := roster.Parse(strings.NewReader("name,phone\n王\x00芳,13800000001\n张\x1b[31m三,13800000002\n"), roster.DefaultLimits()); len(problems) != 2 ||
		problems[0].Reason != roster.BadText || problems[1].Reason != roster.BadText {
		t.Errorf("NUL and ESC in names: %+v", problems)
	}
}

// FuzzParse: no file makes the reader panic, return more than its limits
// allow, or allocate without bound.
func FuzzParse(f *testing.F) {
	f.Add([]byte("name,phone,branch\n王芳,13800000001,东城镇/李家村\n"))
	f.Add([]byte("姓名;手机\n李四;13800000002\n"))
	f.Add(rostertest.MixedCSV())
	if wide, err := rostertest.WideXLSX(3); err == nil {
		f.Add(wide)
	}
	lim := roster.Limits{MaxBytes: 1 << 20, MaxRows: 50, MaxColumns: 16, MaxCell: 100}
	f.Fuzz(func(t *testing.T, file []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows, _, _ := roster.Parse(bytes.NewReader(file), lim)
		runtime.ReadMemStats(&after)
		if len(rows) > lim.MaxRows {
			t.Fatalf("%d rows over the limit of %d", len(rows), lim.MaxRows)
		}
		for _, r := range rows {
			if len([]rune(r.Name)) > lim.MaxCell {
				t.Fatalf("a name of %d characters", len([]rune(r.Name)))
			}
		}
		// Everything allocated, garbage included: no file makes the reader
		// allocate much more than a bounded multiple of the limits.
		if n := after.TotalAlloc - before.TotalAlloc; n > 256<<20 {
			t.Fatalf("%d MB allocated for a file of %d bytes", n>>20, len(file))
		}
	})
}
