// Command whychain writes an execution trace with a known chain of
// wake-ups: goroutine A waits on a channel that B sends on once it has
// locked a mutex held by C, which sleeps 20 ms before unlocking it. Each
// goroutine logs its role (trace.Log category "role", message "A", "B" or
// "C") so that tests find it without knowing goroutine IDs.
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
		fmt.Fprintln(os.Stderr, "usage: whychain OUT.trace")
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
	var mu sync.Mutex
	ch := make(chan int)
	locked := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3)
	go holder(ctx, &wg, &mu, locked)
	<-locked
	go sender(ctx, &wg, &mu, ch)
	// Let B block on the mutex before A starts waiting.
	time.Sleep(2 * time.Millisecond)
	go receiver(ctx, &wg, ch)
	wg.Wait()
	trace.Stop()
}

// holder is C: it holds the mutex while it sleeps.
func holder(ctx context.Context, wg *sync.WaitGroup, mu *sync.Mutex, locked chan<- struct{}) {
	defer wg.Done()
	trace.Log(ctx, "role", "C")
	mu.Lock()
	close(locked)
	time.Sleep(20 * time.Millisecond)
	mu.Unlock()
}

// sender is B: it sends once it has the mutex.
func sender(ctx context.Context, wg *sync.WaitGroup, mu *sync.Mutex, ch chan<- int) {
	defer wg.Done()
	trace.Log(ctx, "role", "B")
	mu.Lock()
	ch <- 1
	mu.Unlock()
}

// receiver is A: it waits on the channel, inside a region "wait".
func receiver(ctx context.Context, wg *sync.WaitGroup, ch <-chan int) {
	defer wg.Done()
	trace.Log(ctx, "role", "A")
	trace.WithRegion(ctx, "wait", func() { <-ch })
}
