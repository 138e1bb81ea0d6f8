package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestBroadcastAndRejectionKeepTheTextRule: the store refuses a notice or a
// check's rejection reason that models.ValidText refuses, whoever calls
// it, and writes nothing.
func TestBroadcastAndRejectionKeepTheTextRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		org := mustAdd(t, st, store.NewMember{Name: "Org", Phone: "13900000001", Branch: "Town", Role: models.RoleOrganizer})
		mustAdd(t, st, store.NewMember{Name: "M", Phone: "13800000001", Branch: "Town"})
		_, err := st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &org.ID, Audience: models.Everyone(),
			Text: "会议\x00通知", SendAt: time.Now()})
		if !errors.Is(err, models.ErrBadText) {
			t.Fatalf("a notice with a NUL byte: %v", err)
		}
		for _, table := range []string{"broadcasts", "outboxes"} {
			if n, _ := st.CountForTest(ctx, table); n != 0 {
				t.Fatalf("%d %s after a refused notice", n, table)
			}
		}
		_, _, err = st.DecideCheck(ctx, 1, models.Scope{Admin: true}, org, false, "reason\x1b[31m", time.UTC, time.Now())
		if !errors.Is(err, models.ErrBadText) {
			t.Fatalf("a rejection reason with ESC: %v", err)
		}
	})
}
