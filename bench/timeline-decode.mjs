// Does `gotrace view`'s timeline build get faster with the decode on a
// worker thread (the CLI's decode-thread.ts: events handed over as
// transferred columns and replayed) than with everything in the main
// thread? Each way is run as a fresh process, taken in turn, BENCH_RUNS
// times (default 3); prints the medians of wall time and peak RSS.
//
// Usage: npm run build && node bench/timeline-decode.mjs FILE
import { fileURLToPath } from "node:url";
import { hasGnuTime, median, runOnce } from "./measure.mjs";

const self = fileURLToPath(import.meta.url);

async function build(way, file) {
  const { TimelineBuilder } = await import("../dist/model/builder.js");
  const { buildTimeline } = await import("../dist/query/timeline/build.js");
  const { driveFile, fileVersion } = await import("../dist/cli/decode-thread.js");
  const { fileChunks } = await import("../dist/cli/chunks.js");
  const t0 = performance.now();
  let events;
  if (way === "main") {
    const built = await buildTimeline(fileChunks(file));
    events = built.engine.tl.events;
  } else {
    const builder = new TimelineBuilder();
    // The worker's events come without their reader: the builder reads only its version.
    const reader = { version: fileVersion(file) };
    await driveFile(file, (ev) => builder.event(ev, reader), { workers: 1 });
    events = builder.finalize().events;
  }
  return { sec: (performance.now() - t0) / 1000, events };
}

if (process.argv[2] === "--one") {
  process.stdout.write(`${JSON.stringify(await build(process.argv[3], process.argv[4]))}\n`);
} else {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: node bench/timeline-decode.mjs FILE\n");
    process.exit(2);
  }
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const results = { main: [], worker: [] };
  for (let i = 0; i < runs; i++) {
    for (const way of ["main", "worker"]) {
      const r = runOnce(process.execPath, [self, "--one", way, file], { useGnuTime: hasGnuTime() });
      if (!r.ok) throw new Error(`${way}: ${r.error}`);
      results[way].push(r);
    }
  }
  for (const way of ["main", "worker"]) {
    const sec = median(results[way].map((r) => r.wallSec));
    const rss = median(results[way].map((r) => r.maxRssKiB ?? 0)) / 1024;
    process.stdout.write(
      `timeline build, decode in the ${way === "main" ? "main thread" : "worker thread"}: ${sec.toFixed(2)} s, ${rss.toFixed(0)} MiB peak\n`,
    );
  }
}
