package store

import "context"

// ExecForTest runs raw SQL; tests use it to set up states the API refuses to
// create (a schema from the future, a row past its time).
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	return s.db.WithContext(ctx).Exec(sql, args...).Error
}
