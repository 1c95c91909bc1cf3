/**
 * Test support: a deterministic `go tool trace -d=parsed` for old traces.
 *
 * Go converts Go 1.11–1.21 traces with two loops over maps (the Ps whose
 * batches are merged, and the goroutines that existed when tracing started),
 * and Go randomizes map order: its output for one file differs from run to
 * run wherever that order shows. gotrace takes both in ascending order. This
 * builds Go's own reader with exactly those two loops sorted (the sources are
 * read from the local GOROOT and patched on the fly, through `go build
 * -overlay`; GOROOT is left untouched), so that gotrace can be compared with
 * it byte for byte.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const helperMain = `package main

import (
	"bufio"
	"fmt"
	"internal/trace"
	"io"
	"os"
)

// Prints every event as go tool trace -d=parsed does.
func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	r, err := trace.NewReader(bufio.NewReader(f))
	if err != nil {
		w.Flush()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return
		}
		if err != nil {
			w.Flush()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(w, ev.String())
	}
}
`;

/** Replaces `from` (which must occur exactly once) in `text`. */
function patchOnce(text: string, from: string, to: string, file: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new Error(`cannot patch ${file}: expected exactly one ${JSON.stringify(from)}`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

export interface GoV1Oracle {
  /** Runs the helper on a file: what it prints, its exit status and its error text. */
  run(path: string): Promise<{ stdout: Buffer; status: number; stderr: string }>;
  dispose(): void;
}

/** Builds the helper (a few seconds the first time, then from Go's build cache). */
export function buildGoV1Oracle(): GoV1Oracle {
  const goroot = spawnSync("go", ["env", "GOROOT"], { encoding: "utf8" }).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), "gotrace-v1-oracle-"));
  const parserPath = join(goroot, "src/internal/trace/internal/tracev1/parser.go");
  const convertPath = join(goroot, "src/internal/trace/tracev1.go");
  let parser = readFileSync(parserPath, "utf8");
  parser = patchOnce(
    parser,
    "for pid := range p.batchOffsets {",
    "for _, pid := range slices.Sorted(maps.Keys(p.batchOffsets)) {",
    parserPath,
  );
  parser = patchOnce(parser, '\t"math"\n', '\t"maps"\n\t"math"\n', parserPath);
  let convert = readFileSync(convertPath, "utf8");
  convert = patchOnce(
    convert,
    "for gid := range it.createdPreInit {",
    "for _, gid := range slices.Sorted(maps.Keys(it.createdPreInit)) {",
    convertPath,
  );
  convert = patchOnce(convert, '\t"io"\n', '\t"io"\n\t"maps"\n\t"slices"\n', convertPath);
  writeFileSync(join(dir, "main.go"), helperMain);
  writeFileSync(join(dir, "parser.go"), parser);
  writeFileSync(join(dir, "tracev1.go"), convert);
  const target = join(goroot, "src/internal/trace/gotracev1oracle/main.go");
  writeFileSync(
    join(dir, "overlay.json"),
    JSON.stringify({
      Replace: {
        [target]: join(dir, "main.go"),
        [parserPath]: join(dir, "parser.go"),
        [convertPath]: join(dir, "tracev1.go"),
      },
    }),
  );
  const bin = join(dir, "oracle");
  const b = spawnSync(
    "go",
    ["build", "-overlay", join(dir, "overlay.json"), "-o", bin, "internal/trace/gotracev1oracle"],
    { encoding: "utf8" },
  );
  if (b.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`building the Go oracle: ${b.stderr}`);
  }
  return {
    run: (path) =>
      new Promise((resolve, reject) => {
        const child = spawn(bin, [path]);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (x: Buffer) => out.push(x));
        child.stderr.on("data", (x: Buffer) => err.push(x));
        child.on("error", reject);
        child.on("close", (code) =>
          resolve({ stdout: Buffer.concat(out), status: code ?? -1, stderr: Buffer.concat(err).toString() }),
        );
      }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
