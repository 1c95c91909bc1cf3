/**
 * One goroutine's story for the details panel: its creator, first run and
 * end, execution time and CPU profiler samples, and its events in time
 * order (states, regions, logs), capped.
 */
import { MarkKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { frames, goroutineRef } from "./details.js";
import { forEachSegment, Part } from "./goroutine-lanes.js";
import type { GoroutineDetails, GoroutineEvent } from "./protocol.js";
import { groupRows, type ViewRows } from "./rows.js";

/** More events than this make a panel nobody reads; the goroutine view shows them all. */
export const maxGoroutineEvents = 1000;

export function goroutineDetails(tl: Timeline, rows: ViewRows, id: number): GoroutineDetails | undefined {
  const g = tl.goroutineIndex(id);
  if (g < 0) return undefined;
  const G = tl.goroutines;
  const x = tl.exec;
  const events: (GoroutineEvent & { order: number })[] = [];
  let truncated = false;
  const add = (timeNs: number, what: string, stack: number, order = 0) => {
    if (events.length >= maxGoroutineEvents) {
      truncated = true;
      return;
    }
    events.push({ timeNs, what, stack: frames(tl, stack), order });
  };
  add(G.createdNs.get(g), G.creator.get(g) >= 0 ? "created" : "first seen", G.createStack.get(g));
  // Execution as the goroutine analysis counts it: running, less time in syscalls.
  let execNs = 0;
  const sc = tl.syscalls;
  for (const i of groupRows(tl.syscallsByG, g))
    execNs -= (sc.threadEndNs.get(i) ?? sc.endNs.get(i)) - sc.startNs.get(i);
  // Without an object per segment: G1 of a 35M-event trace has 7M of them.
  forEachSegment(tl, g, (startNs, endNs, part, exec, state) => {
    if (part === Part.Running) execNs += endNs - startNs;
    if (truncated) return;
    if (part === Part.Running) {
      const p = x.p.get(exec);
      add(startNs, p >= 0 ? `running on P${p}` : "running without a P", 0, 1);
    } else {
      add(startNs, tl.strings.get(state), part === Part.Waiting && exec >= 0 ? x.endStack.get(exec) : 0, 1);
    }
  });
  const rg = tl.regions;
  for (let d = 0; d < tl.regionDepths[g]!; d++) {
    const run = tl.regionBase[g]! + d;
    for (let i = tl.regionRuns[run]!; i < tl.regionRuns[run + 1]! && !truncated; i++) {
      const name = tl.strings.get(rg.name.get(i));
      add(rg.startNs.get(i), `region begin: ${name}`, rg.startStack.get(i), 2);
      add(rg.endNs.get(i), `region end: ${name}`, rg.endStack.get(i), 0);
    }
  }
  const mk = tl.marks;
  let cpuSamples = 0;
  for (const i of groupRows(tl.marksByG, g)) {
    const kind = mk.kind.get(i);
    if (kind === MarkKind.CPUSample) cpuSamples++;
    if (kind === MarkKind.Log)
      add(mk.timeNs.get(i), `log ${tl.strings.get(mk.label.get(i))}`, mk.stack.get(i), 2);
    else if (kind === MarkKind.CPUSample) add(mk.timeNs.get(i), "CPU profile sample", mk.stack.get(i), 2);
  }
  events.sort((a, b) => a.timeNs - b.timeNs || a.order - b.order);
  const runs = groupRows(tl.execByG, g);
  const endNs = G.endNs.get(g);
  return {
    goroutine: id,
    name: tl.goroutineName(g),
    startFunction: tl.strings.get(G.func.get(g)),
    row: rows.rowOfResource.get(g) ?? -1,
    createdBy: goroutineRef(tl, G.creator.get(g), G.createdNs.get(g), G.createStack.get(g)),
    startNs: runs.length > 0 ? x.startNs.get(runs[0]!) : undefined,
    endNs: Number.isNaN(endNs) ? undefined : endNs,
    execNs,
    cpuSamples,
    events: events.map(({ timeNs, what, stack }) => ({ timeNs, what, stack })),
    eventsTruncated: truncated,
  };
}
