package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// testSymbol matches what only tests may link: the packages only tests
// import, helpers named for tests, and the hooks tests reach through
// export_test.go files. bot/fakeapi is not among them: it is the demo's
// Telegram (`assocbot demo` runs it in the process), and tests use it too.
var testSymbol = regexp.MustCompile(`github\.com/assocbot/assocbot/(models/store/storetest|bot/bottest|models/roster/rostertest)\.` +
	`|github\.com/assocbot/assocbot/\S*ForTest\b` +
	`|github\.com/assocbot/assocbot/bot\.\(\*Bot\)\.(HandleUpdate|ProcessUpdate)$` +
	`|github\.com/assocbot/assocbot/models/store\.CopyTables$` +
	`|github\.com/assocbot/assocbot/scheduler\.Entry\.Due$`)

// testSymbols lists the symbols of `go tool nm` output that are test code.
func testSymbols(nm []byte) []string {
	var found []string
	sc := bufio.NewScanner(bytes.NewReader(nm))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		if name := strings.Join(fields[2:], " "); testSymbol.MatchString(name) {
			found = append(found, name)
		}
	}
	slices.Sort(found)
	return slices.Compact(found)
}

// TestTheBinaryLinksNoTestCode: the built binary holds none of the helpers
// that exist for tests (they live in packages only tests import, or in
// export_test.go files).
func TestTheBinaryLinksNoTestCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildAssocbot(t)
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	if found := testSymbols(out); len(found) > 0 {
		t.Fatalf("the binary links test code: %v", found)
	}
	if !strings.Contains(string(out), "github.com/assocbot/assocbot/models/store.Open") {
		t.Fatal("nm found none of assocbot's own symbols: the check would see nothing")
	}
}

// TestTestSymbolsFindsThem: the check sees a test helper when one is
// linked (lines as `go tool nm` writes them).
func TestTestSymbolsFindsThem(t *testing.T) {
	nm := []byte(`  4a1b20 T github.com/assocbot/assocbot/models/store.(*Store).ExecForTest
  4a1c00 T github.com/assocbot/assocbot/models/store/storetest.New
  4a1d00 T github.com/assocbot/assocbot/bot.(*Bot).HandleUpdate
  4a1e00 T github.com/assocbot/assocbot/models/store.Open
  4a1f00 T github.com/assocbot/assocbot/bot/fakeapi.New
  4a2000 d net/http.http2got1xxFuncForTests
`)
	want := []string{
		"github.com/assocbot/assocbot/bot.(*Bot).HandleUpdate",
		"github.com/assocbot/assocbot/models/store.(*Store).ExecForTest",
		"github.com/assocbot/assocbot/models/store/storetest.New",
	}
	if got := testSymbols(nm); !slices.Equal(got, want) {
		t.Fatalf("found %v, want %v", got, want)
	}
}
