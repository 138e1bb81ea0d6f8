// Package storetest gives tests a fresh, migrated database: SQLite in a temp
// dir always, and PostgreSQL when ASSOCBOT_TEST_PG holds a URL, each test in
// a schema of its own.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for creating schemas

	"github.com/assocbot/assocbot/models/store"
)

// PGEnv names the variable holding the test PostgreSQL URL.
const PGEnv = "ASSOCBOT_TEST_PG"

// New returns a migrated SQLite store in t.TempDir() and its DSN.
func New(t testing.TB) (*store.Store, string) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "test.db")
	return open(t, dsn), dsn
}

// NewPostgres returns a migrated store in a fresh PostgreSQL schema, or skips
// the test (saying why) when ASSOCBOT_TEST_PG is not set.
func NewPostgres(t testing.TB) (*store.Store, string) {
	t.Helper()
	dsn := PostgresDSN(t)
	return open(t, dsn), dsn
}

// PostgresDSN makes a fresh, empty PostgreSQL schema for the test and
// returns a DSN that uses it, or skips the test when ASSOCBOT_TEST_PG is not
// set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PGEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://… to run them", PGEnv)
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	schema := "assocbot_test_" + hex.EncodeToString(buf)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", PGEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Unmigrated opens dsn without migrating (tests of migrations).
func Unmigrated(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// EachDSN runs f with a fresh, empty database's DSN on SQLite and, when
// configured, on PostgreSQL, as subtests.
func EachDSN(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "test.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, PostgresDSN(t)) })
}

// Each runs f on SQLite and, when configured, on PostgreSQL, as subtests.
func Each(t *testing.T, f func(t *testing.T, st *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, _ := New(t)
		f(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		st, _ := NewPostgres(t)
		f(t, st)
	})
}

// Open opens and migrates the database at dsn, closed at the test's end.
func Open(t testing.TB, dsn string) *store.Store { t.Helper(); return open(t, dsn) }

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return st
}
