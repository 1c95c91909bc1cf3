// Command sched writes an execution trace of common scheduler activity:
// buffered and unbuffered channels, mutex contention, WaitGroup, Cond,
// multi-case select, sleeps, Gosched, and a goroutine that stays blocked
// forever (still blocked when the trace stops).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: sched OUT.trace")
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

	// A goroutine blocked forever on a select over nil channels.
	go func() {
		var never chan int
		select {
		case <-never:
		case never <- 1:
		}
	}()

	var wg sync.WaitGroup

	// Unbuffered ping-pong.
	ping, pong := make(chan int), make(chan int)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	}()
	go func() {
		defer wg.Done()
		for v := range ping {
			pong <- v + 1
		}
	}()

	// Buffered producer/consumers.
	work := make(chan int, 8)
	results := make(chan int, 4)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range work {
				results <- v * v
			}
		}()
	}
	go func() {
		for i := 0; i < 300; i++ {
			work <- i
		}
		close(work)
	}()
	sumDone := make(chan int)
	go func() {
		s := 0
		for i := 0; i < 300; i++ {
			s += <-results
		}
		sumDone <- s
	}()

	// Mutex contention.
	var mu sync.Mutex
	counter := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				mu.Lock()
				counter++
				if i%50 == 0 {
					time.Sleep(50 * time.Microsecond) // hold the lock while sleeping
				}
				mu.Unlock()
				if i%100 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}

	// sync.Cond: waiters released by Signal and Broadcast.
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			cmu.Lock()
			for ready <= id%2 {
				cond.Wait()
			}
			cmu.Unlock()
		}(g)
	}
	time.Sleep(2 * time.Millisecond)
	cmu.Lock()
	ready = 1
	cond.Signal()
	cmu.Unlock()
	time.Sleep(time.Millisecond)
	cmu.Lock()
	ready = 2
	cond.Broadcast()
	cmu.Unlock()

	// Select with several ready/unready cases and a timeout.
	a, b := make(chan int), make(chan string, 1)
	quit := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		timeout := time.After(20 * time.Millisecond)
		for {
			select {
			case <-a:
			case <-b:
			case <-quit:
				return
			case <-timeout:
				return
			}
		}
	}()
	for i := 0; i < 50; i++ {
		if i%2 == 0 {
			a <- i
		} else {
			b <- "x"
		}
		if i%10 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	close(quit)

	wg.Wait()
	fmt.Fprintln(os.Stderr, "sum", <-sumDone, "counter", counter)
	time.Sleep(time.Millisecond)
	runtime.Gosched()
	trace.Stop()
}
