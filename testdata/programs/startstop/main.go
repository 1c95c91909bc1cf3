// Command startstop starts and stops tracing several times in one process
// and writes only a later trace to the output file. With the Go 1.22+
// tracer, generation numbers keep counting across Start/Stop in one
// process, so the written trace's first generation is not 1. Goroutines
// created during an earlier trace and still alive (blocked, or running) at
// the later Start must appear with their states reconstructed.
//
// Usage: startstop OUT.trace [N]  -- N (default 2) is which trace to keep.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/trace"
	"strconv"
	"sync"
	"time"
)

func workload(round int) {
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range ch {
				_ = make([]byte, 64*(v%8+1)) // small: no GC cycle needed
			}
		}()
	}
	for i := 0; i < 100*round; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
	// No runtime.GC here: while tracing, its wait-for-sweep loop can call
	// Gosched thousands of times and make the trace size erratic.
	time.Sleep(time.Millisecond)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: startstop OUT.trace [N]")
		os.Exit(2)
	}
	keep := 2
	if len(os.Args) > 2 {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "bad N:", os.Args[2])
			os.Exit(2)
		}
		keep = n
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()

	// Long-lived goroutines spanning all traces.
	block := make(chan struct{})
	go func() { <-block }()
	tick := make(chan struct{})
	go func() {
		for {
			select {
			case <-tick:
			case <-block:
				return
			}
		}
	}()

	for round := 1; round <= keep; round++ {
		var w io.Writer = io.Discard
		if round == keep {
			w = f
		}
		if err := trace.Start(w); err != nil {
			panic(err)
		}
		workload(round)
		tick <- struct{}{}
		// A goroutine created in this round that outlives it.
		go func() { <-block }()
		trace.Stop()
		// Some untraced activity between traces.
		workload(1)
	}
	close(block)
}
