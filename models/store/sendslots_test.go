package store_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/budget/budgettest"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestSharedSlots: the PostgreSQL slots replicas share pass the suite
// every Slots passes, each replica a store of its own on one database, on
// the real clock (the database's).
func TestSharedSlots(t *testing.T) {
	budgettest.Run(t, func(t *testing.T, n, rate int, gap, stale time.Duration) []budget.Slots {
		dsn := storetest.PostgresDSN(t)
		slots := make([]budget.Slots, n)
		for i := range slots {
			st := storetest.Open(t, dsn)
			s, err := st.SharedSlots(ctx, rate, gap, stale)
			if err != nil {
				t.Fatal(err)
			}
			slots[i] = s
		}
		return slots
	}, func(t *testing.T, f func(*testing.T)) { f(t) })
}
