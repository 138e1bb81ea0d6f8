package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"gorm.io/gorm"
)

// ErrInjected is the error of a read that ReadFaults made fail.
var ErrInjected = errors.New("store: injected failure")

// ReadFaults makes chosen reads fail, so that tests see how the bot answers
// a failed query: as a fault, never as an empty list or a count of 0. Made
// by ReadFaultsForTest.
type ReadFaults struct {
	match atomic.Pointer[string]
}

// ReadFaultsForTest hooks ReadFaults into the store's reads. Call it before
// the store is shared (before a bot or dispatcher runs on it): gorm's hooks
// may not be added while queries run.
func (s *Store) ReadFaultsForTest() (*ReadFaults, error) {
	f := &ReadFaults{}
	hook := func(db *gorm.DB) {
		p := f.match.Load()
		if p == nil || db.Error != nil || !strings.Contains(db.Statement.SQL.String(), *p) {
			return
		}
		if rows, ok := db.Statement.Dest.(*sql.Rows); ok {
			rows.Close() // Row and Scan hand back open rows: the connection goes back
		}
		db.AddError(fmt.Errorf("%w: %s", ErrInjected, *p))
	}
	if err := s.db.Callback().Query().After("gorm:query").Register("assocbot:read_faults", hook); err != nil {
		return nil, err
	}
	if err := s.db.Callback().Row().After("gorm:row").Register("assocbot:read_faults", hook); err != nil {
		return nil, err
	}
	return f, nil
}

// Fail makes every read whose SQL contains sql fail, until Heal.
func (f *ReadFaults) Fail(sql string) { f.match.Store(&sql) }

// Heal ends Fail.
func (f *ReadFaults) Heal() { f.match.Store(nil) }
