//go:build go1.22

// Command cgocallback writes an execution trace in which C-created pthreads
// call back into Go several times. Each callback runs on an M that the Go
// runtime did not create (an "extra" M): it appears in the trace without a P
// at first, the goroutine used for the callback comes out of a syscall-like
// state, and it goes back to C when the callback returns.
package main

/*
#include <pthread.h>
#include <stdint.h>

extern void goCallback(int);

static void *worker(void *arg) {
	int id = (int)(intptr_t)arg;
	for (int i = 0; i < 5; i++) {
		goCallback(id * 100 + i);
	}
	return NULL;
}

static void runThreads(int n) {
	pthread_t th[16];
	if (n > 16) n = 16;
	for (int i = 0; i < n; i++) {
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
	}
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync/atomic"
	"time"
)

var calls atomic.Int64

//export goCallback
func goCallback(v C.int) {
	calls.Add(1)
	// Do something that interacts with the scheduler inside the callback.
	x := make([]byte, 1024)
	x[0] = byte(v)
	if v%2 == 0 {
		runtime.Gosched()
	}
	time.Sleep(10 * time.Microsecond)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cgocallback OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	// Run once before tracing so some extra Ms already exist when the
	// trace starts, then again during tracing.
	C.runThreads(2)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	for round := 0; round < 3; round++ {
		C.runThreads(4)
	}
	trace.Stop()
	fmt.Fprintln(os.Stderr, "callbacks:", calls.Load())
}
