package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestMigrateRefusesATargetWithAnyRow: `migrate --from --to` into a
// PostgreSQL database whose only row is one seen update (no member, branch
// or event) is refused, naming the table (exit 2), and leaves every table of
// the target as it was.
func TestMigrateRefusesATargetWithAnyRow(t *testing.T) {
	ctx := context.Background()
	pgDSN := storetest.PostgresDSN(t)
	db := filepath.Join(t.TempDir(), "old.db")
	if code, _, errOut := runCLI(t, noEnv, "", "member", "add", "--db", db, "--name", "会员", "--phone", "13800000001", "--branch", "东城镇/李家村", "--new-branch"); code != 0 {
		t.Fatalf("member add: %d %s", code, errOut)
	}
	pg, err := openStore(ctx, pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if _, err := pg.TakeUpdate(ctx, 7, time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	counts := func() map[string]int {
		out := map[string]int{}
		tables, err := storetest.Tables(ctx, pgDSN)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range tables {
			n, err := storetest.Count(ctx, pgDSN, table)
			if err != nil {
				t.Fatalf("count %s: %v", table, err)
			}
			out[table] = n
		}
		return out
	}
	before := counts()
	code, _, errOut := runCLI(t, noEnv, "", "migrate", "--from", db, "--to", pgDSN)
	if code != 2 || !strings.Contains(errOut, "not empty: it holds seen_updates (1 row); nothing was copied") {
		t.Fatalf("migrate into a target with one seen update: %d %q", code, errOut)
	}
	for table, n := range counts() {
		if n != before[table] {
			t.Errorf("%s: %d rows before the refused move, %d after", table, before[table], n)
		}
	}
}
