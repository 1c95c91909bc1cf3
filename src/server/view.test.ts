/**
 * `gotrace view` as a process on real fixtures, old and new formats and a
 * truncated copy: what its server answers must hold together. Items in one
 * row at one depth never overlap (so no P runs two goroutines at once),
 * every item lies inside the trace, counters never go negative, merged
 * items say so, labels and IDs point somewhere, and a slice's details agree
 * with the item it came from.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AnalysisService, bytesFeed } from "../query/analysis/service.js";
import {
  type Row,
  type SliceDetails,
  type TraceInfo,
  type ViewKind,
  viewKinds,
  type WindowResponse,
} from "../query/timeline/protocol.js";
import { startView, type ViewProcess } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";

const fixtures = [
  "gc-go1.21.trace",
  "annotations-go1.21.trace",
  "io-go1.22.trace",
  "cpuprofile-go1.23.trace",
  "sched-go1.25.trace",
  "gc-go1.26.trace",
  "manygen-go1.26.trace",
  "hostile-go1.27.trace",
];

async function api<T>(view: ViewProcess, path: string): Promise<T> {
  const res = await fetch(new URL(path, view.url));
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  return (await res.json()) as T;
}

function windowPath(view: ViewKind, startNs: number, endNs: number, widthPx: number, rows: number): string {
  const q = new URLSearchParams({
    view,
    startNs: String(startNs),
    endNs: String(endNs),
    widthPx: String(widthPx),
    rowFrom: "0",
    rowTo: String(rows),
    flows: "true",
  });
  return `api/window?${q}`;
}

/** Every invariant of one window answer; returns the problems found. */
function windowProblems(w: WindowResponse, rows: readonly Row[], durationNs: number): string[] {
  const problems: string[] = [];
  const where = (row: number, i: number) => `${w.view} row ${row} (${rows[row]?.label}) item ${i}`;
  // A little slack for the last item, which may end at the trace's last event.
  const endLimit = durationNs + 1;
  if (w.resolutionNs <= 0) problems.push(`${w.view}: resolution ${w.resolutionNs}`);
  for (const s of w.slices) {
    const n = s.startNs.length;
    for (const col of [s.endNs, s.id, s.count, s.busyNs, s.color, s.label, s.depth]) {
      if (col.length !== n) problems.push(`${w.view} row ${s.row}: columns of different lengths`);
    }
    if (rows[s.row]?.kind !== "slices") problems.push(`${w.view} row ${s.row} is not a slices row`);
    const lastEnd = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const [start, end, depth] = [s.startNs[i]!, s.endNs[i]!, s.depth[i]!];
      if (!(start >= 0 && end <= endLimit && start <= end)) {
        problems.push(`${where(s.row, i)}: [${start}, ${end}] outside the trace [0, ${durationNs}]`);
      }
      const prev = lastEnd.get(depth) ?? Number.NEGATIVE_INFINITY;
      if (start < prev)
        problems.push(`${where(s.row, i)}: starts at ${start} before the previous ends (${prev})`);
      lastEnd.set(depth, Math.max(prev, end));
      const count = s.count[i]!;
      if (count < 1) problems.push(`${where(s.row, i)}: count ${count}`);
      if (count === 1 && s.id[i]! < 0) problems.push(`${where(s.row, i)}: a single slice without an id`);
      if (count > 1 && s.id[i] !== -1) problems.push(`${where(s.row, i)}: merged item with id ${s.id[i]}`);
      if (!(s.busyNs[i]! >= 0 && s.busyNs[i]! <= end - start + 1e-6)) {
        problems.push(`${where(s.row, i)}: busy ${s.busyNs[i]} in [${start}, ${end}]`);
      }
      const label = s.label[i]!;
      if (label < -1 || label >= w.labels.length) problems.push(`${where(s.row, i)}: label ${label}`);
      const maxDepth = rows[s.row]?.maxDepth ?? 0;
      if (depth < 0 || depth > maxDepth)
        problems.push(`${where(s.row, i)}: depth ${depth} > maxDepth ${maxDepth}`);
    }
  }
  for (const c of w.counters) {
    if (rows[c.row]?.kind !== "counter") problems.push(`${w.view} row ${c.row} is not a counter row`);
    if (c.values.length !== (rows[c.row]?.series?.length ?? 0)) {
      problems.push(`${w.view} counter row ${c.row}: ${c.values.length} series`);
    }
    for (let i = 0; i < c.timeNs.length; i++) {
      if (i > 0 && c.timeNs[i]! < c.timeNs[i - 1]!)
        problems.push(`${w.view} counter row ${c.row}: time goes back`);
      if (c.timeNs[i]! > endLimit) problems.push(`${w.view} counter row ${c.row}: sample after the end`);
    }
    c.values.forEach((series, k) => {
      if (series.length !== c.timeNs.length)
        problems.push(`${w.view} counter row ${c.row}: series ${k} length`);
      const neg = series.findIndex((v) => !(v >= 0));
      if (neg >= 0)
        problems.push(`${w.view} counter row ${c.row} series ${k}: ${series[neg]} at ${c.timeNs[neg]}`);
    });
  }
  for (const m of w.marks) {
    // Instants may sit on a slices row too (CPU samples under a P's slices).
    if (rows[m.row]?.kind === "counter" || !rows[m.row]) problems.push(`${w.view} marks on row ${m.row}`);
    for (let i = 0; i < m.timeNs.length; i++) {
      const t = m.timeNs[i]!;
      if (!(t >= 0 && t <= endLimit)) problems.push(`${w.view} marks row ${m.row}: mark at ${t}`);
      if (m.count[i]! < 1 || (m.count[i] === 1) !== m.id[i]! >= 0) {
        problems.push(`${w.view} marks row ${m.row}: count ${m.count[i]} id ${m.id[i]}`);
      }
    }
  }
  for (const f of w.flows) {
    if (!(f.fromRow >= 0 && f.fromRow < rows.length && f.toRow >= 0 && f.toRow < rows.length)) {
      problems.push(`${w.view} flow ${f.kind} between rows ${f.fromRow} and ${f.toRow}`);
    }
    if (!(f.fromNs <= f.toNs + 1e-6)) problems.push(`${w.view} flow ${f.kind} goes back in time`);
  }
  return problems;
}

/** Checks every view's rows and windows. */
async function checkTrace(view: ViewProcess): Promise<TraceInfo> {
  const info = await api<TraceInfo>(view, "api/info");
  assert.ok(info.durationNs > 0, "duration");
  for (const kind of viewKinds) {
    const rows = await api<Row[]>(view, `api/rows?view=${kind}`);
    assert.deepEqual(
      rows.map((r) => r.index),
      rows.map((_, i) => i),
      `${kind} row indices`,
    );
    const lanes = rows.filter(
      (r) => r.group === (kind === "proc" ? "Procs" : kind === "thread" ? "Threads" : "Goroutines"),
    );
    assert.ok(lanes.length > 0, `${kind} view has rows of its own`);
    const d = info.durationNs;
    // The whole trace, a narrow window in the middle, and one at the start,
    // so merged items and single slices are both checked.
    const windows: [number, number, number][] = [
      [0, d, 1200],
      [d * 0.45, d * 0.46, 1000],
      [0, Math.max(d / 500, 1000), 600],
    ];
    let seen = 0;
    for (const [startNs, endNs, widthPx] of windows) {
      const w = await api<WindowResponse>(view, windowPath(kind, startNs, endNs, widthPx, rows.length));
      assert.deepEqual(windowProblems(w, rows, d), [], `${kind} [${startNs}, ${endNs}]`);
      seen += w.slices.reduce((n, s) => n + s.startNs.length, 0);
      // A single slice's details match the item.
      const s = w.slices.find((s) => s.count.includes(1));
      if (s) {
        const i = s.count.indexOf(1);
        const details = await api<SliceDetails | null>(view, `api/slice?view=${kind}&id=${s.id[i]}`);
        assert.ok(details, `${kind} slice ${s.id[i]}`);
        assert.equal(details.row, s.row, "row");
        // The window may clip a slice to itself; the details are whole.
        assert.ok(details.startNs <= s.startNs[i]! + 1e-6, "start");
        assert.ok(details.startNs + details.durNs >= s.endNs[i]! - 1e-6, "end");
      }
    }
    assert.ok(seen > 0, `${kind} view shows some slices`);
  }
  return info;
}

describe("the window checker", () => {
  const rows: Row[] = [
    { index: 0, label: "Proc 0", kind: "slices", group: "Procs", maxDepth: 0 },
    { index: 1, label: "Heap", kind: "counter", group: "Counters", series: ["Allocated"] },
  ];
  const window = (slices: Partial<WindowResponse["slices"][number]>, heap: number[]): WindowResponse => ({
    view: "proc",
    startNs: 0,
    endNs: 100,
    resolutionNs: 1,
    labels: [],
    slices: [
      {
        row: 0,
        startNs: [0, 50],
        endNs: [40, 90],
        id: [1, 2],
        count: [1, 1],
        busyNs: [40, 40],
        color: [1, 1],
        label: [-1, -1],
        depth: [0, 0],
        ...slices,
      },
    ],
    counters: [{ row: 1, timeNs: heap.map((_, i) => i), values: [heap] }],
    marks: [],
    flows: [],
    flowsTruncated: false,
  });
  it("passes a good window", () => {
    assert.deepEqual(windowProblems(window({}, [1, 2]), rows, 100), []);
  });
  it("finds two goroutines at once on a P, a slice past the end, a negative counter, a merged item with an id", () => {
    assert.equal(windowProblems(window({ startNs: [0, 30] }, [1]), rows, 100).length, 1);
    assert.equal(windowProblems(window({ endNs: [40, 150] }, [1]), rows, 100).length, 1);
    assert.equal(windowProblems(window({}, [1, -2]), rows, 100).length, 1);
    assert.equal(windowProblems(window({ count: [3, 1] }, [1]), rows, 100).length, 1);
  });
});

describe("gotrace view without --http", () => {
  it("binds 127.0.0.1 at a free port", async () => {
    const main = join(fixturesDir, "..", "..", "dist", "cli", "main.js");
    const child = spawn(process.execPath, [main, "view", "--no-open", join(fixturesDir, "gc-go1.26.trace")]);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (b: Buffer) => {
          out += b.toString();
          if (out.includes("\n")) resolve(out);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      assert.match(line, /^gotrace: serving \S+gc-go1\.26\.trace at http:\/\/127\.0\.0\.1:\d+\/\n$/);
      const url = /(http:\S+)/.exec(line)![1]!;
      assert.equal((await fetch(new URL("api/info", url))).status, 200);
    } finally {
      child.kill();
    }
  });
});

/** A raw request: the path goes out as written, with the given Host header. */
function rawGet(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: { host } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("gotrace view on the real UI build", () => {
  it("refuses a foreign Host and serves nothing outside dist/ui", async () => {
    const view = await startView(join(fixturesDir, "hostile-go1.26.trace"));
    try {
      const own = new URL(view.url).host;
      assert.equal((await rawGet(view.url, "/api/info", own)).status, 200);
      for (const host of ["attacker.example", `attacker.example:${new URL(view.url).port}`]) {
        for (const path of ["/", "/api/info", "/api/find?q=script", "/api/analysis/overview"]) {
          const r = await rawGet(view.url, path, host);
          assert.equal(r.status, 421, `${host}${path}`);
          assert.doesNotMatch(r.body, /go 1\.26|script|<html/i, `${host}${path}`);
        }
      }
      for (const path of [
        "/../package.json",
        "/%2e%2e/package.json",
        "/%2e%2e/%2e%2e/package.json",
        "/assets/..%2f..%2f..%2fpackage.json",
        "/..%5c..%5cpackage.json",
        "/../cli/main.js",
        "/%2e%2e/cli/main.js",
        `/${join(fixturesDir, "hostile-go1.26.trace")}`,
        "/hostile-go1.26.trace",
      ]) {
        const r = await rawGet(view.url, path, own);
        // 400 for "//…", which names another host, 404 for the rest.
        assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
        assert.doesNotMatch(r.body, /"name": "gotrace"|#!\/usr\/bin\/env node|go 1\.26 trace/, path);
      }
    } finally {
      await view.close();
    }
  });
});

describe("gotrace view serves consistent JSON", () => {
  const running: ViewProcess[] = [];
  after(async () => {
    await Promise.all(running.map((v) => v.close()));
  });

  for (const name of fixtures) {
    it(name, async () => {
      const view = await startView(join(fixturesDir, name));
      running.push(view);
      const info = await checkTrace(view);
      assert.equal(info.damage, undefined, "not damaged");
      assert.doesNotMatch(view.stderr(), /damaged/);
      await view.close();
    });
  }

  describe("a truncated trace", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "gotrace-view-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    // manygen keeps its complete generations and is served with a warning line.
    for (const [name, keep] of [
      ["manygen-go1.26.trace", 0.6],
      ["manygen-go1.23.trace", 0.45],
    ] as const) {
      it(`${name}, ${keep * 100}% of it`, async () => {
        const whole = readFileSync(join(fixturesDir, name));
        const cut = join(dir, `cut-${name}`);
        writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * keep)));
        const view = await startView(cut);
        running.push(view);
        const info = await checkTrace(view);
        assert.ok(info.damage, "damage is reported");
        assert.ok(info.damage.offset > 0 && info.damage.offset <= whole.length * keep, "offset");
        assert.ok(info.damage.lostBytes > 0, "lost bytes");
        const lines = view
          .stderr()
          .split("\n")
          .filter((l) => /damaged/.test(l));
        assert.equal(lines.length, 1, view.stderr());
        assert.match(lines[0]!, new RegExp(`byte offset ${info.damage.offset}\\b`));
        assert.match(
          lines[0]!,
          /^gotrace: warning: .*; showing the [\d,]+ events before it, lost [\d.]+% of /,
        );
        await view.close();
      });
    }

    // gc has one generation, so nothing is left; old traces are read whole
    // (their tables come last), so a cut one keeps nothing, as in Go. Such a
    // file is not served: one line with the offset, exit 1, as every command.
    for (const [name, keep] of [
      ["gc-go1.26.trace", 0.7],
      ["gc-go1.21.trace", 0.66],
    ] as const) {
      it(`${name}, ${keep * 100}% of it, is not served`, async () => {
        const whole = readFileSync(join(fixturesDir, name));
        const cut = join(dir, `cut-${name}`);
        writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * keep)));
        await assert.rejects(startView(cut), (e: Error) => {
          const stderr = e.message.split("\n").slice(1).join("\n");
          assert.match(e.message, /exited \(1\) before serving/);
          assert.match(stderr, /^gotrace: \S+: .* at byte offset \d+( \(generation \d+\))?\n$/);
          return true;
        });
      });
    }

    it("an intact copy is not damaged (the check above can tell)", async () => {
      const copy = join(dir, "copy.trace");
      copyFileSync(join(fixturesDir, "gc-go1.26.trace"), copy);
      const view = await startView(copy);
      running.push(view);
      assert.equal((await api<TraceInfo>(view, "api/info")).damage, undefined);
      await view.close();
    });
  });
});

/**
 * The analysis worker of `gotrace view` is fed the events the server decodes
 * (one read); its answers must be those of a service that decodes the file
 * itself, for every page and filter, whole and damaged traces alike.
 */
describe("gotrace view's analyses come from its one read", () => {
  const cases: [string, number][] = [
    ["annotations-go1.26.trace", 1],
    ["cpuprofile-go1.23.trace", 1],
    ["gc-go1.21.trace", 1],
    ["manygen-go1.26.trace", 1],
    ["manygen-go1.26.trace", 0.6],
    ["hostile-go1.27.trace", 1],
  ];
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "gotrace-view-fed-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, keep] of cases) {
    it(`${name}${keep < 1 ? `, ${keep * 100}% of it` : ""}`, async () => {
      const whole = readFileSync(join(fixturesDir, name));
      const file = join(dir, `${keep}-${name}`);
      writeFileSync(file, whole.subarray(0, Math.floor(whole.length * keep)));
      const service = new AnalysisService(bytesFeed(() => [readFileSync(file)]));
      const view = await startView(file);
      try {
        const info = await api<TraceInfo>(view, "api/info");
        const half = Math.round(info.durationNs / 2);
        const questions: [string, () => Promise<unknown>][] = [
          ["overview", () => service.overview()],
          ["goroutines", () => service.goroutineGroups()],
          ["schedlat", () => service.schedLatency()],
          ["tasks", () => service.tasks()],
          ["regions", () => service.regions()],
          [
            `profile?type=sched&startNs=${half}&endNs=${info.durationNs}`,
            () => service.profile({ type: "sched", startNs: half, endNs: info.durationNs }),
          ],
          ["profile?type=sync", () => service.profile({ type: "sync" })],
          [
            "mmu?include=stw,sweep&perProc=1",
            () => service.mmu({ include: ["stw", "sweep"], perProc: true, percentiles: false }),
          ],
        ];
        for (const [path, expected] of questions) {
          const mine = await api<unknown>(view, `api/analysis/${path}`);
          assert.deepEqual(mine, JSON.parse(JSON.stringify(await expected())), path);
        }
      } finally {
        await view.close();
      }
    });
  }
});
