package dispatch

import (
	"context"
	"math"
	"sync"
	"time"
)

// windowMargin is added to each one-second window. Telegram counts messages
// as they arrive, we as they leave: a request delayed a few milliseconds more
// than the one 30 places behind it would put 31 arrivals in one second. The
// token bucket alone paces departures exactly at the rate; this guard keeps
// any one second of departures, stretched by the margin, at the limit.
const windowMargin = 20 * time.Millisecond

// slidingWindow allows at most n departures in any window of 1 s + margin.
type slidingWindow struct {
	mu   sync.Mutex
	n    int
	ring []time.Time // the last n departures, oldest at next
	next int
}

// newSlidingWindow guards rate messages per second; above 1,000/s (a
// benchmark, not Telegram) it is off.
func newSlidingWindow(rate float64) *slidingWindow {
	if rate > 1000 {
		return nil
	}
	n := int(math.Floor(rate))
	if n < 1 {
		n = 1
	}
	return &slidingWindow{n: n, ring: make([]time.Time, n)}
}

// wait blocks until one more departure fits, and records it. Departures are
// taken one at a time, in order.
func (w *slidingWindow) wait(ctx context.Context) error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	oldest := w.ring[w.next]
	if !oldest.IsZero() {
		if d := time.Until(oldest.Add(time.Second + windowMargin)); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
		}
	}
	w.ring[w.next] = time.Now()
	w.next = (w.next + 1) % w.n
	return nil
}
