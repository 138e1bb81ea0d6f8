package rostertest

import (
	"runtime"
	"sync/atomic"
	"time"
)

// PeakHeap runs f and returns the most heap in use while it ran, over what
// was in use before (sampled every two milliseconds, the last sample taken
// after f returns), for the tests and benchmarks that bound what reading a
// file may hold.
func PeakHeap(f func()) uint64 {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak.Store(max(peak.Load(), ms.HeapInuse))
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			sample()
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-stopped
	sample()
	return peak.Load() - min(peak.Load(), base.HeapInuse)
}
