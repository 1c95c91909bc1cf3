// What the timeline (the model every view and analysis reads) keeps in
// memory per event: the trace is built into a timeline as `gotrace view`
// builds it, the reader and everything else dropped, then the V8 heap and
// the typed arrays' memory are measured after a full GC, less what they
// were before the read, and divided by the trace's events.
//
// Usage: npm run build && node --expose-gc bench/timeline-memory.mjs FILE…
// Each file is measured in a fresh process; prints one line per file.
import { execFileSync } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);

async function measure(file) {
  if (!globalThis.gc) throw new Error("run with node --expose-gc");
  const { buildTimeline } = await import("../dist/query/timeline/build.js");
  const used = () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    // `external` includes the ArrayBuffers behind typed arrays.
    return m.heapUsed + m.external;
  };
  const before = used();
  const t0 = performance.now();
  const built = await buildTimeline(createReadStream(file, { highWaterMark: 1 << 20 }));
  const sec = (performance.now() - t0) / 1000;
  const tl = built.engine.tl;
  const bytes = used() - before;
  const size = statSync(file).size;
  const out = {
    file,
    sizeBytes: size,
    events: tl.events,
    buildSec: sec,
    timelineBytes: bytes,
    bytesPerEvent: bytes / tl.events,
    timesFile: bytes / size,
  };
  // Kept alive until measured.
  globalThis.keep = built;
  return out;
}

if (process.argv[2] === "--one") {
  process.stdout.write(`${JSON.stringify(await measure(process.argv[3]))}\n`);
} else {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write("usage: node --expose-gc bench/timeline-memory.mjs FILE…\n");
    process.exit(2);
  }
  for (const file of files) {
    const r = JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=16384", self, "--one", file], {
        encoding: "utf8",
      }),
    );
    const mib = (b) => (b / 2 ** 20).toFixed(0);
    process.stdout.write(
      `${r.file}: ${mib(r.sizeBytes)} MiB, ${r.events.toLocaleString("en")} events; timeline ${mib(r.timelineBytes)} MiB = ` +
        `${r.bytesPerEvent.toFixed(1)} bytes/event, ${r.timesFile.toFixed(2)}× the file (built in ${r.buildSec.toFixed(1)} s)\n`,
    );
  }
}
