// Command syscalls writes a trace that shows golang/go#74850 ("cmd/trace:
// syscall profile omits most events"): goroutines whose system calls return
// to running without a stack and which then end (also without one). Go
// 1.22–1.25's profiles skipped transitions without a stack, so the syscall
// profile lost hidden1 and hidden2 and kept only visible, whose sleep
// happens to have a stack; Go 1.26 counts every syscall. Each goroutine
// makes a known number of stat calls: hidden1 1, hidden2 2, visible 1.
package main

import (
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: syscalls OUT.trace")
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
	for _, fn := range []func(){hidden1, hidden2, visible} {
		wg.Add(1)
		go func(fn func()) {
			defer wg.Done()
			fn()
		}(fn)
	}
	wg.Wait()
	trace.Stop()
}

//go:noinline
func stat() {
	if _, err := os.Stat("."); err != nil {
		panic(err)
	}
}

//go:noinline
func hidden1() { stat() }

//go:noinline
func hidden2() {
	stat()
	stat()
}

//go:noinline
func visible() {
	stat()
	time.Sleep(time.Millisecond)
}
