// Command gomaxprocs writes an execution trace in which GOMAXPROCS is
// changed several times (up and down) with parallel work in between, so
// Ps appear, disappear and reappear (ProcStart/ProcStop/ProcSteal, STW
// "GOMAXPROCS" events, /sched/gomaxprocs metric updates).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

func work(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 0
			for end := time.Now().Add(5 * time.Millisecond); time.Now().Before(end); {
				for j := 0; j < 1000; j++ {
					x += j
				}
			}
			_ = x
			time.Sleep(200 * time.Microsecond)
		}()
	}
	wg.Wait()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gomaxprocs OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	orig := runtime.GOMAXPROCS(0)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	for _, n := range []int{1, 4, 2, 8, 1, 3} {
		runtime.GOMAXPROCS(n)
		work(6)
	}
	runtime.GOMAXPROCS(orig)
	work(2)
	trace.Stop()
}
