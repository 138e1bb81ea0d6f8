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
	return &SharedSlots{db: db, n: rate, chatGap: chatGap + 20*time.Millisecond, stale: stale}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TakeSlot takes the first slot free now (SKIP LOCKED: replicas never wait
// on each other's row locks), or reads how long until one frees.
func (p *SharedSlots) TakeSlot(ctx context.Context) (int64, bool, time.Duration, error) {
	var slot, gen sql.NullInt64
	var waitMS float64
	err := p.db.QueryRowContext(ctx, `
WITH free AS (
    SELECT slot FROM send_slots
    WHERE slot < $1
      AND COALESCE(answered_at, taken_at + $2 * interval '1 millisecond') + interval '1005 milliseconds' <= clock_timestamp()
      AND (SELECT until FROM send_pause WHERE id = 1) <= clock_timestamp()
    ORDER BY slot LIMIT 1
    FOR UPDATE SKIP LOCKED
), took AS (
    UPDATE send_slots SET taken_at = clock_timestamp(), answered_at = NULL, gen = gen + 1
    WHERE slot = (SELECT slot FROM free)
    RETURNING slot, gen
)
SELECT (SELECT slot FROM took), (SELECT gen FROM took),
       EXTRACT(EPOCH FROM GREATEST(
           (SELECT MIN(COALESCE(answered_at, taken_at + $2 * interval '1 millisecond')) + interval '1005 milliseconds' FROM send_slots WHERE slot < $1),
           (SELECT until FROM send_pause WHERE id = 1)) - clock_timestamp()) * 1000`,
		p.n, ms(p.stale)).Scan(&slot, &gen, &waitMS)
	if err != nil {
		return 0, false, 0, fmt.Errorf("store: take send slot: %w", err)
	}
	if slot.Valid {
		return budget.SlotID(int(slot.Int64), uint64(gen.Int64)), true, 0, nil
	}
	return 0, false, time.Duration(waitMS * float64(time.Millisecond)), nil
}

// Answered gives a slot back, free a second from now, unless it was taken
// again since.
func (p *SharedSlots) Answered(ctx context.Context, id int64) error {
	slot, gen := budget.SplitSlotID(id)
	if _, err := p.db.ExecContext(ctx, `UPDATE send_slots SET answered_at = clock_timestamp() WHERE slot = $1 AND gen = $2`, slot, int64(gen)); err != nil {
		return fmt.Errorf("store: give send slot back: %w", err)
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

// KeepChat renews holder's hold on a chat for another stale time.
func (p *SharedSlots) KeepChat(ctx context.Context, chat, holder int64) error {
	if _, err := p.db.ExecContext(ctx, `UPDATE send_chats SET busy_until = clock_timestamp() + $3 * interval '1 millisecond'
		WHERE chat_id = $1 AND holder = $2`, chat, holder, ms(p.stale)); err != nil {
		return fmt.Errorf("store: keep chat: %w", err)
	}
	return nil
}

// ChatDone frees a chat holder still holds (one whose hold lapsed and was
// taken by another is left to it); when sent, its gap counts from now. Once
// every ten minutes it forgets chats free for an hour.
func (p *SharedSlots) ChatDone(ctx context.Context, chat, holder int64, sent bool) error {
	if _, err := p.db.ExecContext(ctx, `UPDATE send_chats SET busy_until = NULL, holder = NULL,
		last_at = CASE WHEN $2 THEN clock_timestamp() ELSE last_at END WHERE chat_id = $1 AND holder = $3`, chat, sent, holder); err != nil {
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
