// The first question of each analysis page after `gotrace view` has given
// its first answer, asked as a user opens the pages in turn: the goroutine
// list, the sync profile cut to the second half of the trace (with the
// profile page's filters beside it), the same profile cut to a region type,
// the tasks and regions page, the MMU with another choice of GC work per P,
// and scheduler latency. Each is the first question of its field, so it
// measures what that field's first computation costs, or, once the
// background precompute has done it, that it answers at once.
//
// Each run is one `gotrace view` process: the overview is asked as soon as
// the URL is printed (the first answer), then each page after a pause, the
// user's time to open it (BENCH_THINK_MS, a comma-separated list of pauses
// in ms, one run each; default 0 and 3000: questions back to back, where
// the precompute has no quiet moment and each field is computed when asked,
// then at a user's pace). Meanwhile the timeline is asked (/api/info) every
// BENCH_TIMELINE_MS (default 250) ms, and the longest wait for its answer
// is reported: at most one field's computation.
//
// Usage: npm run build && node bench/first-questions.mjs [FILE…]
// (default: the ≥200 MiB trace, made if missing). Prints a Markdown section
// and rewrites its part of BENCHMARKS.md unless BENCH_NO_WRITE=1.
import { execFileSync, spawn } from "node:child_process";
import { statSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarksMd } from "./report.mjs";
import { ensureBigTrace } from "./traces.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
export const firstQuestionsStartMarker =
  "<!-- bench-first-questions:start (written by bench/first-questions.mjs; edits here are overwritten) -->";
export const firstQuestionsEndMarker = "<!-- bench-first-questions:end -->";

function log(msg) {
  process.stderr.write(`==> ${msg}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pages in the order a user opens them: what each asks first, together. */
function pages(durationNs, regionType) {
  const half = Math.round(durationNs / 2);
  const out = [
    ["goroutine list", ["goroutines"]],
    [
      "sync profile, second half of the trace (with the page's filters)",
      ["profile-filters", `profile?type=sync&startNs=${half}&endNs=${durationNs}`],
    ],
  ];
  if (regionType !== undefined) {
    out.push([
      `sync profile, regions "${regionType}"`,
      [`profile?type=sync&region=${encodeURIComponent(regionType)}`],
    ]);
  }
  out.push(
    ["tasks and regions", ["regions"]],
    ["MMU per P, stop-the-world and sweeping only", ["mmu?include=stw,sweep&perProc=1"]],
    ["scheduler latency", ["schedlat"]],
  );
  return out;
}

/** One `gotrace view` run with `thinkMs` between the pages. */
async function viewRun(file, thinkMs, timelineMs) {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ["dist/cli/main.js", "view", "--no-open", "--http", "127.0.0.1:0", file],
    {
      cwd: repoDir,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let url;
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      const m = /at (http:\S+)/.exec(String(d));
      if (m && !url) {
        url = m[1];
        resolve();
      }
    });
    exited.then((code) =>
      reject(new Error(`gotrace view exited (${code}): ${stderr.trim().split("\n").pop()}`)),
    );
  });
  const get = async (path) => {
    const res = await fetch(new URL(path, url));
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  };
  try {
    const overview = await get("api/analysis/overview");
    if (overview.unavailable) throw new Error(overview.unavailable);
    const firstSec = (performance.now() - t0) / 1000;
    const info = await get("api/info");
    // The timeline, asked now and then as the user looks at it.
    let polling = true;
    let longestTimelineSec = 0;
    const poller = (async () => {
      while (polling) {
        const t = performance.now();
        await get("api/info");
        longestTimelineSec = Math.max(longestTimelineSec, (performance.now() - t) / 1000);
        await sleep(timelineMs);
      }
    })();
    const answers = [];
    let regionType;
    const ask = async (what, paths) => {
      await sleep(thinkMs);
      const t = performance.now();
      const got = await Promise.all(paths.map((p) => get(`api/analysis/${p}`)));
      const sec = (performance.now() - t) / 1000;
      for (const a of got)
        if (a.unavailable || a.error) throw new Error(`${what}: ${a.unavailable ?? a.error}`);
      answers.push({ what, sec });
      return got;
    };
    const all = pages(info.durationNs, undefined);
    await ask(...all[0]);
    const [filters] = await ask(...all[1]);
    regionType = filters.regionTypes?.find((t) => t !== "");
    for (const [what, paths] of pages(info.durationNs, regionType).slice(2)) await ask(what, paths);
    polling = false;
    await poller;
    return { firstSec, answers, longestTimelineSec, events: info.events };
  } finally {
    child.kill();
    await exited;
  }
}

function fmt(x, d = 3) {
  return x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d);
}

export async function runFirstQuestionsBench(files) {
  const thinks = (process.env.BENCH_THINK_MS ?? "0,3000").split(",").map(Number);
  const timelineMs = Number(process.env.BENCH_TIMELINE_MS ?? 250);
  const sections = [];
  for (const file of files) {
    const bytes = statSync(file).size;
    execFileSync("cat", [file], { stdio: ["ignore", "ignore", "inherit"] }); // into the page cache
    const runs = [];
    for (const think of thinks) {
      log(`${relative(repoDir, file)}: gotrace view, ${think} ms between pages`);
      runs.push(await viewRun(file, think, timelineMs));
    }
    const rows = [
      `| first answer (overview, asked when the URL is printed) | ${runs.map((r) => `${fmt(r.firstSec, 2)} s`).join(" | ")} | |`,
    ];
    for (const [i, { what }] of runs[0].answers.entries()) {
      const secs = runs.map((r) => r.answers[i]?.sec);
      rows.push(
        `| then: ${what} | ${secs.map((s) => `${fmt(s)} s`).join(" | ")} | ${secs.map((s) => (s <= 1 ? "met" : "not met")).join(" / ")} |`,
      );
    }
    rows.push(
      `| longest wait of a timeline request (every ${timelineMs} ms) after the first answer | ${runs.map((r) => `${fmt(r.longestTimelineSec)} s`).join(" | ")} | |`,
    );
    sections.push(
      [
        `### \`${relative(repoDir, file)}\`, ${(bytes / 1e6).toFixed(0)} MB, ${runs[0].events.toLocaleString("en-US")} events`,
        "",
        `| question | ${thinks.map((t) => `${t} ms between pages`).join(" | ")} | ≤ 1 s |`,
        `|---|${thinks.map(() => "--:|").join("")}---|`,
        ...rows,
      ].join("\n"),
    );
  }
  const cpus = os.cpus();
  const header = [
    `Measured ${new Date().toISOString().replace(/\.\d+Z$/, "Z")} on commit ${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoDir, encoding: "utf8" }).trim()}.`,
    "",
    `- Machine: ${cpus.length} cores, ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}.`,
    `- 1-minute load average at the end: ${os.loadavg()[0].toFixed(2)}. One \`gotrace view\` process per column, the file already in the page cache.`,
    "",
  ].join("\n");
  return `${header}\n${sections.join("\n\n")}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const minor = /^go1\.(\d+)/.exec(execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }))[1];
    const outDir = join(benchDir, "out");
    files = [
      ensureBigTrace({ repoDir, outDir, name: `big-go1.${minor}.trace`, toolchain: "local", sizeMiB: 200 })
        .path,
    ];
  }
  const section = await runFirstQuestionsBench(files);
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: firstQuestionsStartMarker,
      end: firstQuestionsEndMarker,
    });
  }
}
