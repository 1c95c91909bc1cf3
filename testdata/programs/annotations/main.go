// Command annotations writes an execution trace exercising runtime/trace
// user annotations: nested tasks, a task ended on a different goroutine than
// the one that created it, a task never ended, regions (nested, via
// WithRegion, and one left open when its goroutine exits, and one still open
// when tracing stops), and logs with and without categories.
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
		fmt.Fprintln(os.Stderr, "usage: annotations OUT.trace")
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

	// Nested tasks: request > db > query.
	rctx, request := trace.NewTask(ctx, "request")
	trace.Log(rctx, "http", "GET /index")
	dctx, db := trace.NewTask(rctx, "db")
	qctx, query := trace.NewTask(dctx, "query")
	trace.WithRegion(qctx, "sql", func() {
		trace.Logf(qctx, "sql", "SELECT %d", 42)
		time.Sleep(200 * time.Microsecond)
	})
	query.End()
	db.End()

	// Nested regions on one goroutine.
	outer := trace.StartRegion(rctx, "outer")
	inner := trace.StartRegion(rctx, "inner")
	trace.Log(rctx, "", "log with empty category")
	inner.End()
	outer.End()

	// A task handed to another goroutine and ended there.
	hctx, handoff := trace.NewTask(rctx, "handoff")
	trace.Log(hctx, "stage", "created on main goroutine")
	done := make(chan struct{})
	go func() {
		defer close(done)
		trace.WithRegion(hctx, "worker", func() {
			trace.Log(hctx, "stage", "ending on worker goroutine")
			time.Sleep(100 * time.Microsecond)
		})
		handoff.End()
	}()
	<-done
	request.End()

	// Several goroutines each with their own task and regions.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			wctx, t := trace.NewTask(ctx, fmt.Sprintf("job-%d", i))
			defer t.End()
			for j := 0; j < 3; j++ {
				trace.WithRegion(wctx, "step", func() {
					trace.Logf(wctx, "progress", "job %d step %d", i, j)
					time.Sleep(50 * time.Microsecond)
				})
			}
		}(i)
	}
	wg.Wait()

	// A region left open when its goroutine exits.
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		trace.StartRegion(ctx, "abandoned-on-exit")
		trace.Log(ctx, "exit", "goroutine exits with region open")
	}()
	<-exited

	// A task that is never ended, with a region (on the main goroutine)
	// still open when tracing stops.
	lctx, _ := trace.NewTask(ctx, "never-ended")
	trace.Log(lctx, "state", "this task never ends")
	trace.StartRegion(lctx, "open-at-stop")
	time.Sleep(100 * time.Microsecond)
	trace.Stop()
}
