// Command gosortcheck is the reference side of the differential test for
// src/decode/go-sort.ts. It reads a batch of cases from stdin and, for each,
// sorts (key, index) pairs with slices.SortFunc comparing only the key, then
// prints the resulting index order. Because only the key is compared, ties are
// ordered purely by the algorithm, which is what the test pins down.
//
// Input: one case per line, "n k0 k1 ... k(n-1)" (integer keys).
// Output: one line per case, the number of comparator calls followed by the
// original indices in sorted order. The call count catches deviations that
// happen to leave the final order unchanged (e.g. an extra comparison).
package main

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

type item struct {
	key   int64
	index int
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			fmt.Fprintln(os.Stderr, "empty line")
			os.Exit(2)
		}
		n, err := strconv.Atoi(fields[0])
		if err != nil || n != len(fields)-1 {
			fmt.Fprintf(os.Stderr, "bad case header %q\n", fields[0])
			os.Exit(2)
		}
		items := make([]item, n)
		for i := range items {
			k, err := strconv.ParseInt(fields[i+1], 10, 64)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			items[i] = item{key: k, index: i}
		}
		calls := 0
		slices.SortFunc(items, func(a, b item) int {
			calls++
			return cmp.Compare(a.key, b.key)
		})
		out.WriteString(strconv.Itoa(calls))
		for _, it := range items {
			out.WriteByte(' ')
			out.WriteString(strconv.Itoa(it.index))
		}
		out.WriteByte('\n')
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
