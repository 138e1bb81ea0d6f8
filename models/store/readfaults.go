package store

import (
	"database/sql"

	"gorm.io/gorm"
)

// HookReads has check see the SQL of every read before its rows are used;
// an error from it fails the read (a fault injected by a test, a query
// refused by an operator's policy). Call it before the store is shared
// (before a bot or dispatcher runs on it): gorm's hooks may not be added
// while queries run.
func (s *Store) HookReads(check func(sql string) error) error {
	hook := func(db *gorm.DB) {
		if db.Error != nil {
			return
		}
		if err := check(db.Statement.SQL.String()); err != nil {
			if rows, ok := db.Statement.Dest.(*sql.Rows); ok {
				rows.Close() // Row and Scan hand back open rows: the connection goes back
			}
			db.AddError(err)
		}
	}
	if err := s.db.Callback().Query().After("gorm:query").Register("assocbot:hook_reads", hook); err != nil {
		return err
	}
	return s.db.Callback().Row().After("gorm:row").Register("assocbot:hook_reads", hook)
}
