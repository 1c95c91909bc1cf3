// Summarizes a V8 .cpuprofile (from `node --cpu-prof`) by self time: the
// top functions and the top files, so a profile of bench/read.mjs can be
// read without DevTools.
//
// Usage:
//   node --cpu-prof --cpu-prof-dir=bench/out/prof bench/read.mjs bench/out/big-go1.26.trace
//   node bench/profile-summary.mjs bench/out/prof/CPU.*.cpuprofile [TOP]
import { readFileSync } from "node:fs";

const [path, topArg] = process.argv.slice(2);
if (!path) {
  process.stderr.write("usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]\n");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(path, "utf8"));

// Self time of a node = the time deltas of the samples that landed on it.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function shortUrl(url) {
  const i = url.indexOf("/dist/");
  if (i >= 0) return url.slice(i + 1);
  const j = url.indexOf("/bench/");
  return j >= 0 ? url.slice(j + 1) : url.replace(/^node:/, "node:");
}

const byFunction = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const cf = node.callFrame;
  const file = cf.url ? shortUrl(cf.url) : "(native)";
  const fn = `${cf.functionName || "(anonymous)"}  ${file}${cf.url ? `:${cf.lineNumber + 1}` : ""}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byFile.set(file, (byFile.get(file) ?? 0) + us);
}

function format(title, map) {
  const lines = [`\n${title} (of ${(totalUs / 1e6).toFixed(2)} s sampled)`];
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, us] of rows) {
    lines.push(
      `${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(6)} ms  ${name}`,
    );
  }
  return lines.join("\n");
}

// One write, so that piping into `head` does not end in EPIPE halfway.
process.stdout.write(
  `${format("self time by function", byFunction)}\n${format("self time by file", byFile)}\n`,
);
