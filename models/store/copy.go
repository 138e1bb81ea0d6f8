package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// copyOrder is every table of the schema, parents before the rows that
// refer to them (a test checks the list against the schema).
var copyOrder = []string{
	"branches", "members", "member_tags", "organizer_scopes", "invites", "visitors", "join_requests",
	"events", "rsvps", "notices", "broadcasts", "outboxes", "dialogs",
	"plan_kinds", "plans", "check_records", "activity_records", "seen_updates",
	"sms_templates", "sms_months", "sms_callbacks", "sms_reports",
	"surveys", "survey_questions", "survey_takers", "survey_answers", "survey_comments",
	"families", "visits", "figure_values",
	"inquiries", "faqs",
}

// NotCopiedTables hold nothing worth moving: the schema's versions, and the
// send budget's state (seconds long, rebuilt by the first replica).
func NotCopiedTables() []string {
	return []string{versionTable, legacyTable, "send_slots", "send_chats", "send_pause"}
}

// ErrTargetNotEmpty refuses to copy into a database that holds rows already
// (a TargetNotEmptyError names the tables).
var ErrTargetNotEmpty = errors.New("store: the target database is not empty")

// TargetNotEmptyError is the refusal to copy into a database whose copied
// tables hold rows; it is ErrTargetNotEmpty.
type TargetNotEmptyError struct {
	Tables []string       // the tables holding rows, in copy order
	Rows   map[string]int // how many each holds
}

func (e *TargetNotEmptyError) Error() string {
	return fmt.Sprintf("%v: %s", ErrTargetNotEmpty, e.Held())
}

// Held lists the tables that hold rows and how many, as "seen_updates
// (1 row), members (3 rows)".
func (e *TargetNotEmptyError) Held() string {
	parts := make([]string, len(e.Tables))
	for i, t := range e.Tables {
		unit := "rows"
		if e.Rows[t] == 1 {
			unit = "row"
		}
		parts[i] = fmt.Sprintf("%s (%d %s)", t, e.Rows[t], unit)
	}
	return strings.Join(parts, ", ")
}

func (e *TargetNotEmptyError) Is(target error) bool { return target == ErrTargetNotEmpty }

// CopyReport is what CopyTo copied, by table, and what it compared.
type CopyReport struct {
	Rows    map[string]int
	Sampled int // rows compared value by value at the end
}

// ErrNULByte refuses a copy of a text holding a NUL byte, which
// PostgreSQL cannot store.
var ErrNULByte = errors.New("store: a text holds a NUL byte, which PostgreSQL cannot store")

// hasNUL reports whether a value to copy is text with a NUL byte.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case []byte:
		return bytes.IndexByte(v, 0) >= 0
	}
	return false
}

// copyBatch is how many rows one INSERT takes.
const copyBatch = 200

// CopyTo copies every row of s (a SQLite database, migrated to the latest
// version) into to (a PostgreSQL one, migrated and empty but for the seeded
// kinds of plan), keeping ids, in one transaction that also checks the
// target is empty, moves its id sequences past the copied ids, and compares
// the two: row counts of every table, and the first and last rows of each
// value by value. All or nothing: a target holding rows in any copied table
// is refused (TargetNotEmptyError), and on any error, a difference found by
// the comparison included, the transaction is rolled back and the target is
// left as it was.
func (s *Store) CopyTo(ctx context.Context, to *Store, progress func(table string, rows int)) (*CopyReport, error) {
	if s.dialect != "sqlite" || to.dialect != "postgres" {
		return nil, errors.New("store: copy goes from SQLite to PostgreSQL")
	}
	src, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	dst, err := to.db.DB()
	if err != nil {
		return nil, err
	}
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	defer tx.Rollback()
	if err := checkEmpty(ctx, tx); err != nil {
		return nil, err
	}
	rep := &CopyReport{Rows: map[string]int{}}
	// The seeded kinds are copied with the rest (an admin may have added
	// or changed some).
	if _, err := tx.ExecContext(ctx, "DELETE FROM plan_kinds"); err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	for _, table := range copyOrder {
		types, err := columnTypes(ctx, tx, table)
		if err != nil {
			return nil, err
		}
		count, err := copyTable(ctx, src, tx, table, types)
		if err != nil {
			return nil, fmt.Errorf("store: copy %s: %w", table, err)
		}
		rep.Rows[table] = count
		if progress != nil {
			progress(table, count)
		}
		if _, ok := types["id"]; ok {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(
				"SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 1), (SELECT MAX(id) FROM %s) IS NOT NULL)",
				table, table, table)); err != nil {
				return nil, fmt.Errorf("store: copy %s: sequence: %w", table, err)
			}
		}
	}
	// Compared before the commit, so that a difference (the source written
	// to during the copy) leaves nothing behind.
	for _, table := range copyOrder {
		var a, b int
		if err := src.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&a); err != nil {
			return nil, fmt.Errorf("store: copy %s: count: %w", table, err)
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&b); err != nil {
			return nil, fmt.Errorf("store: copy %s: count: %w", table, err)
		}
		if a != b {
			return nil, fmt.Errorf("store: copy %s: the source has %d rows, %d copied (was it written to during the copy?)", table, a, b)
		}
		sampled, err := compareEnds(ctx, src, tx, table)
		if err != nil {
			return nil, err
		}
		rep.Sampled += sampled
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	return rep, nil
}

// checkEmpty locks every copied table of the target against writers until
// the copy commits or rolls back, then refuses when any of them (but the
// seeded kinds of plan, which the copy replaces) holds a row: what the
// check saw stays true until the end.
func checkEmpty(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "LOCK TABLE "+strings.Join(copyOrder, ", ")+" IN EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("store: copy: lock the target's tables: %w", err)
	}
	full := &TargetNotEmptyError{Rows: map[string]int{}}
	for _, table := range copyOrder {
		if table == "plan_kinds" {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			return fmt.Errorf("store: copy: %s of the target: %w", table, err)
		}
		if n > 0 {
			full.Tables = append(full.Tables, table)
			full.Rows[table] = n
		}
	}
	if len(full.Tables) > 0 {
		return full
	}
	return nil
}

// querier is a database or a transaction, to read from.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// columnTypes are the target table's columns and their types.
func columnTypes(ctx context.Context, tx *sql.Tx, table string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		out[name] = typ
	}
	return out, rows.Err()
}

// copyTable copies one table's rows, in batches, converting what SQLite
// stores differently (booleans as numbers).
func copyTable(ctx context.Context, src *sql.DB, tx *sql.Tx, table string, types map[string]string) (int, error) {
	rows, err := src.QueryContext(ctx, "SELECT * FROM "+table+" ORDER BY 1")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	for _, c := range cols {
		if _, ok := types[c]; !ok {
			return 0, fmt.Errorf("column %s is not in the target", c)
		}
	}
	n := 0
	var batch [][]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		var args []any
		for i, r := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for j := range r {
				if j > 0 {
					sb.WriteString(", ")
				}
				args = append(args, r[j])
				fmt.Fprintf(&sb, "$%d", len(args))
			}
			sb.WriteString(")")
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		vals, err := scanValues(rows, len(cols))
		if err != nil {
			return n, err
		}
		for i, c := range cols {
			vals[i] = convert(vals[i], types[c])
			if hasNUL(vals[i]) {
				// SQLite kept it (from before names were checked);
				// PostgreSQL refuses it with no word of where.
				return n, fmt.Errorf("%w: %s row %v, column %s: change the value first (a name: assocbot member edit)", ErrNULByte, table, vals[0], c)
			}
		}
		batch = append(batch, vals)
		n++
		if len(batch) == copyBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// convert maps a SQLite value to what the PostgreSQL column takes.
func convert(v any, typ string) any {
	switch x := v.(type) {
	case int64:
		if typ == "boolean" {
			return x != 0
		}
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC()
	case string:
		if strings.HasPrefix(typ, "timestamp") {
			// A time SQLite kept as text.
			for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05", time.RFC3339Nano} {
				if t, err := time.Parse(layout, x); err == nil {
					return t.UTC()
				}
			}
		}
	}
	return v
}

// compareEnds compares the first and the last row of a table in both
// databases, value by value; it returns how many rows it compared.
func compareEnds(ctx context.Context, src, dst querier, table string) (int, error) {
	compared := 0
	var hasID int
	if err := dst.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'", table).Scan(&hasID); err != nil {
		return 0, err
	}
	if hasID == 0 {
		return 0, nil // no single key to find the same row by: counts only
	}
	for _, order := range []string{"ASC", "DESC"} {
		a, err := oneRow(ctx, src, table, order)
		if err != nil {
			return compared, err
		}
		b, err := oneRow(ctx, dst, table, order)
		if err != nil {
			return compared, err
		}
		if len(a) == 0 && len(b) == 0 {
			continue
		}
		for k, va := range a {
			if va != b[k] {
				return compared, fmt.Errorf("store: copy %s: %s is %q, copied %q", table, k, va, b[k])
			}
		}
		compared++
	}
	return compared, nil
}

// oneRow renders the first row of a table in an order (empty when it has
// none).
func oneRow(ctx context.Context, db querier, table, order string) (map[string]string, error) {
	rows, err := normalizedRows(ctx, db, fmt.Sprintf("SELECT * FROM %s ORDER BY id %s LIMIT 1", table, order))
	if err != nil || len(rows) == 0 {
		return map[string]string{}, err
	}
	return rows[0], nil
}

// normalizedRows runs a query and renders each row by column, its values
// normalized (booleans as 0/1, times in UTC to the microsecond), so that
// the same data reads the same from SQLite and PostgreSQL.
func normalizedRows(ctx context.Context, db querier, query string) ([]map[string]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for rows.Next() {
		vals, err := scanValues(rows, len(cols))
		if err != nil {
			return nil, err
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			row[c] = normalize(vals[i])
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// scanValues reads the current row's n columns as the driver gives them.
func scanValues(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, rows.Scan(ptrs...)
}

func normalize(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
			}
		}
		return x
	}
	return fmt.Sprint(v)
}
