/**
 * Scheduler latency: how long goroutines waited to run once they could.
 * Every wait from becoming runnable (created, unblocked, preempted, back
 * from a blocking syscall) to running, as a distribution (percentiles)
 * overall and per goroutine group, plus the longest waits with their time.
 *
 * go tool trace only shows these waits summed (the /sched profile, the
 * "Sched wait time" column); the distribution is gotrace's.
 */

import { type SchedLatency, schedLatencyOf } from "../analysis/sched-stats.js";
import { type Event, GoState, goStateNames, ResourceKind } from "../decode/event.js";
import { schedTypes } from "../model/lives.js";
import { rootFrame } from "./goroutines.js";

/** A growable column of numbers (one entry per wait: no object per wait). */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** What is known of one goroutine; `index` numbers them densely for the wait columns. */
interface GoroutineRecord {
  readonly index: number;
  readonly id: number;
  name: string;
  /** When it became runnable: NaN if it is not runnable, or became so before the trace showed it. */
  runnableNs: number;
  runnable: boolean;
  cause: string;
}

export class SchedLatencyAnalyzer {
  private readonly durs = new Column();
  /** Per wait, the waiting goroutine's record index. */
  private readonly who = new Column();
  private readonly goroutines = new Map<number, GoroutineRecord>();
  private readonly records: GoroutineRecord[] = [];
  private worst: { startNs: number; durNs: number; goroutine: number; cause: string }[] = [];
  private unknownStart = 0;

  /** @param keepWorst how many of the longest waits to keep. */
  constructor(private readonly keepWorst = 10) {}

  event(ev: Event): void {
    // Only transitions that make a goroutine runnable, run it, or carry a stack that names it
    // (model/lives.ts schedTypes); skipping the rest before building a StateTransition is most of the saving.
    if (schedTypes[ev.type] !== 1) return;
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine || st.from === st.to) return;
    const g = st.resource.id;
    let rec = this.goroutines.get(g);
    if (!rec) {
      rec = {
        index: this.records.length,
        id: g,
        name: "",
        runnableNs: Number.NaN,
        runnable: false,
        cause: "",
      };
      this.goroutines.set(g, rec);
      this.records.push(rec);
    }
    if (rec.name === "") rec.name = rootFrame(st.stack)?.func ?? "";
    if (st.from === GoState.Runnable) {
      const was = rec.runnable;
      rec.runnable = false;
      if (st.to !== GoState.Running || !was) return;
      if (Number.isNaN(rec.runnableNs)) {
        this.unknownStart++;
        return;
      }
      const durNs = ev.time - rec.runnableNs;
      this.durs.push(durNs);
      this.who.push(rec.index);
      this.noteWorst(rec.runnableNs, durNs, g, rec.cause);
    } else if (st.to === GoState.Runnable) {
      rec.runnable = true;
      rec.runnableNs = st.from === GoState.Undetermined ? Number.NaN : ev.time;
      rec.cause = causeOf(st.from, st.reason);
    }
  }

  private noteWorst(startNs: number, durNs: number, goroutine: number, cause: string): void {
    const w = this.worst;
    if (w.length === this.keepWorst && (this.keepWorst === 0 || durNs <= w[w.length - 1]!.durNs)) return;
    let i = w.length;
    while (i > 0 && w[i - 1]!.durNs < durNs) i--;
    w.splice(i, 0, { startNs, durNs, goroutine, cause });
    if (w.length > this.keepWorst) w.pop();
  }

  /** Every counted wait's length, in the order the waits ended (for a distribution chart). */
  waits(): Float64Array {
    return this.durs.view();
  }

  finalize(): SchedLatency {
    let stillWaiting = 0;
    for (const rec of this.records) if (rec.runnable) stillWaiting++;
    return schedLatencyOf(
      this.durs.view(),
      this.who.view(),
      this.records.map((rec) => rec.name),
      this.worst.map((w) => ({ ...w, name: this.goroutines.get(w.goroutine)!.name })),
      this.unknownStart,
      stillWaiting,
    );
  }
}

function causeOf(from: GoState, reason: string): string {
  switch (from) {
    case GoState.NotExist:
      return "created";
    case GoState.Waiting:
      return "unblocked";
    case GoState.Syscall:
      return "syscall";
    case GoState.Running:
      return reason || "stopped";
    default:
      return goStateNames[from]!.toLowerCase();
  }
}
