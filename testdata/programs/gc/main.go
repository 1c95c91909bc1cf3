// Command gc writes an execution trace with many GC cycles: explicit
// runtime.GC calls plus several goroutines allocating garbage concurrently,
// so that the trace contains GC start/end, STW, mark assists, sweeps and
// heap/goal metric updates.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
)

type node struct {
	next *node
	buf  [48]byte
}

var sink []*node

func churn(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head}
		if i%64 == 0 {
			_ = make([]byte, 4<<10)
		}
	}
	return head
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gc OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	// A small GC target makes cycles frequent and assists likely.
	debug.SetGCPercent(20)
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 60; i++ {
				l := churn(2000)
				if i%10 == 0 {
					mu.Lock()
					sink = append(sink, l) // keep some live heap
					mu.Unlock()
				}
			}
		}(g)
	}
	for i := 0; i < 5; i++ {
		runtime.GC()
		_ = churn(500)
	}
	wg.Wait()
	sink = nil
	runtime.GC()
	trace.Stop()
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	fmt.Fprintln(os.Stderr, "gc cycles:", st.NumGC)
}
