// Runs every analysis gotrace has on a trace in one pass (runAnalyzers) and
// prints one JSON line {"events", "seconds", "maxRssKiB", "analyzers"}: the
// "all analyses" benchmark row, timed against go tool trace -pprof=sync.
//
// Usage: [ANALYZERS=Name,Name…] node bench/analyze.mjs FILE
//
// The analyzers are found, not listed: every class exported by a
// dist/stream/*.js module whose name ends in "Analyzer" (constructor
// arguments below where one needs them); ANALYZERS picks some by name, to
// see what each costs. Their results are then finished the
// way the CLI finishes them where that costs time: the four blocking profiles
// are built and encoded as pprof, as go tool trace -pprof does for one.
import { createReadStream, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const path = process.argv[2];
if (process.argv.length !== 3) {
  process.stderr.write("usage: node bench/analyze.mjs FILE\n");
  process.exit(2);
}

const streamDir = new URL("../dist/stream/", import.meta.url);
const { runAnalyzers } = await import(new URL("analyzer.js", streamDir).href);

/** Constructor arguments for analyzers that need them. */
const args = {
  // UtilFlags: stop-the-world, background workers, mark assists and sweeping (go tool trace's MMU defaults).
  MutatorUtilAnalyzer: [1 | 2 | 4 | 8],
};

const only = process.env.ANALYZERS ? new Set(process.env.ANALYZERS.split(",")) : undefined;
const analyzers = [];
for (const file of readdirSync(fileURLToPath(streamDir)).sort()) {
  if (!file.endsWith(".js") || file.endsWith(".test.js")) continue;
  const mod = await import(new URL(file, streamDir).href);
  for (const [name, C] of Object.entries(mod)) {
    if (typeof C !== "function" || !name.endsWith("Analyzer") || (only && !only.has(name))) continue;
    if (typeof C.prototype?.event !== "function" || typeof C.prototype?.finalize !== "function") continue;
    analyzers.push({ name, analyzer: new C(...(args[name] ?? [])) });
  }
}

const start = process.hrtime.bigint();
let events = 0;
const counter = { event: () => events++, finalize() {} };
const run = await runAnalyzers(createReadStream(path, { highWaterMark: 1 << 20 }), [
  counter,
  ...analyzers.map((a) => a.analyzer),
]);
if (run.error) {
  process.stderr.write(`analyze.mjs: after ${events} events: ${run.error.message}\n`);
  process.exit(1);
}
let check = 0;
for (const { analyzer } of analyzers) {
  const result = analyzer.finalize();
  if (typeof result?.records === "function") {
    const { encodePprof } = await import(new URL("pprof-encode.js", streamDir).href);
    for (const type of ["net", "sync", "syscall", "sched"]) check += encodePprof(result.records(type)).length;
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(
  `${JSON.stringify({
    events,
    seconds,
    maxRssKiB: process.resourceUsage().maxRSS,
    analyzers: analyzers.map((a) => a.name),
    checksum: check,
  })}\n`,
);
