package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/assocbot/assocbot/models/store"
)

// ErrInjected is the error of a read that ReadFaults made fail.
var ErrInjected = errors.New("storetest: injected failure")

// ReadFaults makes chosen reads fail, so that tests see how the bot answers
// a failed query: as a fault, never as an empty list or a count of 0.
type ReadFaults struct {
	match atomic.Pointer[string]
}

// HookReadFaults hooks ReadFaults into st's reads. Call it before the
// store is shared (before a bot or dispatcher runs on it).
func HookReadFaults(st *store.Store) (*ReadFaults, error) {
	f := &ReadFaults{}
	err := st.HookReads(func(sql string) error {
		if p := f.match.Load(); p != nil && strings.Contains(sql, *p) {
			return fmt.Errorf("%w: %s", ErrInjected, *p)
		}
		return nil
	})
	return f, err
}

// Fail makes every read whose SQL contains sql fail, until Heal.
func (f *ReadFaults) Fail(sql string) { f.match.Store(&sql) }

// Heal ends Fail.
func (f *ReadFaults) Heal() { f.match.Store(nil) }
