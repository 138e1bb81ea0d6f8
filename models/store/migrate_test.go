package store_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
	"github.com/assocbot/assocbot/scheduler"
)

func schemaOf(t *testing.T, st *store.Store) map[string]store.Table {
	t.Helper()
	sc, err := st.SchemaForTest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// diffSchemas names what differs between two schemas, table by table.
func diffSchemas(a, b map[string]store.Table) []string {
	var out []string
	for name, ta := range a {
		tb, ok := b[name]
		switch {
		case !ok:
			out = append(out, "only in the first: table "+name)
		case !reflect.DeepEqual(ta.Columns, tb.Columns):
			out = append(out, fmt.Sprintf("%s columns:\n  %+v\n  %+v", name, ta.Columns, tb.Columns))
		case !reflect.DeepEqual(ta.Indexes, tb.Indexes):
			out = append(out, fmt.Sprintf("%s indexes:\n  %+v\n  %+v", name, ta.Indexes, tb.Indexes))
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			out = append(out, "only in the second: table "+name)
		}
	}
	return out
}

// TestFrozenVersionsAreTheSchemaOfEarlierReleases: versions 1–3, replayed,
// give exactly the schema that assocbot's releases before goose created
// (testdata/schema_v3.json, read off a database migrated by the release
// itself, the same on SQLite and PostgreSQL).
func TestFrozenVersionsAreTheSchemaOfEarlierReleases(t *testing.T) {
	raw, err := os.ReadFile("testdata/schema_v3.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]store.Table
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		st := storetest.Unmigrated(t, dsn)
		if _, err := st.MigrateTo(ctx, 3); err != nil {
			t.Fatal(err)
		}
		if d := diffSchemas(schemaOf(t, st), want); len(d) > 0 {
			t.Fatalf("version 3 is not the released schema:\n%s", strings.Join(d, "\n"))
		}
	})
}

// TestMigratingVersion1ToLatestEqualsAFreshSchema: a database at version 1,
// migrated on, has the same schema as one made fresh.
func TestMigratingVersion1ToLatestEqualsAFreshSchema(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		old := storetest.Unmigrated(t, dsn)
		if n, err := old.MigrateTo(ctx, 1); err != nil || n != 1 {
			t.Fatalf("to version 1: %d %v", n, err)
		}
		if v, _, _ := old.SchemaVersion(ctx); v != 1 {
			t.Fatalf("version %d", v)
		}
		if n, err := old.Migrate(ctx); err != nil || n != store.LatestVersion()-1 {
			t.Fatalf("1 → latest: %d %v", n, err)
		}
		var fresh *store.Store
		if strings.HasPrefix(dsn, "postgres") {
			fresh, _ = storetest.NewPostgres(t)
		} else {
			fresh, _ = storetest.New(t)
		}
		if d := diffSchemas(schemaOf(t, old), schemaOf(t, fresh)); len(d) > 0 {
			t.Fatalf("migrated and fresh schemas differ:\n%s", strings.Join(d, "\n"))
		}
	})
}

// TestSQLiteAndPostgresSchemasAgree compares the two dialects' latest
// schemas table by table.
func TestSQLiteAndPostgresSchemasAgree(t *testing.T) {
	pg, _ := storetest.NewPostgres(t)
	lite, _ := storetest.New(t)
	if d := diffSchemas(schemaOf(t, lite), schemaOf(t, pg)); len(d) > 0 {
		t.Fatalf("SQLite and PostgreSQL differ:\n%s", strings.Join(d, "\n"))
	}
}

// TestReleasedDatabaseMigratesForwardWithoutLoss builds a database as the
// release before this one left it (versions 1–3 recorded in
// schema_migrations, rows written in its formats), migrates it, and checks
// that every row is kept and converted: outbox rows get their kind, subject
// columns, typed arguments, markup, reason and planner key, so that the
// planner does not send again what was sent; the old binary would now refuse
// the database.
func TestReleasedDatabaseMigratesForwardWithoutLoss(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		st := storetest.Unmigrated(t, dsn)
		if _, err := st.MigrateTo(ctx, 3); err != nil {
			t.Fatal(err)
		}
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
		occ := time.Date(2026, 12, 7, 9, 30, 0, 0, sh).UTC()
		min := occ.Unix() / 60
		exec := func(q string, args ...any) {
			t.Helper()
			if err := st.ExecForTest(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// The release's own version table, instead of goose's.
		exec("DROP TABLE goose_db_version")
		for v := 1; v <= 3; v++ {
			exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", v, fmt.Sprint("v", v), now.UTC())
		}
		exec("INSERT INTO branches (id, name, path, created_at) VALUES (1, 'Town', 'Town', ?)", now.UTC())
		exec("INSERT INTO branches (id, parent_id, name, path, created_at) VALUES (2, 1, 'Village', 'Town/Village', ?)", now.UTC())
		for i := 1; i <= 3; i++ {
			exec(`INSERT INTO members (id, name, phone, branch_id, role, lang, telegram_id, chat_id, status, created_at, updated_at)
				VALUES (?, ?, ?, 2, 'member', 'en', ?, ?, 'active', ?, ?)`, i, fmt.Sprint("M", i), fmt.Sprint("+86138000000", i), 100+i, 100+i, now.UTC(), now.UTC())
		}
		exec("INSERT INTO member_tags (member_id, tag) VALUES (1, 'volunteer')")
		exec("INSERT INTO organizer_scopes (member_id, branch_id) VALUES (1, 1)")
		exec("INSERT INTO invites (code_hash, member_id, expires_at, created_at) VALUES ('h', 2, ?, ?)", now.Add(time.Hour).UTC(), now.UTC())
		exec("INSERT INTO visitors (telegram_id, lang, updated_at) VALUES (9, 'en', ?)", now.UTC())
		exec("INSERT INTO join_requests (telegram_id, chat_id, name, lang, branch_id, status, created_at) VALUES (9, 9, 'S', 'en', 2, 'pending', ?)", now.UTC())
		exec(`INSERT INTO events (id, kind, title, location, start_at, audience, rsvp, capacity, allow_guests, r_rule, status, created_at, updated_at)
			VALUES (1, 'meeting', 'Monthly meeting', 'Hall', ?, 'branch:Town', ?, 0, ?, '', 'scheduled', ?, ?)`, occ, true, false, now.UTC(), now.UTC())
		exec(`INSERT INTO events (id, kind, title, start_at, audience, rsvp, capacity, allow_guests, r_rule, status, created_at, updated_at)
			VALUES (2, 'activity_day', 'Member day', ?, 'all', ?, 0, ?, 'FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=29', 'scheduled', ?, ?)`,
			time.Date(2026, 5, 29, 1, 0, 0, 0, time.UTC), true, false, now.UTC(), now.UTC())
		exec(`INSERT INTO events (id, kind, title, start_at, audience, rsvp, capacity, allow_guests, r_rule, status, created_at, updated_at)
			VALUES (3, 'training', 'Course', ?, 'all', ?, 0, ?, 'FREQ=WEEKLY;COUNT=4', 'scheduled', ?, ?)`,
			time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC), true, false, now.UTC(), now.UTC())
		// The release wrote an answer deadline in the zone it was given.
		deadline := time.Date(2026, 12, 5, 18, 0, 0, 0, sh)
		exec(`INSERT INTO events (id, kind, title, start_at, audience, rsvp, capacity, allow_guests, rsvp_deadline, r_rule, status, created_at, updated_at)
			VALUES (4, 'training', 'With a deadline', ?, 'all', ?, 0, ?, ?, '', 'scheduled', ?, ?)`,
			occ, true, false, deadline, now.UTC(), now.UTC())
		exec("INSERT INTO rsvps (event_id, occurrence, member_id, answer, guests, waitlisted, checked_in, updated_at) VALUES (1, ?, 2, 'yes', 0, ?, ?, ?)", occ, false, false, now.UTC())
		exec("INSERT INTO broadcasts (id, organizer_id, chat_id, audience, text, total, send_at, status, created_at) VALUES (1, 1, 101, 'branch:Town', 'Notice', 2, ?, 'done', ?)", now.UTC(), now.UTC())
		exec("INSERT INTO dialogs (telegram_id, kind, step, data, updated_at) VALUES (101, 'broadcast', 'content', '{}', ?)", now.UTC())
		args := fmt.Sprintf(`{"EventID":1,"Kind":"meeting","Location":"Hall","StartAt":%q,"Title":"Monthly meeting"}`, occ.Format(time.RFC3339))
		markup := `[[{"key":"rsvp.button.yes","data":"rv:1:` + fmt.Sprint(min) + `:y"}],[{"key":"rsvp.button.calendar","data":"ic:1"}]]`
		row := func(key string, member int, kind, template, args, markup, status, lastError string) {
			t.Helper()
			exec(`INSERT INTO outboxes (dedupe_key, member_id, chat_id, kind, template_key, args, text, markup, not_before, urgent, status,
				next_attempt_at, attempts, last_error, broadcast_id, created_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, 0, ?, NULL, ?)`,
				key, member, 100+member, kind, template, args, markup, now.UTC(), false, status, now.UTC(), lastError, now.UTC())
		}
		row("broadcast:1:2", 2, "broadcast", "", "", "", "sent", "")
		row("broadcast:1:3", 3, "broadcast", "", "", "", "failed", "unreachable: forbidden, Forbidden: bot was blocked by the user")
		row("event:1:announce:2", 2, "notice", "event.announce", args, markup, "sent", "")
		row(fmt.Sprintf("event:1:%d:r1440:2", min), 2, "reminder", "event.reminder", args, markup, "pending", "")
		row(fmt.Sprintf("event:1:%d:promoted:3:1763870000000000000", min), 3, "notice", "rsvp.promoted", args, markup, "sent", "")
		counts := func() map[string]int {
			out := map[string]int{}
			for _, tab := range []string{"branches", "members", "member_tags", "organizer_scopes", "invites", "visitors", "join_requests",
				"events", "rsvps", "broadcasts", "dialogs", "outboxes"} {
				n, err := st.CountForTest(ctx, tab)
				if err != nil {
					t.Fatal(err)
				}
				out[tab] = n
			}
			return out
		}
		before := counts()

		if v, _, err := st.SchemaVersion(ctx); err != nil || v != 3 {
			t.Fatalf("the released database reads as version %d (%v)", v, err)
		}
		if n, err := st.Migrate(ctx); err != nil || n != store.LatestVersion()-3 {
			t.Fatalf("migrate: %d %v", n, err)
		}
		if after := counts(); !reflect.DeepEqual(before, after) {
			t.Fatalf("rows before %v, after %v", before, after)
		}
		if v, _, _ := st.SchemaVersion(ctx); v != store.LatestVersion() {
			t.Fatalf("version %d after migrating", v)
		}
		rows, err := st.Outbox(ctx, store.OutboxQuery{})
		if err != nil || len(rows) != 5 {
			t.Fatalf("%d outbox rows after migrating (%v), want 5", len(rows), err)
		}
		// The deadline is found where it is, to the minute.
		if es, _ := st.EventsWithDeadline(ctx, deadline.Add(-time.Minute), deadline); len(es) != 1 || es[0].ID != 4 {
			t.Fatalf("events with a deadline by %v: %+v", deadline, es)
		}
		if es, _ := st.EventsWithDeadline(ctx, deadline, deadline.Add(9*time.Hour)); len(es) != 0 {
			t.Fatalf("the deadline is found hours late: %+v", es)
		}
		want := map[string]struct {
			kind   outbox.Kind
			event  bool
			reason outbox.Reason
		}{
			"broadcast:b1:m2": {outbox.KindBroadcast, false, ""},
			"broadcast:b1:m3": {outbox.KindBroadcast, false, outbox.ReasonBlocked},
			fmt.Sprintf("event.announce:e1:o%d:m2", min):                                   {outbox.KindEventAnnounce, true, ""},
			fmt.Sprintf("event.reminder:e1:o%d:s1440:m2", min):                             {outbox.KindEventReminder, true, ""},
			fmt.Sprintf("rsvp.promoted:e1:o%d:slegacypromoted1763870000000000000:m3", min): {outbox.KindPromoted, true, ""},
		}
		cat, _ := locales.New()
		for _, o := range rows {
			w, ok := want[o.DedupeKey]
			if !ok || outbox.Kind(o.Kind) != w.kind || o.Reason != w.reason {
				t.Errorf("row %q kind %q reason %q; want one of %v", o.DedupeKey, o.Kind, o.Reason, want)
				continue
			}
			if !w.event {
				continue
			}
			if o.EventID == nil || *o.EventID != 1 || o.Occurrence == nil || !o.Occurrence.Equal(occ) {
				t.Errorf("row %q subject %v %v", o.DedupeKey, o.EventID, o.Occurrence)
			}
			text, markup, err := planner.Text(cat, locales.En, sh, now, &o)
			if err != nil || !strings.Contains(text, "🗓 Monthly meeting") || !strings.Contains(text, "Mon 7 Dec 09:30") || len(markup.Inline) == 0 || cat.T(locales.En, markup.Inline[0][0].Key) != "✅ Going" {
				t.Errorf("row %q renders %q %+v %v", o.DedupeKey, text, markup, err)
			}
		}
		// The reminder the release planned for M2 is not planned again (the
		// others get theirs).
		if _, err := (&scheduler.EventReminders{Store: st, Location: sh}).Run(ctx, occ.Add(-23*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.Outbox(ctx, store.OutboxQuery{Kind: outbox.KindEventReminder, MemberID: 2, EventID: 1}); len(got) != 1 {
			t.Fatalf("M2 has %d reminders after the upgrade, want the one from before", len(got))
		}
		// Events know their last start: a one-off's start, a counted rule's
		// last date (with a day's margin), nothing for a rule without end.
		for id, want := range map[uint]*time.Time{1: &occ, 2: nil, 3: ptr(time.Date(2026, 12, 22, 6, 0, 0, 0, time.UTC))} {
			e, _ := st.EventByID(ctx, id)
			switch {
			case want == nil && e.LastStartAt != nil:
				t.Errorf("event %d last start %v, want none", id, e.LastStartAt)
			case want != nil && (e.LastStartAt == nil || e.LastStartAt.Before(*want) || e.LastStartAt.After(want.Add(25*time.Hour))):
				t.Errorf("event %d last start %v, want %v", id, e.LastStartAt, want)
			}
		}
		// The release would refuse the database now: its version table says 4.
		if v, err := st.LegacyVersionForTest(ctx); err != nil || v != 4 {
			t.Fatalf("schema_migrations at %d (%v), want 4", v, err)
		}
	})
}

func ptr(t time.Time) *time.Time { return &t }
