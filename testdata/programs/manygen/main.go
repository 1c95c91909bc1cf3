// Command manygen runs ~1.6 s of light work under tracing. The generator
// runs it with GODEBUG=traceadvanceperiod=<small> so the trace is split into
// dozens of generations. Goroutines, tasks and regions that live across
// generation boundaries make the parser carry state from one generation to
// the next (each generation re-declares goroutine/P/M states in its
// first events; string and stack tables are per generation).
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: manygen OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx := context.Background()

	// A task and a region spanning the whole trace (many generations).
	lctx, long := trace.NewTask(ctx, "whole-run")
	whole := trace.StartRegion(lctx, "whole-run-region")

	// A goroutine blocked across many generations, woken at the end.
	wake := make(chan struct{})
	woke := make(chan struct{})
	go func() {
		<-wake
		close(woke)
	}()

	// A ticker goroutine: periodic small wakeups.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		n := 0
		for {
			select {
			case <-t.C:
				n++
				trace.Logf(lctx, "tick", "%d", n)
			case <-stop:
				return
			}
		}
	}()

	end := time.Now().Add(1600 * time.Millisecond)
	for i := 0; time.Now().Before(end); i++ {
		tctx, task := trace.NewTask(lctx, "step")
		r := trace.StartRegion(tctx, "sleep")
		time.Sleep(20 * time.Millisecond)
		r.End()
		done := make(chan int)
		go func() { done <- len(make([]byte, 4096)) }()
		<-done
		task.End()
	}
	close(stop)
	wg.Wait()
	close(wake)
	<-woke
	whole.End()
	long.End()
	trace.Stop()
}
