// Command pprofserver is a running program to capture a trace from: it
// serves net/http/pprof on 127.0.0.1 at a free port, prints
// "listening on http://ADDR" once it accepts connections, and keeps a few
// goroutines busy (a named task and region, a log message) so that a
// capture of /debug/pprof/trace holds events only this program makes.
// Not run by generate.sh: the live-capture tests build and start it.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/trace"
	"time"
)

func work(ctx context.Context, n int) int {
	ctx, task := trace.NewTask(ctx, "pprofserver-work")
	defer task.End()
	sum := 0
	trace.WithRegion(ctx, "pprofserver-sum", func() {
		for i := 0; i < n; i++ {
			sum += i * i
		}
	})
	trace.Log(ctx, "pprofserver", "summed")
	return sum
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; i < 2; i++ {
		go func() {
			for {
				work(context.Background(), 200000)
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
