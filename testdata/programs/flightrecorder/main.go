//go:build go1.25

// Command flightrecorder runs the runtime/trace flight recorder over a short
// workload and writes a snapshot of its window to the output file. A
// snapshot begins at whatever generation the ring buffer still holds, so
// generation numbers do not start at 1 and the first generation's state
// (goroutines, Ps, Ms) has to be reconstructed from the snapshot alone.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: flightrecorder OUT.trace")
		os.Exit(2)
	}
	// A short throwaway trace first: generation numbers keep counting
	// within a process, so even if the flight recorder's window reaches
	// back to its very first generation, that generation is not 1. (The
	// generator also sets GODEBUG=traceadvanceperiod so the run spans
	// several generations and the oldest ones fall out of the window.)
	if err := trace.Start(io.Discard); err != nil {
		panic(err)
	}
	time.Sleep(time.Millisecond)
	trace.Stop()

	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{
		MinAge:   100 * time.Millisecond,
		MaxBytes: 256 << 10,
	})
	if err := fr.Start(); err != nil {
		panic(err)
	}

	// Some background goroutines blocked for the whole run (they exist
	// before the snapshot window starts).
	block := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func() { <-block }()
	}

	ctx := context.Background()
	var mu sync.Mutex
	end := time.Now().Add(600 * time.Millisecond)
	for iter := 0; time.Now().Before(end); iter++ {
		tctx, task := trace.NewTask(ctx, "iteration")
		var wg sync.WaitGroup
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				trace.WithRegion(tctx, "work", func() {
					mu.Lock()
					_ = make([]byte, 8<<10)
					mu.Unlock()
				})
			}()
		}
		wg.Wait()
		trace.Logf(tctx, "iter", "%d", iter)
		task.End()
		time.Sleep(2 * time.Millisecond)
	}

	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if _, err := fr.WriteTo(f); err != nil {
		panic(err)
	}
	fr.Stop()
	close(block)
}
