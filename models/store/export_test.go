package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// CopyTables lists the tables CopyTo copies, in order.
func CopyTables() []string { return append([]string(nil), copyOrder...) }

// ExecForTest runs raw SQL; tests use it to set up states the API refuses to
// create (a schema from the future, a row past its time).
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	return s.db.WithContext(ctx).Exec(sql, args...).Error
}

// Column is one column of a table, as SchemaForTest describes it.
type Column struct {
	Name    string
	Type    string // int, text, time or bool, whatever the dialect calls it
	NotNull bool
	PK      bool
}

// Index is one index of a table.
type Index struct {
	Name    string
	Columns string // comma-separated, in order
	Unique  bool
}

// Table is a table's columns (by name) and indexes (by name).
type Table struct {
	Columns []Column
	Indexes []Index
}

// SchemaForTest describes the database's tables (goose's own left out) in
// terms both dialects share, so that tests compare a migrated database with
// a fresh one, and SQLite with PostgreSQL.
func (s *Store) SchemaForTest(ctx context.Context) (map[string]Table, error) {
	db := s.db.WithContext(ctx)
	var tables []string
	if s.dialect == "postgres" {
		if err := db.Raw(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`).Scan(&tables).Error; err != nil {
			return nil, err
		}
	} else if err := db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).Scan(&tables).Error; err != nil {
		return nil, err
	}
	out := map[string]Table{}
	for _, t := range tables {
		if t == versionTable {
			continue
		}
		var tab Table
		var err error
		if s.dialect == "postgres" {
			tab, err = pgTable(db, t)
		} else {
			tab, err = sqliteTable(db, t)
		}
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		sort.Slice(tab.Columns, func(i, j int) bool { return tab.Columns[i].Name < tab.Columns[j].Name })
		sort.Slice(tab.Indexes, func(i, j int) bool { return tab.Indexes[i].Name < tab.Indexes[j].Name })
		out[t] = tab
	}
	return out, nil
}

func typeClass(t string) string {
	t = strings.ToLower(t)
	switch {
	case strings.Contains(t, "int"):
		return "int"
	case strings.Contains(t, "char"), strings.Contains(t, "text"):
		return "text"
	case strings.Contains(t, "time"), strings.Contains(t, "date"):
		return "time"
	case strings.Contains(t, "bool"), strings.Contains(t, "numeric"):
		return "bool"
	}
	return t
}

func sqliteTable(db *gorm.DB, t string) (Table, error) {
	var tab Table
	var cols []struct {
		Name    string
		Type    string
		NotNull int `gorm:"column:notnull"`
		PK      int `gorm:"column:pk"`
	}
	if err := db.Raw("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", t).Scan(&cols).Error; err != nil {
		return tab, err
	}
	for _, c := range cols {
		tab.Columns = append(tab.Columns, Column{Name: c.Name, Type: typeClass(c.Type), NotNull: c.NotNull == 1 || c.PK > 0, PK: c.PK > 0})
	}
	var idx []struct {
		Name   string
		Unique int `gorm:"column:unique"`
		Origin string
	}
	if err := db.Raw("SELECT name, \"unique\", origin FROM pragma_index_list(?)", t).Scan(&idx).Error; err != nil {
		return tab, err
	}
	for _, i := range idx {
		if i.Origin == "pk" {
			continue
		}
		var names []string
		if err := db.Raw("SELECT name FROM pragma_index_info(?) ORDER BY seqno", i.Name).Scan(&names).Error; err != nil {
			return tab, err
		}
		tab.Indexes = append(tab.Indexes, Index{Name: i.Name, Columns: strings.Join(names, ","), Unique: i.Unique == 1})
	}
	return tab, nil
}

func pgTable(db *gorm.DB, t string) (Table, error) {
	var tab Table
	var cols []struct {
		Name     string `gorm:"column:column_name"`
		Type     string `gorm:"column:data_type"`
		Nullable string `gorm:"column:is_nullable"`
	}
	if err := db.Raw(`SELECT column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ?`, t).Scan(&cols).Error; err != nil {
		return tab, err
	}
	var pk []string
	if err := db.Raw(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = (current_schema() || '.' || ?)::regclass AND i.indisprimary`, t).Scan(&pk).Error; err != nil {
		return tab, err
	}
	for _, c := range cols {
		isPK := slices.Contains(pk, c.Name)
		tab.Columns = append(tab.Columns, Column{Name: c.Name, Type: typeClass(c.Type), NotNull: c.Nullable == "NO", PK: isPK})
	}
	var idx []struct {
		Name   string
		Unique bool
		Cols   string
	}
	if err := db.Raw(`SELECT c.relname AS name, i.indisunique AS unique,
		(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
		 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS cols
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = (current_schema() || '.' || ?)::regclass AND NOT i.indisprimary`, t).Scan(&idx).Error; err != nil {
		return tab, err
	}
	for _, i := range idx {
		tab.Indexes = append(tab.Indexes, Index{Name: i.Name, Columns: i.Cols, Unique: i.Unique})
	}
	return tab, nil
}

// CountForTest counts a table's rows.
func (s *Store) CountForTest(ctx context.Context, table string) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Table(table).Count(&n).Error
	return int(n), err
}

// LegacyVersionForTest is the highest version in the table where releases
// before goose read the schema version.
func (s *Store) LegacyVersionForTest(ctx context.Context) (int, error) {
	return s.legacyVersion(ctx)
}

// DumpForTest runs a query and renders its rows, so that a test can compare
// a table before and after (a refused input must change no row).
func (s *Store) DumpForTest(ctx context.Context, query string) (string, error) {
	var rows []map[string]any
	if err := s.db.WithContext(ctx).Raw(query).Scan(&rows).Error; err != nil {
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

// RowsForTest renders every row of a table, each value normalized the way
// the copy compares them (booleans as 0/1, times in UTC to the
// microsecond), columns by name, rows sorted: the same data in SQLite and
// PostgreSQL renders the same.
func (s *Store) RowsForTest(ctx context.Context, table string) ([]string, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	rows, err := normalizedRows(ctx, db, "SELECT * FROM "+table)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rows))
	for _, row := range rows {
		fields := make([]string, 0, len(row))
		for c, v := range row {
			fields = append(fields, c+"="+v)
		}
		sort.Strings(fields)
		out = append(out, strings.Join(fields, " "))
	}
	sort.Strings(out)
	return out, nil
}
