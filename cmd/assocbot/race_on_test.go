//go:build race

package main

// raceEnabled: the race detector slows every goroutine several times;
// tests that measure speed hold it to a looser bar (benchmarks, without
// it, report the real numbers).
const raceEnabled = true
