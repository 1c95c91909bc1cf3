// Reads a whole trace the way the CLI analyses do (dist/cli/decode-thread.js)
// on a given number of decode workers and prints one JSON line
// {"events", "seconds", "parts", "fellBack"}: the parallel decode rows of the
// engine benchmark. 0 workers reads in this thread; 1, on one worker; N ≥ 2,
// in parts of whole generations on N workers, stitched in order.
//
// Usage: node bench/decode-workers.mjs WORKERS FILE
//
// Each event's kind and time are folded into a checksum that is printed, so
// the JIT cannot drop the work.
import { driveFile } from "../dist/cli/decode-thread.js";

if (process.argv.length !== 4) {
  process.stderr.write("usage: node bench/decode-workers.mjs WORKERS FILE\n");
  process.exit(2);
}
const workers = Number(process.argv[2]);
const path = process.argv[3];
const report = {};
let events = 0;
let checksum = 0;
const start = process.hrtime.bigint();
const run = await driveFile(
  path,
  (ev) => {
    events++;
    checksum = (checksum + ev.kind * 31 + ev.time) % 2 ** 52;
  },
  { workers, report },
);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (run.error) {
  process.stderr.write(`decode-workers.mjs: ${run.error.message}\n`);
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({ events, seconds, parts: report.parts ?? 0, fellBack: report.fellBack ?? null, checksum })}\n`,
);
