//go:build go1.23

// Command iterpull writes an execution trace in which iter.Pull coroutines
// are pulled repeatedly, producing GoSwitch / GoSwitchDestroy events (direct
// goroutine-to-goroutine switches without going through the scheduler).
package main

import (
	"fmt"
	"iter"
	"os"
	"runtime/trace"
	"sync"
)

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: iterpull OUT.trace")
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
	var wg sync.WaitGroup
	total := make([]int, 3)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for round := 0; round < 20; round++ {
				next, stop := iter.Pull(count(50))
				for {
					v, ok := next()
					if !ok {
						break
					}
					total[g] += v
					if round%2 == 1 && v == 25 {
						break // stop early: destroys a suspended coroutine
					}
				}
				stop()
			}
		}(g)
	}
	wg.Wait()
	trace.Stop()
	fmt.Fprintln(os.Stderr, "totals", total)
}
