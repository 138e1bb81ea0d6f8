package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/assocbot/assocbot/models/budget"
)

// SharedSlots keeps the send budget's slots, chats and pause in PostgreSQL,
// so that replicas on one database share one budget (models/budget). Every
// time is the database's clock_timestamp(): one clock for all replicas.
type SharedSlots struct {
	db      *sql.DB
	n       int
	chatGap time.Duration
	stale   time.Duration

	mu     sync.Mutex
	pruned time.Time
}

// SharedSlots prepares rate slots in the database (adding any missing; a
// replica with a lower rate uses the first of them), a gap between two
// messages to one chat, and how long a slot not given back stays taken (the
// longest a send may take: a replica killed mid-send never gives its back).
func (s *Store) SharedSlots(ctx context.Context, rate int, chatGap, stale time.Duration) (*SharedSlots, error) {
	if s.dialect != "postgres" {
		return nil, errors.New("store: shared send slots need PostgreSQL")
	}
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	rate = min(max(rate, 1), budget.MaxRate)
	if _, err := db.ExecContext(ctx, `INSERT INTO send_slots (slot, gen, taken_at, answered_at)
		SELECT g, 0, 'epoch', 'epoch' FROM generate_series(0, $1 - 1) g ON CONFLICT (slot) DO NOTHING`, rate); err != nil {
		return nil, fmt.Errorf("store: send slots: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO send_pause (id, until) VALUES (1, 'epoch') ON CONFLICT (id) DO NOTHING`); err != nil {
		return nil, fmt.Errorf("store: send pause: %w", err)
	}
	return &SharedSlots{db: db, n: rate, chatGap: chatGap + budget.ChatMargin, stale: stale}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TakeSlots takes up to most slots free now, paced (SKIP LOCKED: replicas
// never wait on each other's row locks); when none is, it reads how long
// until one frees or the pace allows one.
func (p *SharedSlots) TakeSlots(ctx context.Context, most int) ([]int64, time.Duration, error) {
	// One statement: the pace row (send_pause 1, locked without waiting:
	// a replica taking slots this moment has it, and this one asks again
	// in a millisecond) says how many may go now, evenly across the second
	// (budget.Spacing: one a spacing, two when a take comes late); that
	// many free slots are taken and the pace moves on by as many spacings.
	rows, err := p.db.QueryContext(ctx, `
WITH pace AS (
    SELECT until, next_at, clock_timestamp() AS now FROM send_pause WHERE id = 1 FOR UPDATE SKIP LOCKED
), allowed AS (
    SELECT GREATEST(next_at, now - $6 * interval '1 millisecond') AS base,
           CASE WHEN until > now OR next_at > now THEN 0
                ELSE LEAST($3, 1 + FLOOR(EXTRACT(EPOCH FROM now - GREATEST(next_at, now - $6 * interval '1 millisecond')) * 1000 / $5))::int END AS k
    FROM pace
), free AS (
    SELECT slot FROM send_slots
    WHERE slot < $1
      AND COALESCE(answered_at, taken_at + $2 * interval '1 millisecond') + $4 * interval '1 millisecond' <= clock_timestamp()
    ORDER BY slot LIMIT (SELECT COALESCE(MAX(k), 0) FROM allowed)
    FOR UPDATE SKIP LOCKED
), taken AS (
    UPDATE send_slots SET taken_at = clock_timestamp(), answered_at = NULL, gen = gen + 1
    WHERE slot IN (SELECT slot FROM free)
    RETURNING slot, gen
), paced AS (
    UPDATE send_pause SET next_at = (SELECT base FROM allowed) + (SELECT count(*) FROM taken) * $5 * interval '1 millisecond'
    WHERE id = 1 AND EXISTS (SELECT 1 FROM taken)
)
SELECT slot, gen FROM taken`, p.n, ms(p.stale), most, ms(budget.SlotRest), ms(budget.Spacing(p.n)), ms(budget.PaceSlack))
	if err != nil {
		return nil, 0, fmt.Errorf("store: take send slots: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var slot, gen int64
		if err := rows.Scan(&slot, &gen); err != nil {
			return nil, 0, fmt.Errorf("store: take send slots: %w", err)
		}
		ids = append(ids, budget.SlotID(int(slot), uint64(gen)))
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: take send slots: %w", err)
	}
	if len(ids) > 0 {
		return ids, 0, nil
	}
	var waitMS float64
	if err := p.db.QueryRowContext(ctx, `
SELECT EXTRACT(EPOCH FROM GREATEST(
    (SELECT MIN(COALESCE(answered_at, taken_at + $2 * interval '1 millisecond')) + $3 * interval '1 millisecond' FROM send_slots WHERE slot < $1),
    (SELECT until FROM send_pause WHERE id = 1),
    (SELECT next_at FROM send_pause WHERE id = 1)) - clock_timestamp()) * 1000`, p.n, ms(p.stale), ms(budget.SlotRest)).Scan(&waitMS); err != nil {
		return nil, 0, fmt.Errorf("store: send slots: %w", err)
	}
	return nil, max(time.Duration(waitMS*float64(time.Millisecond)), time.Millisecond), nil
}

// Answered gives a slot back, free a second after the answer came at (a
// time of this process's clock): the database's clock less the time since
// then, so that the round trip here does not slow the budget down. The
// statement runs only after that time has passed, so the moment it records
// is never earlier than the answer: safe whatever the clocks of the hosts
// say, as only a duration crosses between them.
func (p *SharedSlots) Answered(ctx context.Context, id int64, at time.Time) error {
	slot, gen := budget.SplitSlotID(id)
	if _, err := p.db.ExecContext(ctx, `UPDATE send_slots SET answered_at = clock_timestamp() - $3 * interval '1 millisecond'
		WHERE slot = $1 AND gen = $2`, slot, int64(gen), ms(time.Since(at))); err != nil {
		return fmt.Errorf("store: give send slot back: %w", err)
	}
	return nil
}

// Unused gives back a slot through which nothing was sent: free at once,
// and the pace set back to now so that the next take has its place.
func (p *SharedSlots) Unused(ctx context.Context, id int64) error {
	slot, gen := budget.SplitSlotID(id)
	if _, err := p.db.ExecContext(ctx, `WITH freed AS (
    UPDATE send_slots SET answered_at = 'epoch' WHERE slot = $1 AND gen = $2 RETURNING slot
)
UPDATE send_pause SET next_at = LEAST(next_at, clock_timestamp()) WHERE id = 1 AND EXISTS (SELECT 1 FROM freed)`, slot, int64(gen)); err != nil {
		return fmt.Errorf("store: give unused send slot back: %w", err)
	}
	return nil
}

// TakeChat marks a chat busy until its send ends (or stale passes), when no
// one is sending to it and its last message was answered a gap ago.
func (p *SharedSlots) TakeChat(ctx context.Context, chat, holder int64) (bool, time.Duration, error) {
	var took sql.NullInt64
	var waitMS sql.NullFloat64
	err := p.db.QueryRowContext(ctx, `
WITH took AS (
    INSERT INTO send_chats (chat_id, holder, busy_until) VALUES ($1, $4, clock_timestamp() + $2 * interval '1 millisecond')
    ON CONFLICT (chat_id) DO UPDATE SET busy_until = EXCLUDED.busy_until, holder = EXCLUDED.holder
    WHERE (send_chats.busy_until IS NULL OR send_chats.busy_until < clock_timestamp())
      AND (send_chats.last_at IS NULL OR send_chats.last_at + $3 * interval '1 millisecond' <= clock_timestamp())
    RETURNING chat_id
)
SELECT (SELECT chat_id FROM took),
       (SELECT CASE WHEN busy_until > clock_timestamp() THEN 10
                    ELSE EXTRACT(EPOCH FROM last_at + $3 * interval '1 millisecond' - clock_timestamp()) * 1000 END
        FROM send_chats WHERE chat_id = $1)`,
		chat, ms(p.stale), ms(p.chatGap), holder).Scan(&took, &waitMS)
	if err != nil {
		return false, 0, fmt.Errorf("store: take chat: %w", err)
	}
	if took.Valid {
		return true, 0, nil
	}
	return false, time.Duration(waitMS.Float64 * float64(time.Millisecond)), nil
}

// KeepChat renews holder's hold on a chat for another stale time, once a
// third of it has gone: most sends find a slot within a second and need no
// renewal (no round trip). It reports false when the hold lapsed and
// another holder took the chat.
func (p *SharedSlots) KeepChat(ctx context.Context, chat, holder int64, heldFor time.Duration) (bool, error) {
	if heldFor < p.stale/3 {
		return true, nil
	}
	res, err := p.db.ExecContext(ctx, `UPDATE send_chats SET busy_until = clock_timestamp() + $3 * interval '1 millisecond'
		WHERE chat_id = $1 AND holder = $2`, chat, holder, ms(p.stale))
	if err != nil {
		return false, fmt.Errorf("store: keep chat: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: keep chat: %w", err)
	}
	return n == 1, nil
}

// ChatDone frees a chat holder still holds (one whose hold lapsed and was
// taken by another is left to it); when sent, its gap counts from now. Once
// every ten minutes it forgets chats free for an hour.
func (p *SharedSlots) ChatDone(ctx context.Context, chat, holder int64, sent bool, at time.Time) error {
	if _, err := p.db.ExecContext(ctx, `UPDATE send_chats SET busy_until = NULL, holder = NULL,
		last_at = CASE WHEN $2 THEN clock_timestamp() - $4 * interval '1 millisecond' ELSE last_at END
		WHERE chat_id = $1 AND holder = $3`, chat, sent, holder, ms(time.Since(at))); err != nil {
		return fmt.Errorf("store: free chat: %w", err)
	}
	p.mu.Lock()
	prune := time.Since(p.pruned) > 10*time.Minute
	if prune {
		p.pruned = time.Now()
	}
	p.mu.Unlock()
	if prune {
		if _, err := p.db.ExecContext(ctx, `DELETE FROM send_chats WHERE (busy_until IS NULL OR busy_until < clock_timestamp() - interval '1 hour')
			AND COALESCE(last_at, 'epoch') < clock_timestamp() - interval '1 hour'`); err != nil {
			return fmt.Errorf("store: forget chats: %w", err)
		}
	}
	return nil
}

// Pause stops every replica's sends for d.
func (p *SharedSlots) Pause(ctx context.Context, d time.Duration) error {
	if _, err := p.db.ExecContext(ctx, `UPDATE send_pause SET until = GREATEST(until, clock_timestamp() + $1 * interval '1 millisecond') WHERE id = 1`, ms(d)); err != nil {
		return fmt.Errorf("store: pause sends: %w", err)
	}
	return nil
}
