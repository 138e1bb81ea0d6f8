package models_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestModelsDoNoIO: models/ holds entities and pure rules; only the store
// reads and writes. No other package under models/ imports what I/O is
// done with (a database, files, the network) or takes a context to do it
// in — except the budget, whose waits take one (its shared slots are the
// store's). A report that wants a figure asks the store for it, and
// renders what it gets.
func TestModelsDoNoIO(t *testing.T) {
	banned := []string{"context", "os", "net", "net/http", "database/sql", "gorm.io/gorm", "io/ioutil"}
	allowed := map[string][]string{"budget": {"context"}}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == "store" || strings.HasPrefix(path, "store/") || strings.HasSuffix(path, "test")) {
			return filepath.SkipDir // the store, and helpers only tests import
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		pkg := filepath.Dir(path)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if p != b {
					continue
				}
				ok := false
				for _, a := range allowed[pkg] {
					ok = ok || a == p
				}
				if !ok {
					t.Errorf("models/%s imports %q: only the store does I/O", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked %d files: the walk is not where this test thinks", checked)
	}
}
