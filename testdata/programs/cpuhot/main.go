// Command cpuhot traces about 3 s of CPU-bound work in three hot functions
// of known weight (crunchA 3 : crunchB 2 : crunchC 1 per round) on two
// goroutines, each call inside a region named after the function, with the
// CPU profiler on for the same run, and writes both the trace and
// runtime/pprof's CPU profile: the CPU profile gotrace builds from the
// trace's samples must agree with the one Go wrote.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

//go:noinline
func crunchA(n int) uint64 {
	var x uint64 = 1
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

//go:noinline
func crunchB(n int) uint64 {
	var x uint64
	for i := 0; i < n; i++ {
		x += uint64(i) ^ (x >> 3)
	}
	return x
}

//go:noinline
func crunchC(n int) uint64 {
	var x uint64 = 7
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func worker(until time.Time) uint64 {
	ctx := context.Background()
	var sum uint64
	for time.Now().Before(until) {
		trace.WithRegion(ctx, "crunchA", func() { sum += crunchA(3_000_000) })
		trace.WithRegion(ctx, "crunchB", func() { sum += crunchB(2_000_000) })
		trace.WithRegion(ctx, "crunchC", func() { sum += crunchC(1_000_000) })
	}
	return sum
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: cpuhot OUT.trace OUT.pprof")
		os.Exit(2)
	}
	tf, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	pf, err := os.Create(os.Args[2])
	if err != nil {
		panic(err)
	}
	// The profiler starts first and stops last, so every sample the trace
	// holds is in the profile too.
	if err := pprof.StartCPUProfile(pf); err != nil {
		panic(err)
	}
	if err := trace.Start(tf); err != nil {
		panic(err)
	}
	until := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sum uint64
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := worker(until)
			mu.Lock()
			sum += v
			mu.Unlock()
		}()
	}
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	if err := tf.Close(); err != nil {
		panic(err)
	}
	if err := pf.Close(); err != nil {
		panic(err)
	}
	fmt.Fprintln(os.Stderr, "sum", sum)
}
