// Command whyfanout writes an execution trace of a request task fanned out
// to 3 workers, one of which is slow because it is starved of Ps: with
// GOMAXPROCS=1 and 3 CPU-bound hogs, worker 2 spins until 30 ms have passed
// by the clock, is preempted and then waits for the P behind the hogs, so
// it spends most of its time runnable and finishes last. Workers 0 and 1
// spin for 1 ms each. Each worker logs "worker" N in the task and runs in a
// region "work"; hogs log "hog".
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var sink atomic.Uint64

// spin burns CPU until d has passed by the clock (runnable time counts).
func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink.Add(x)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: whyfanout OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	runtime.GOMAXPROCS(1)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx := context.Background()
	var stop atomic.Bool
	var hogs sync.WaitGroup
	for i := 0; i < 3; i++ {
		hogs.Add(1)
		go hog(ctx, &hogs, &stop)
	}
	runtime.Gosched()

	rctx, task := trace.NewTask(ctx, "request")
	var wg sync.WaitGroup
	for i, work := range []time.Duration{time.Millisecond, time.Millisecond, 30 * time.Millisecond} {
		wg.Add(1)
		go worker(rctx, &wg, i, work)
	}
	wg.Wait()
	task.End()

	stop.Store(true)
	hogs.Wait()
	trace.Stop()
}

func hog(ctx context.Context, wg *sync.WaitGroup, stop *atomic.Bool) {
	defer wg.Done()
	trace.Log(ctx, "hog", "")
	for !stop.Load() {
		spin(time.Millisecond)
	}
}

func worker(ctx context.Context, wg *sync.WaitGroup, i int, work time.Duration) {
	defer wg.Done()
	trace.Log(ctx, "worker", fmt.Sprint(i))
	trace.WithRegion(ctx, "work", func() { spin(work) })
}
