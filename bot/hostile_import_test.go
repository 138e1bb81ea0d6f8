package bot_test

import (
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/roster/rostertest"
)

// TestHostileFilesByDocument: the files of the attack run, sent to the bot
// by an organizer, are each answered with what is wrong, change no row,
// hold the heap under 150 MB for the wide XLSX and 200 MB for the rest
// (under the soft memory limit `assocbot run` sets), and the next member's
// /help is answered.
func TestHostileFilesByDocument(t *testing.T) {
	d := newDesk(t)
	h := d.h
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(192 << 20))
	rows := map[string]string{"members": "SELECT id, name, phone, branch_id, role FROM members ORDER BY id", "branches": "SELECT id, path FROM branches ORDER BY id"}
	before := dump(t, h, rows)
	wide, err := rostertest.WideXLSX(20000)
	if err != nil {
		t.Fatal(err)
	}
	bomb, err := rostertest.BombXLSX(200 << 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"wide xlsx", "members.xlsx", wide, h.T(locales.En, "import.problem.too_many_columns", "Line", 2, "Value", "XFD")},
		{"xlsx unzipping to 200 MB", "members.xlsx", bomb, h.T(locales.En, "import.problem.xlsx_too_large", "Value", "128")},
		{"19 MB of lines", "members.csv", rostertest.LinesCSV(19 << 20), h.T(locales.En, "import.problem.too_many_problems", "Value", 1000, "Line", 1002)},
		{"binary junk", "members.csv", rostertest.JunkFile(64 << 10), h.T(locales.En, "import.problem.not_a_table")},
		{"UTF-8 and GBK", "members.csv", rostertest.MixedCSV(), h.T(locales.En, "import.problem.mixed_encoding", "Line", 3)},
	} {
		t.Run(f.name, func(t *testing.T) {
			n := len(h.API.Messages(d.orgA.ID))
			peak := rostertest.PeakHeap(func() {
				h.API.SendDocument(d.orgA, f.file, f.data, "")
				h.Nth(d.orgA.ID, n+1)
			})
			got := h.Nth(d.orgA.ID, n+1)
			text := got.Text
			if got.Document != nil {
				// A long report: the whole as a file, then its head.
				text = string(got.Document.Data)
				got = h.Nth(d.orgA.ID, n+2)
			}
			if !strings.Contains(text, f.want) || len(got.Inline) != 0 {
				t.Fatalf("answer %q, want it to say %q and offer no import", text[:min(len(text), 300)], f.want)
			}
			t.Logf("%s (%d KB): peak heap %.1f MB", f.name, len(f.data)>>10, float64(peak)/(1<<20))
			// The bars: the wide XLSX under 150 MB, the rest under 200.
			bound := uint64(200 << 20)
			if f.name == "wide xlsx" {
				bound = 150 << 20
			}
			if peak > bound {
				t.Errorf("peak heap %.0f MB, want under %d", float64(peak)/(1<<20), bound>>20)
			}
			m := len(h.API.Messages(d.e1.ID))
			if got := h.Say(d.e1, "/help"); got.Text == "" || len(h.API.Messages(d.e1.ID)) <= m {
				t.Fatalf("the next member's /help went unanswered")
			}
		})
	}
	if after := dump(t, h, rows); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused files changed rows:\n%v", after)
	}
}
