// Command whydiff writes an execution trace of 4 workers serving 40
// requests each (a task "request" with a region "handle"); each request
// looks a key up under a shared mutex (lookup) and computes a little.
// Run with the argument "slow" it has an injected regression: lookup holds
// the mutex while it sleeps 300 µs, so the other workers queue on it. The
// fixture pair whydiff / whydiff-slow is gotrace diff's test input.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	table = map[int]int{}
	slow  bool
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: whydiff OUT.trace [slow]")
		os.Exit(2)
	}
	slow = len(os.Args) > 2 && os.Args[2] == "slow"
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go worker(&wg, w)
	}
	wg.Wait()
	trace.Stop()
}

func worker(wg *sync.WaitGroup, w int) {
	defer wg.Done()
	for i := 0; i < 40; i++ {
		ctx, task := trace.NewTask(context.Background(), "request")
		trace.WithRegion(ctx, "handle", func() {
			v := lookup(w*100 + i)
			compute(v)
		})
		task.End()
		time.Sleep(200 * time.Microsecond)
	}
}

// lookup reads the shared table under its mutex; the regression sleeps while holding it.
func lookup(k int) int {
	mu.Lock()
	defer mu.Unlock()
	if slow {
		time.Sleep(300 * time.Microsecond)
	}
	table[k] = k * 2
	return table[k]
}

func compute(v int) int {
	x := v
	for i := 0; i < 20000; i++ {
		x = x*31 + i
	}
	return x
}
