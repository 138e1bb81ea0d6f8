package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/assocbot/assocbot/models/store"
)

// A test's own SQL, on a connection of its own to the database at dsn
// (the store's *gorm.DB never leaves the store): what the store's API
// refuses to do (a schema from the future, a row past its time, a trigger
// that fails a delete), and what a test reads to see that nothing changed.

// withDB opens dsn, runs f and closes the connection.
func withDB(ctx context.Context, dsn string, f func(db *gorm.DB) error) error {
	var d gorm.Dialector
	if store.IsPostgres(dsn) {
		d = postgres.Open(dsn)
	} else {
		d = sqlite.Open(store.SQLiteDSN(dsn))
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return fmt.Errorf("storetest: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	return f(db.WithContext(ctx))
}

// Exec runs a statement on the database at dsn.
func Exec(ctx context.Context, dsn, query string, args ...any) error {
	return withDB(ctx, dsn, func(db *gorm.DB) error { return db.Exec(query, args...).Error })
}

// Count counts a table's rows.
func Count(ctx context.Context, dsn, table string) (int, error) {
	var n int64
	err := withDB(ctx, dsn, func(db *gorm.DB) error { return db.Table(table).Count(&n).Error })
	return int(n), err
}

// Dump runs a query and renders its rows (columns by name, "col=value "
// each, a line a row), so that a test can compare a table before and
// after: a refused input must change no row.
func Dump(ctx context.Context, dsn, query string) (string, error) {
	var rows []map[string]any
	if err := withDB(ctx, dsn, func(db *gorm.DB) error { return db.Raw(query).Scan(&rows).Error }); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range rows {
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := r[k]
			if p, ok := v.(*any); ok && p != nil {
				v = *p
			}
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			fmt.Fprintf(&b, "%s=%v ", k, v)
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

// Tables lists the database's tables, goose's own and SQLite's left out,
// in order of name.
func Tables(ctx context.Context, dsn string) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`
	if store.IsPostgres(dsn) {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'goose_db_version' ORDER BY tablename`
	}
	var out []string
	err := withDB(ctx, dsn, func(db *gorm.DB) error { return db.Raw(q).Scan(&out).Error })
	return out, err
}
