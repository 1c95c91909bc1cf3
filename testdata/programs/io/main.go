// Command io writes an execution trace dominated by I/O: a TCP echo
// exchange over loopback (network poller blocking), file writes and reads
// in a temporary directory, a blocking pipe read, and os/exec of a child
// process (syscalls, goroutines entering and leaving syscalls).
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: io OUT.trace")
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
	tcp()
	files()
	pipe()
	child()
	trace.Stop()
}

func tcp() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 2; i++ {
			c, err := ln.Accept()
			if err != nil {
				panic(err)
			}
			wg.Add(1)
			go func(c net.Conn) {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					time.Sleep(100 * time.Microsecond) // make the client block in read
					if _, err := io.WriteString(c, "echo:"+line); err != nil {
						return
					}
				}
			}(c)
		}
	}()
	var cw sync.WaitGroup
	for k := 0; k < 2; k++ {
		cw.Add(1)
		go func(k int) {
			defer cw.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				panic(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			for i := 0; i < 40; i++ {
				fmt.Fprintf(c, "client %d message %d\n", k, i)
				if _, err := r.ReadString('\n'); err != nil {
					panic(err)
				}
			}
			// One larger transfer.
			buf := make([]byte, 64<<10)
			for i := range buf {
				buf[i] = 'a' + byte(i%26)
			}
			buf[len(buf)-1] = '\n'
			if _, err := c.Write(buf); err != nil {
				panic(err)
			}
			if _, err := r.ReadString('\n'); err != nil {
				panic(err)
			}
		}(k)
	}
	cw.Wait()
	wg.Wait()
}

func files() {
	dir, err := os.MkdirTemp("", "gotrace-io-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			name := filepath.Join(dir, fmt.Sprintf("f%d", g))
			data := make([]byte, 32<<10)
			for i := 0; i < 8; i++ {
				if err := os.WriteFile(name, data, 0o644); err != nil {
					panic(err)
				}
				f, err := os.Open(name)
				if err != nil {
					panic(err)
				}
				_ = f.Sync() // an extra syscall; errors are irrelevant here
				if _, err := io.Copy(io.Discard, f); err != nil {
					panic(err)
				}
				f.Close()
			}
		}(g)
	}
	wg.Wait()
}

func pipe() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 128)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()
	for i := 0; i < 5; i++ {
		time.Sleep(500 * time.Microsecond)
		fmt.Fprintf(w, "pipe %d\n", i)
	}
	w.Close()
	<-done
	r.Close()
}

func child() {
	// Errors are ignored: the point is the fork/exec/wait syscalls, and a
	// missing binary still produces them (or at least the lookup).
	for i := 0; i < 2; i++ {
		_ = exec.Command("true").Run()
	}
	_, _ = exec.Command("sh", "-c", "echo hello").Output()
}
