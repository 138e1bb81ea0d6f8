package dispatch

import (
	"context"
	"math"
	"sync"
	"time"
)

// windowMargin is a little slack on top of each one-second window.
const windowMargin = 5 * time.Millisecond

// slidingWindow allows at most n messages in any one second as Telegram
// counts them, on arrival. A departure time says little about the arrival
// (a busy machine can hold one request back by tens of milliseconds while a
// later one goes straight through), but an arrival always lies between the
// departure and the answer. So message i leaves no earlier than one second
// after the answer to message i-n came back: then its arrival is at least a
// second after that one's, whatever the delays in between.
type slidingWindow struct {
	mu   sync.Mutex
	n    int
	ring []*windowSlot // the last n messages, oldest at next
	next int
}

type windowSlot struct {
	done chan struct{} // closed when the answer came back
	at   time.Time     // when it did
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
	return &slidingWindow{n: n, ring: make([]*windowSlot, n)}
}

// wait blocks until one more message fits and takes its place; call the
// returned function when the answer to it has come back (or the call failed).
// Messages are let through one at a time, in order.
func (w *slidingWindow) wait(ctx context.Context) (func(), error) {
	if w == nil {
		return func() {}, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if old := w.ring[w.next]; old != nil {
		select {
		case <-old.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if d := time.Until(old.at.Add(time.Second + windowMargin)); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
	s := &windowSlot{done: make(chan struct{})}
	w.ring[w.next] = s
	w.next = (w.next + 1) % w.n
	var once sync.Once
	return func() {
		once.Do(func() {
			s.at = time.Now()
			close(s.done)
		})
	}, nil
}
