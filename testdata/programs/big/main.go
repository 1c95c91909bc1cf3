// Command big writes a large execution trace for benchmarks. It runs a
// realistic mixed workload (worker pools fed by channels, mutex contention,
// allocation and GC, file and pipe syscalls, tasks/regions/logs, timers)
// until the trace file reaches the requested size.
//
// Usage: big [-timeout D] OUT.trace [SIZE_MB]   (SIZE_MB defaults to 200)
//
// It is not run by generate.sh; its output is not committed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type item struct {
	id      int
	payload []byte
}

var (
	mu    sync.Mutex
	table = map[int]int{}
	ops   atomic.Int64
)

func stage(ctx context.Context, in <-chan item, out chan<- item, name string) {
	for it := range in {
		trace.WithRegion(ctx, name, func() {
			sum := 0
			for _, b := range it.payload {
				sum += int(b)
			}
			mu.Lock()
			table[it.id%1024] += sum
			mu.Unlock()
			if it.id%7 == 0 {
				it.payload = append(it.payload, make([]byte, 512)...)
			}
		})
		ops.Add(1)
		if out != nil {
			out <- it
		}
	}
	if out != nil {
		close(out)
	}
}

func pipeline(ctx context.Context, round int) {
	tctx, task := trace.NewTask(ctx, "pipeline")
	defer task.End()
	a := make(chan item, 16)
	b := make(chan item)
	c := make(chan item, 4)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); stage(tctx, a, b, "parse") }()
	go func() { defer wg.Done(); stage(tctx, b, c, "transform") }()
	go func() { defer wg.Done(); stage(tctx, c, nil, "store") }()
	for i := 0; i < 200; i++ {
		a <- item{id: round*1000 + i, payload: make([]byte, 256+i%512)}
	}
	close(a)
	wg.Wait()
	trace.Logf(tctx, "pipeline", "round %d done", round)
}

func contention(ctx context.Context) {
	tctx, task := trace.NewTask(ctx, "contention")
	defer task.End()
	var wg sync.WaitGroup
	var m sync.Mutex
	cond := sync.NewCond(&m)
	turn := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			defer trace.StartRegion(tctx, "turns").End()
			for i := 0; i < 10; i++ {
				m.Lock()
				for turn%4 != g {
					cond.Wait()
				}
				turn++
				cond.Broadcast()
				m.Unlock()
			}
		}(g)
	}
	wg.Wait()
}

func syscalls(ctx context.Context, dir string, round int) {
	tctx, task := trace.NewTask(ctx, "io")
	defer task.End()
	name := filepath.Join(dir, fmt.Sprintf("f%d", round%4))
	trace.WithRegion(tctx, "file", func() {
		if err := os.WriteFile(name, make([]byte, 8<<10), 0o644); err != nil {
			panic(err)
		}
		f, err := os.Open(name)
		if err != nil {
			panic(err)
		}
		_, _ = io.Copy(io.Discard, f)
		f.Close()
	})
	trace.WithRegion(tctx, "pipe", func() {
		r, w, err := os.Pipe()
		if err != nil {
			panic(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = io.Copy(io.Discard, r)
		}()
		for i := 0; i < 4; i++ {
			_, _ = w.Write(make([]byte, 1024))
		}
		w.Close()
		<-done
		r.Close()
	})
}

func main() {
	timeout := flag.Duration("timeout", 10*time.Minute, "give up after this long")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: big [-timeout D] OUT.trace [SIZE_MB]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || flag.NArg() > 2 {
		flag.Usage()
		os.Exit(2)
	}
	sizeMB := 200
	if flag.NArg() == 2 {
		n, err := strconv.Atoi(flag.Arg(1))
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "bad SIZE_MB:", flag.Arg(1))
			os.Exit(2)
		}
		sizeMB = n
	}
	target := int64(sizeMB) << 20

	dir, err := os.MkdirTemp("", "gotrace-big-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	f, err := os.Create(flag.Arg(0))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	start := time.Now()
	ctx := context.Background()

	// Background goroutines: a ticker and an idle waiter.
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()

	size := func() int64 {
		st, err := f.Stat()
		if err != nil {
			panic(err)
		}
		return st.Size()
	}
	round := 0
	for size() < target {
		if time.Since(start) > *timeout {
			fmt.Fprintln(os.Stderr, "timeout reached before target size")
			break
		}
		rctx, task := trace.NewTask(ctx, "round")
		var wg sync.WaitGroup
		wg.Add(3)
		go func(r int) { defer wg.Done(); pipeline(rctx, r) }(round)
		go func() { defer wg.Done(); contention(rctx) }()
		go func(r int) { defer wg.Done(); syscalls(rctx, dir, r) }(round)
		wg.Wait()
		if round%50 == 0 {
			runtime.GC()
		}
		if round%20 == 0 {
			time.Sleep(100 * time.Microsecond)
			runtime.Gosched()
		}
		task.End()
		round++
	}
	close(stop)
	trace.Stop()
	fmt.Fprintf(os.Stderr, "big: %d rounds, %d ops, %.1f MB in %v\n",
		round, ops.Load(), float64(size())/(1<<20), time.Since(start).Round(time.Millisecond))
}
