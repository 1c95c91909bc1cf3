/**
 * Flow arrows: what let a goroutine run (its creation, an unblock, the
 * network poller, a blocked syscall's return) to where it then ran, and
 * task parent → child. Found from the slices that start in the window in
 * the asked rows, so the cost follows the window, not the trace.
 */
import { CauseKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { firstStartAtOrAfter } from "./lod.js";
import type { Flow, FlowKind } from "./protocol.js";
import { groupRows, HeadRow, type ViewRows } from "./rows.js";

const kinds: (FlowKind | undefined)[] = [undefined, "create", "unblock", "unblock", "syscall"];

/** The execution slice of goroutine g running at time t (−1 if none). */
export function execAt(tl: Timeline, g: number, t: number): number {
  const rows = groupRows(tl.execByG, g);
  const x = tl.exec;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x.startNs.get(rows[mid]!) <= t) lo = mid + 1;
    else hi = mid;
  }
  const i = lo > 0 ? rows[lo - 1]! : -1;
  return i >= 0 && x.threadEnd(i) >= t ? i : -1;
}

export function flowsInWindow(
  tl: Timeline,
  rows: ViewRows,
  startNs: number,
  endNs: number,
  rowFrom: number,
  rowTo: number,
  cap: number,
): { flows: Flow[]; truncated: boolean } {
  const x = tl.exec;
  const flows: Flow[] = [];
  let truncated = false;
  const sourceRow = (i: number): number => {
    const kind = x.causeKind.get(i) as CauseKind;
    if (kind === CauseKind.Network) return HeadRow.Network;
    // As in go tool trace, in every view a blocked syscall's return comes from the Syscalls row.
    if (kind === CauseKind.SyscallExit) return HeadRow.Syscalls;
    const g = x.causeG.get(i);
    if (rows.view === "goroutine") return g >= 0 ? (rows.rowOfResource.get(g) ?? -1) : -1;
    if (rows.view === "thread") {
      const m = x.causeM.get(i);
      return m >= 0 ? (rows.rowOfResource.get(m) ?? -1) : -1;
    }
    let p = x.causeP.get(i);
    if (p < 0 && g >= 0) {
      const at = execAt(tl, g, tl.causeNs(i));
      if (at >= 0) p = x.p.get(at);
    }
    return p >= 0 ? (rows.rowOfResource.get(p) ?? -1) : -1;
  };
  for (let r = rowFrom; r < rowTo && !truncated; r++) {
    const spec = rows.specs[r]!;
    // Flows end at a goroutine's first row (its slices), not the row beneath.
    if (spec.row.kind !== "slices" || rows.rowOfResource.get(spec.p ?? spec.m ?? spec.g ?? -1) !== r)
      continue;
    const run = execRowsOf(tl, rows, spec);
    let k = firstStartAtOrAfter(
      { n: run.n, start: (j) => x.startNs.get(run.at(j)), end: () => 0, prefix: () => 0 },
      startNs,
    );
    for (; k < run.n; k++) {
      const i = run.at(k);
      const toNs = x.startNs.get(i);
      if (toNs > endNs) break;
      const kind = kinds[x.causeKind.get(i)];
      if (!kind) continue;
      const fromRow = sourceRow(i);
      if (fromRow < 0) continue;
      if (flows.length >= cap) {
        truncated = true;
        break;
      }
      flows.push({ kind, fromRow, fromNs: tl.causeNs(i), toRow: r, toNs });
    }
  }
  if (rowFrom <= HeadRow.Tasks && HeadRow.Tasks < rowTo) {
    const tt = tl.tasks;
    for (let i = 0; i < tt.length && !truncated; i++) {
      const parent = tt.parent.get(i);
      const t = tt.startNs.get(i);
      if (parent < 0 || t < startNs || t > endNs) continue;
      if (flows.length >= cap) truncated = true;
      else flows.push({ kind: "task", fromRow: HeadRow.Tasks, fromNs: t, toRow: HeadRow.Tasks, toNs: t });
    }
  }
  return { flows, truncated };
}

/** Execution slices of a row in start order: a P's run, a thread's or a goroutine's permutation. */
function execRowsOf(
  tl: Timeline,
  rows: ViewRows,
  spec: { p?: number; m?: number; g?: number },
): { n: number; at(k: number): number } {
  if (rows.view === "proc" && spec.p !== undefined) {
    const a = tl.execByP[spec.p + 1]!;
    return { n: tl.execByP[spec.p + 2]! - a, at: (k) => a + k };
  }
  let run: Int32Array = new Int32Array(0);
  if (rows.view === "thread" && spec.m !== undefined) run = groupRows(tl.execByM, spec.m);
  if (rows.view === "goroutine" && spec.g !== undefined) run = groupRows(tl.execByG, spec.g);
  return { n: run.length, at: (k) => run[k]! };
}
