// Command hostile writes an execution trace whose user-controlled strings
// (task names, region names, log categories and messages) contain HTML/JS
// injection payloads, quotes, backticks, control-ish characters and
// non-ASCII text. A UI that renders these must escape them. (Goroutine
// labels cannot be set by user code, so they are not covered.)
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
)

var payloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(2)>`,
	`"double" 'single' ` + "`backtick` ${1+1}",
	`</title><svg onload=alert(3)>`,
	`javascript:alert(4)`,
	`&amp; &lt;b&gt; not-bold`,
	"日本語のタスク — Ünïcödé ✓ 🚀",
	"עברית RTL \u202Eoverride\u202C",
	"tab\tnewline\nbackslash\\end",
	"zero\u200Bwidth",
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hostile OUT.trace")
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
	var wg sync.WaitGroup
	for i, p := range payloads {
		wg.Add(1)
		go func(i int, p string) {
			defer wg.Done()
			tctx, task := trace.NewTask(ctx, p)
			defer task.End()
			trace.WithRegion(tctx, p, func() {
				trace.Log(tctx, p, p)
				trace.Log(tctx, "category", fmt.Sprintf("message %d: %s", i, p))
			})
			r := trace.StartRegion(tctx, "region "+p)
			trace.Log(tctx, "", p)
			r.End()
		}(i, p)
	}
	wg.Wait()
	// A nested task whose parent has a hostile name.
	pctx, parent := trace.NewTask(ctx, payloads[0])
	cctx, child := trace.NewTask(pctx, payloads[1])
	trace.Log(cctx, payloads[2], payloads[6])
	child.End()
	parent.End()
	trace.Stop()
}
