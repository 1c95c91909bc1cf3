// Command gc writes an execution trace with many GC cycles: several
// goroutines allocating garbage concurrently under a low GOGC (automatic
// cycles with mark assists), then explicit runtime.GC calls, so that the
// trace contains GC start/end, STW, mark assists, sweeps and heap/goal
// metric updates.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
)

type node struct {
	next *node
	buf  [48]byte
}

var sink []*node

func churn(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head}
		if i%64 == 0 {
			_ = make([]byte, 4<<10)
		}
	}
	return head
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gc OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	// A small GC target makes cycles frequent and assists likely.
	debug.SetGCPercent(20)
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	// Explicit (forced) cycles first, on a tiny heap and with a single P.
	// runtime.GC finishes by calling Gosched after every span it sweeps
	// and then in a loop until concurrent sweepers are done; with another
	// P sweeping, that loop can emit tens of thousands of events and make
	// the trace size erratic.
	procs := runtime.GOMAXPROCS(1)
	for i := 0; i < 4; i++ {
		_ = churn(200)
		runtime.GC()
	}
	// More Ps than allocating goroutines during the concurrent phase: the
	// Go 1.25+ background sweeper yields (goschedIfBusy) in a loop while
	// no P is idle, which on a 2-core machine with 4 allocators produces
	// hundreds of thousands of events.
	runtime.GOMAXPROCS(8)

	// Then automatic cycles: concurrent allocators under a low GOGC.
	var wg sync.WaitGroup
	var mu sync.Mutex
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				l := churn(2000)
				if i%10 == 0 {
					// Keep a little live heap, but not much: every
					// span is swept each cycle, and the background
					// sweeper may yield (one trace event pair) per span.
					mu.Lock()
					sink = append(sink, l)
					if len(sink) > 4 {
						sink = sink[1:]
					}
					mu.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	sink = nil
	runtime.GOMAXPROCS(procs)
	trace.Stop()
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	fmt.Fprintln(os.Stderr, "gc cycles:", st.NumGC)
}
