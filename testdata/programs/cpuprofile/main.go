// Command cpuprofile writes an execution trace taken while the CPU profiler
// is running, so the trace contains CPU sample batches (with stacks) from
// several busy goroutines.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

//go:noinline
func spinA(d time.Duration) uint64 {
	var x uint64 = 1
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 200000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	return x
}

//go:noinline
func spinB(d time.Duration) uint64 {
	var x uint64
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 200000; i++ {
			x += uint64(i) ^ (x >> 3)
		}
	}
	return x
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cpuprofile OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	var wg sync.WaitGroup
	var sum uint64
	var mu sync.Mutex
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var v uint64
			if g%2 == 0 {
				v = spinA(500 * time.Millisecond)
			} else {
				v = spinB(500 * time.Millisecond)
			}
			mu.Lock()
			sum += v
			mu.Unlock()
		}(g)
	}
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	fmt.Fprintln(os.Stderr, "sum", sum)
}
