// Builds the timeline (the columnar model every view, analysis and export
// stands on) from a trace, as `gotrace view` and the CLI do, and prints one
// JSON line {"events": N, "seconds": S, "maxRssKiB": K, "modelBytes": B}:
// the read and the build together, the process's peak RSS, and the bytes of
// typed arrays the finished timeline holds (docs/model-budget.md breaks
// them down per column).
//
// Usage: node bench/timeline.mjs FILE
import { createReadStream } from "node:fs";
import { buildTimeline } from "../dist/query/timeline/build.js";

const args = process.argv.slice(2);
if (args.length !== 1) {
  process.stderr.write("usage: node bench/timeline.mjs FILE\n");
  process.exit(2);
}
const start = process.hrtime.bigint();
// 1 MiB chunks, as the gotrace CLI reads files.
const { engine, error } = await buildTimeline(createReadStream(args[0], { highWaterMark: 1 << 20 }));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (error) {
  process.stderr.write(`timeline.mjs: ${error.message}\n`);
  process.exit(1);
}
const tl = engine.tl;

/** Bytes of the typed arrays under a table, column, counter or grouping. */
function bytes(x) {
  if (ArrayBuffer.isView(x)) return x.byteLength;
  if (!x || typeof x !== "object") return 0;
  if (typeof x.bytes === "number") return x.bytes;
  if (x.order && x.starts) return x.order.byteLength + x.starts.byteLength;
  let n = 0;
  if (typeof x.length === "number")
    for (const c of Object.values(x)) if (c && typeof c.bytes === "number") n += c.bytes;
  return n;
}
let modelBytes = 0;
for (const x of Object.values(tl)) modelBytes += bytes(x);
process.stdout.write(
  `${JSON.stringify({
    events: tl.events,
    seconds,
    maxRssKiB: process.resourceUsage().maxRSS, // KiB on Linux
    modelBytes,
  })}\n`,
);
