package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// buildAssocbot builds the binary as users run it, into the test's
// directory.
func buildAssocbot(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "assocbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}
