/**
 * Answers "why" questions from a timeline: a goroutine's wake-up chain, and
 * the critical path of a task or region instance. Goroutine states are made
 * per goroutine as the walks need them and kept, so later questions are
 * quick.
 */
import type { Timeline } from "../../model/timeline.js";
import type {
  CriticalPathResponse,
  WhyCategory,
  WhyChainResponse,
  WhyError,
  WhyQuery,
  WhyRoot,
  WhyStep,
  WhyWake,
} from "./protocol.js";
import { stateNames, Wake } from "./states.js";
import { type Chain, type CriticalPath, criticalPath, StateCache, type Step, whyGoroutine } from "./walk.js";

const wakeNames: readonly (WhyWake | null)[] = [
  null,
  "created",
  "goroutine",
  "network",
  "syscall-exit",
  "timer",
  "unknown",
];

export const rootTexts: Readonly<Record<WhyRoot, string>> = {
  running: "running work: the goroutine was executing when the window began",
  runnable: "waiting for a P since before the window began",
  timer: "a timer: the sleep ended when its time was up",
  network: "the network poller: the wait ended when I/O was ready",
  syscall: "a system call",
  "trace-start": "the trace's start: nothing earlier was recorded",
  window: "a wait that began before the window and that nothing recorded ended",
  unknown: "unknown: the trace does not say what ended this wait",
  "not-ended": "nothing: the wait had not ended when the trace (or the goroutine) did",
  limit: "the walk stopped after too many steps",
};

export class WhyService {
  private readonly cache: StateCache;
  constructor(
    readonly tl: Timeline,
    /** Execution slices per piece of a goroutine's states read at once (tests vary it). */
    pieceSlices?: number,
  ) {
    this.cache = new StateCache(tl, pieceSlices);
  }

  private gid(g: number): number {
    return this.tl.goroutines.id.get(g);
  }

  private stepJson(s: Step): WhyStep {
    const tl = this.tl;
    return {
      goroutine: this.gid(s.g),
      name: tl.goroutineName(s.g),
      state: stateNames[s.state]!,
      reason: s.reason,
      startNs: s.startNs,
      endNs: s.endNs,
      stack: tl.stacks.frames(s.stack),
      wokenBy: s.wokenBy >= 0 ? this.gid(s.wokenBy) : null,
      wake: s.wake === Wake.None ? null : wakeNames[s.wake]!,
    };
  }

  private chainJson(c: Chain) {
    return { root: c.root, rootText: rootTexts[c.root], steps: c.steps.map((s) => this.stepJson(s)) };
  }

  /** Goroutine `id`'s chain at atNs, or from its longest wait. */
  goroutine(id: number, atNs?: number): WhyChainResponse | WhyError {
    const g = this.tl.goroutineIndex(id);
    if (g < 0) return { error: `no goroutine ${id} in the trace` };
    const chain = whyGoroutine(this.cache, g, atNs);
    if (!chain) {
      return {
        error:
          atNs === undefined
            ? `goroutine ${id} never waited (--at NS explains another moment)`
            : `goroutine ${id} did not exist at ${atNs} ns`,
      };
    }
    return { goroutine: id, atNs: atNs ?? null, ...this.chainJson(chain) };
  }

  /** Whether an interned string is `name`, each string looked at once. */
  private nameIs(name: string): (id: number) => boolean {
    const seen = new Map<number, boolean>();
    return (id) => {
      let is = seen.get(id);
      if (is === undefined) {
        is = this.tl.strings.get(id) === name;
        seen.set(id, is);
      }
      return is;
    };
  }

  /** Task rows of a task ID (IDs are unique; −1 if absent). */
  private taskRow(id: number): number {
    const t = this.tl.tasks;
    for (let i = 0; i < t.length; i++) if (t.id.get(i) === id) return i;
    return -1;
  }

  private taskMembers(row: number): number[] {
    const t = this.tl.tasks;
    const r = this.tl.regions;
    const set = new Set<number>();
    for (const g of [t.startG.get(row), t.endG.get(row)]) if (g >= 0) set.add(g);
    for (let i = 0; i < r.length; i++) if (r.task.get(i) === row) set.add(r.g.get(i));
    return [...set];
  }

  /** The critical path of task `id`. */
  task(id: number): CriticalPathResponse | WhyError {
    const row = this.taskRow(id);
    if (row < 0) return { error: `no task ${id} in the trace` };
    return this.taskPath(row);
  }

  /** The critical path of the longest task of a type. */
  taskType(type: string): CriticalPathResponse | WhyError {
    const t = this.tl.tasks;
    let best = -1;
    const named = this.nameIs(type);
    for (let i = 0; i < t.length; i++) {
      if (!named(t.name.get(i))) continue;
      if (best < 0 || dur(t, i) > dur(t, best)) best = i;
    }
    if (best < 0) return { error: `no task of type ${JSON.stringify(type)} in the trace` };
    return this.taskPath(best);
  }

  private taskPath(row: number): CriticalPathResponse | WhyError {
    const t = this.tl.tasks;
    const endG = t.endG.get(row) >= 0 ? t.endG.get(row) : t.startG.get(row);
    const id = t.id.get(row);
    if (endG < 0) return { error: `task ${id} has no goroutine to start from` };
    const path = criticalPath(this.cache, endG, t.startNs.get(row), t.endNs.get(row));
    if (!path) return { error: `task ${id}: no goroutine state at its end` };
    return this.pathJson("task", id, this.tl.strings.get(t.name.get(row)), endG, path, this.taskMembers(row));
  }

  /**
   * The critical path of a region: the longest of its type, or of those on
   * goroutine `goroutine`, or the one of them covering atNs.
   */
  region(type: string, goroutine?: number, atNs?: number): CriticalPathResponse | WhyError {
    const r = this.tl.regions;
    const g = goroutine === undefined ? -1 : this.tl.goroutineIndex(goroutine);
    if (goroutine !== undefined && g < 0) return { error: `no goroutine ${goroutine} in the trace` };
    let best = -1;
    const named = this.nameIs(type);
    for (let i = 0; i < r.length; i++) {
      if (!named(r.name.get(i))) continue;
      if (g >= 0 && r.g.get(i) !== g) continue;
      if (atNs !== undefined && !(r.startNs.get(i) <= atNs && atNs <= r.endNs.get(i))) continue;
      if (best < 0 || r.endNs.get(i) - r.startNs.get(i) > r.endNs.get(best) - r.startNs.get(best)) best = i;
    }
    if (best < 0) return { error: `no region of type ${JSON.stringify(type)} matches` };
    const rg = r.g.get(best);
    const path = criticalPath(this.cache, rg, r.startNs.get(best), r.endNs.get(best));
    if (!path) return { error: `region: no goroutine state at its end` };
    const task = r.task.get(best);
    return this.pathJson("region", task >= 0 ? this.tl.tasks.id.get(task) : null, type, rg, path, [rg]);
  }

  /** Any question of the protocol. */
  answer(q: WhyQuery): WhyChainResponse | CriticalPathResponse | WhyError {
    if (q.task !== undefined) return this.task(q.task);
    if (q.taskType !== undefined) return this.taskType(q.taskType);
    if (q.region !== undefined) return this.region(q.region, q.goroutine, q.atNs);
    if (q.goroutine !== undefined) return this.goroutine(q.goroutine, q.atNs);
    return { error: "ask about a goroutine, a task or a region" };
  }

  private pathJson(
    kind: "task" | "region",
    task: number | null,
    type: string,
    g: number,
    path: CriticalPath,
    members: number[],
  ): CriticalPathResponse {
    const dur = path.endNs - path.startNs;
    const isMember = new Set(members);
    const totals: Record<WhyCategory, number> = { executing: 0, runnable: 0, syscall: 0, waiting: 0, gc: 0 };
    const breakdown = path.shares.map((s) => {
      totals[s.category] += s.ns;
      return {
        category: s.category,
        goroutine: s.g >= 0 ? this.gid(s.g) : null,
        name: s.g >= 0 ? this.tl.goroutineName(s.g) : "",
        reason: s.reason,
        member: isMember.has(s.g),
        ns: s.ns,
        percent: dur > 0 ? (100 * s.ns) / dur : 0,
      };
    });
    return {
      kind,
      task,
      type,
      goroutine: this.gid(g),
      startNs: path.startNs,
      endNs: path.endNs,
      durNs: dur,
      members: members.map((m) => this.gid(m)).sort((a, b) => a - b),
      ...this.chainJson(path.chain),
      breakdown,
      totals,
    };
  }
}

function dur(t: Timeline["tasks"], i: number): number {
  return t.endNs.get(i) - t.startNs.get(i);
}
