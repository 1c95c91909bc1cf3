// Splits the timeline's build into its parts, in one process on a file read
// into memory first: the bare read (every event decoded, nothing done with
// it), the read with the builder fed every event, and the builder's
// finalize (the reordering by P, thread and goroutine). Prints one JSON
// line per run, wall and CPU seconds of each part and the peak RSS; the
// model's own per-event cost is the second part less the first.
//
// Usage: node bench/timeline-split.mjs FILE [RUNS]
import { readFileSync } from "node:fs";
import { drive } from "../dist/decode/drive.js";
import { TimelineBuilder } from "../dist/model/builder.js";

const [file, runsArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: node bench/timeline-split.mjs FILE [RUNS]\n");
  process.exit(2);
}
const runs = Number(runsArg ?? 1);
const bytes = readFileSync(file);
const chunks = [];
for (let at = 0; at < bytes.length; at += 1 << 20) chunks.push(bytes.subarray(at, at + (1 << 20)));

function clock() {
  const c = process.cpuUsage();
  return { wall: performance.now(), cpu: (c.user + c.system) / 1000 };
}
function since(a) {
  const b = clock();
  return { wall: (b.wall - a.wall) / 1000, cpu: (b.cpu - a.cpu) / 1000 };
}
const r3 = (x) => Math.round(x * 1000) / 1000;

for (let run = 0; run < runs; run++) {
  let t = clock();
  let n = 0;
  await drive(chunks, () => {
    n++;
  });
  const read = since(t);
  globalThis.gc?.();
  t = clock();
  const b = new TimelineBuilder();
  await drive(chunks, (ev, r) => b.event(ev, r));
  const events = since(t);
  t = clock();
  const tl = b.finalize();
  const finalize = since(t);
  process.stdout.write(
    `${JSON.stringify({
      events: n,
      readWall: r3(read.wall),
      readCpu: r3(read.cpu),
      buildWall: r3(events.wall),
      buildCpu: r3(events.cpu),
      finalizeWall: r3(finalize.wall),
      finalizeCpu: r3(finalize.cpu),
      modelPerEventCpuNs: Math.round(((events.cpu - read.cpu) / n) * 1e9),
      maxRssKiB: process.resourceUsage().maxRSS,
      slices: tl.exec.length,
    })}\n`,
  );
}
