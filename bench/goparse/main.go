// Command goparse is the Go reference for gotrace's benchmark: it reads a
// whole execution trace with golang.org/x/exp/trace (the exported copy of
// Go's internal/trace reader) and prints one JSON line
// {"events": N, "seconds": S, "maxRssKiB": K}.
//
// Each event's kind and time are read (and folded into a checksum that is
// printed) so that the compiler cannot drop the work.
//
// Usage: goparse FILE
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/exp/trace"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goparse FILE")
		os.Exit(2)
	}
	start := time.Now()
	f, err := os.Open(os.Args[1])
	if err != nil {
		fail(err)
	}
	defer f.Close()
	// 1 MiB reads, the same chunk size bench/read.mjs uses.
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fail(err)
	}
	var events, sum uint64
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(fmt.Errorf("after %d events: %w", events, err))
		}
		events++
		sum += uint64(ev.Kind()) + uint64(ev.Time())
	}
	seconds := time.Since(start).Seconds()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	out, _ := json.Marshal(map[string]any{
		"events":    events,
		"seconds":   seconds,
		"maxRssKiB": ru.Maxrss, // Linux reports KiB
		"checksum":  sum,
	})
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "goparse:", err)
	os.Exit(1)
}
