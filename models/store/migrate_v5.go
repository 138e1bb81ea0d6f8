package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/models/outbox"
	"github.com/teambition/rrule-go"
)

// Version 5 converts what version 4's columns describe in rows written
// before it: outbox rows get their kind, subject columns, typed arguments,
// markup, reason and dedupe key in the planner's format (so that a reminder
// sent under an old key is not planned again under a new one), and events
// their last start. It is frozen: it knows the formats of version 3 and of
// version 5, not today's code.
func v5ConvertOutbox(dialect string) func(context.Context, *sql.Tx) error {
	ph := func(n int) string {
		if dialect == "postgres" {
			return "$" + strconv.Itoa(n)
		}
		return "?"
	}
	return func(ctx context.Context, tx *sql.Tx) error {
		type row struct {
			id                              int64
			key, kind, template, args, mark string
			lastError                       string
			status                          string
		}
		rs, err := tx.QueryContext(ctx, `SELECT id, dedupe_key, kind, COALESCE(template_key, ''), COALESCE(args, ''),
			COALESCE(markup, ''), COALESCE(last_error, ''), status FROM outboxes ORDER BY id`)
		if err != nil {
			return err
		}
		var rows []row
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.id, &r.key, &r.kind, &r.template, &r.args, &r.mark, &r.lastError, &r.status); err != nil {
				rs.Close()
				return err
			}
			rows = append(rows, r)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		update := fmt.Sprintf(`UPDATE outboxes SET dedupe_key = %s, kind = %s, args = %s, markup = %s, reason = %s,
			event_id = %s, occurrence = %s WHERE id = %s`, ph(1), ph(2), ph(3), ph(4), ph(5), ph(6), ph(7), ph(8))
		for _, r := range rows {
			c := v5Convert(r.key, r.kind, r.template, r.args, r.mark, r.lastError, outbox.Status(r.status))
			var eventID, occ any
			if c.eventID != 0 {
				eventID = int64(c.eventID)
			}
			if !c.occ.IsZero() {
				occ = c.occ
			}
			if _, err := tx.ExecContext(ctx, update, c.key, c.kind, c.args, c.markup, c.reason, eventID, occ, r.id); err != nil {
				return fmt.Errorf("outbox row %d: %w", r.id, err)
			}
		}
		if dialect != "postgres" {
			// The release before wrote answer deadlines and creation times
			// in whatever zone it was given; SQLite compares them as text,
			// so they become UTC.
			for _, col := range []struct{ table, column string }{{"events", "rsvp_deadline"}, {"outboxes", "created_at"}, {"events", "created_at"}} {
				if err := v5UTC(ctx, tx, col.table, col.column); err != nil {
					return err
				}
			}
		}
		return v5EventBounds(ctx, tx, ph)
	}
}

// v5UTC rewrites a time column of SQLite in UTC.
func v5UTC(ctx context.Context, tx *sql.Tx, table, column string) error {
	rs, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT id, %s FROM %s WHERE %s IS NOT NULL", column, table, column))
	if err != nil {
		return err
	}
	type row struct {
		id int64
		at time.Time
	}
	var rows []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &r.at); err != nil {
			rs.Close()
			return err
		}
		rows = append(rows, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET %s = ? WHERE id = ?", table, column), r.at.UTC(), r.id); err != nil {
			return err
		}
	}
	return nil
}

type v5Row struct {
	key, kind, args, markup, reason string
	eventID                         uint64
	occ                             time.Time
}

// v5Convert turns one version-3 outbox row into version 5's form.
func v5Convert(key, kind, template, args, markup, lastError string, status outbox.Status) v5Row {
	out := v5Row{key: key, kind: kind, args: args, markup: markup}
	// Arguments: a flat object whose …At strings were times and whose Kind
	// gave the icon, now typed.
	if args != "" {
		var flat map[string]any
		if json.Unmarshal([]byte(args), &flat) == nil {
			typed := map[string]map[string]any{}
			put := func(group, name string, v any) {
				if typed[group] == nil {
					typed[group] = map[string]any{}
				}
				typed[group][name] = v
			}
			for k, v := range flat {
				switch x := v.(type) {
				case float64:
					put("n", k, int(x))
				case string:
					if t, err := time.Parse(time.RFC3339, x); err == nil && strings.HasSuffix(k, "At") {
						put("t", k, t.UTC())
					} else if k == "Kind" {
						put("k", "Icon", "event.icon."+x)
					} else {
						put("s", k, x)
					}
				}
			}
			b, _ := json.Marshal(typed)
			out.args = string(b)
		}
	}
	// Markup: a bare list of button rows became {"inline": …}.
	if strings.HasPrefix(strings.TrimSpace(markup), "[") {
		var rows []json.RawMessage
		if json.Unmarshal([]byte(markup), &rows) == nil {
			b, _ := json.Marshal(map[string]any{"inline": rows})
			out.markup = string(b)
		}
	}
	// Why it was not delivered, from version 3's words.
	switch {
	case strings.HasPrefix(lastError, "unreachable"):
		out.reason = "blocked"
	case lastError == "member muted reminders":
		out.reason = "muted"
	case lastError == "member left":
		out.reason = "left"
	case lastError == "member removed":
		out.reason = "no_member"
	case lastError == "event cancelled":
		out.reason = "withdrawn"
	case status == outbox.Stale:
		out.reason = "stale"
	case status == outbox.Failed:
		out.reason = "bad_request"
	}
	// Kinds and keys: version 3 wrote broadcast:B:M and event:E:…:M.
	p := strings.Split(key, ":")
	num := func(i int) uint64 {
		if i >= len(p) {
			return 0
		}
		n, _ := strconv.ParseUint(p[i], 10, 64)
		return n
	}
	kinds := map[string]string{"event.announce": "event.announce", "event.reminder": "event.reminder",
		"event.deadline_nudge": "event.deadline", "event.nudge": "event.nudge", "event.rate": "event.rate",
		"event.cancelled": "event.cancelled", "event.changed": "event.changed", "rsvp.promoted": "rsvp.promoted"}
	switch {
	case len(p) == 3 && p[0] == "broadcast":
		out.kind = "broadcast"
		out.key = fmt.Sprintf("broadcast:b%d:m%d", num(1), num(2))
	case len(p) >= 4 && p[0] == "event" && kinds[template] != "":
		out.kind = kinds[template]
		out.eventID = num(1)
		var minute uint64
		var slot, member string
		if p[2] == "announce" {
			// The announcement's occurrence is the StartAt of its arguments.
			var a struct {
				T map[string]time.Time `json:"t"`
			}
			if json.Unmarshal([]byte(out.args), &a) == nil {
				minute = uint64(a.T["StartAt"].Unix() / 60)
			}
			member = p[3]
		} else if len(p) >= 5 {
			minute = num(2)
			member = p[4]
			switch tag := p[3]; {
			case strings.HasPrefix(tag, "r") && out.kind == "event.reminder":
				slot = strings.TrimPrefix(tag, "r")
			case tag == "deadline":
				slot = "deadline"
			case strings.HasPrefix(tag, "nudge"):
				slot = strings.TrimPrefix(tag, "nudge")
			case tag == "rate", strings.HasPrefix(tag, "cancel"):
			default: // a change or a promotion: kept apart from the new ones
				slot = "legacy" + strings.Join(append([]string{tag}, p[5:]...), "")
			}
		}
		if minute > 0 {
			out.occ = time.Unix(int64(minute)*60, 0).UTC()
		}
		parts := []string{out.kind, fmt.Sprintf("e%d", out.eventID)}
		if minute > 0 {
			parts = append(parts, fmt.Sprintf("o%d", minute))
		}
		if slot != "" {
			parts = append(parts, "s"+slot)
		}
		out.key = strings.Join(append(parts, "m"+member), ":")
	}
	return out
}

// v5EventBounds sets last_start_at: a one-off event's start; a rule's UNTIL;
// a rule with COUNT, its last occurrence (anchored in UTC, plus a day for
// any zone's shift); nothing for a rule without end.
func v5EventBounds(ctx context.Context, tx *sql.Tx, ph func(int) string) error {
	rs, err := tx.QueryContext(ctx, "SELECT id, start_at, COALESCE(r_rule, '') FROM events")
	if err != nil {
		return err
	}
	type ev struct {
		id    int64
		start time.Time
		rule  string
	}
	var evs []ev
	for rs.Next() {
		var e ev
		if err := rs.Scan(&e.id, &e.start, &e.rule); err != nil {
			rs.Close()
			return err
		}
		evs = append(evs, e)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	for _, e := range evs {
		last, ok := v5LastStart(e.start, e.rule)
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE events SET last_start_at = %s WHERE id = %s", ph(1), ph(2)), last, e.id); err != nil {
			return err
		}
	}
	return nil
}

// v5LastStart bounds an event's occurrences: its start, a rule's UNTIL, or
// a counted rule's last date plus a day (the rule anchored in UTC, not the
// association's zone); ok is false for a rule without end.
func v5LastStart(start time.Time, rule string) (time.Time, bool) {
	rule = strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
	if rule == "" {
		return start.UTC(), true
	}
	opt, err := rrule.StrToROption(rule)
	if err != nil {
		return time.Time{}, false
	}
	switch {
	case !opt.Until.IsZero():
		return opt.Until.UTC(), true
	case opt.Count > 0 && opt.Count <= 100000:
		opt.Dtstart = start.UTC()
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return time.Time{}, false
		}
		all := r.All()
		if len(all) == 0 {
			return start.UTC(), true
		}
		return all[len(all)-1].UTC().Add(24 * time.Hour), true
	}
	return time.Time{}, false
}
