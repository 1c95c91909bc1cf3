/**
 * The cpu and wall profiles, built from what the blocking profiles keep
 * (pprof.ts): the trace's CPU samples, and every blocking interval.
 *
 * cpu: every CPU sample once, charged to its stack; each stands for
 * cpuSamplePeriodNs of CPU time. Records are kept apart per goroutine and
 * labelled with its ID and start function.
 *
 * wall: the cpu profile plus the intervals of the four blocking profiles of
 * the same goroutines (net, sync, syscall and sched, by go tool trace's
 * rules: each charged to the stack at its start), labelled with what the
 * goroutine was doing: kind = cpu, net, sync, syscall or runnable. Its
 * values are time: a CPU sample's period or an interval's length.
 *
 * Filters: a goroutine group keeps the samples of goroutines started at
 * that function, a goroutine those of its ID's last incarnation; a region filter those taken inside the goroutine's
 * outermost matching regions; a time range those taken in [startNs, endNs).
 */
import { cpuSamplePeriodNs } from "../analysis/cpu-samples.js";
import type { ProfileFilter, ProfileLabels, ProfileRecord } from "../analysis/profile.js";
import type { BlockingProfiles } from "./pprof.js";

/** The wall profile's kind label for each blocking profile, by index in blockingTypes. */
const blockingKinds = ["net", "sync", "syscall", "runnable"];
const kindNames = ["cpu", ...blockingKinds];

/** A record in the making: one stack group of one goroutine incarnation, one kind. */
interface Tally {
  variant: number;
  scope: number;
  g: number;
  kind: number;
  count: number;
  delayNs: number;
}

class LabelledTallies {
  private readonly byKey = new Map<number, Tally>();
  private readonly scopes: number;

  constructor(private readonly profiles: BlockingProfiles) {
    this.scopes = profiles.scope.scopes.length + 1;
  }

  /** Adds one sample of `variant` on goroutine g (incarnation `scope`, −1 if none). */
  add(variant: number, scope: number, g: number, kind: number, delayNs: number): void {
    const group = this.profiles.stacks.group[variant]!;
    // Below 2^53 for any trace: groups and incarnations each stay under a few million.
    const key = ((group * this.scopes + scope + 1) * kindNames.length + kind) * 2 + (g < 0 ? 1 : 0);
    const t = this.byKey.get(key);
    if (t) {
      t.count++;
      t.delayNs += delayNs;
      // Variants of one group have the same PCs; show the frames met last, as the other profiles do.
      t.variant = variant;
    } else this.byKey.set(key, { variant, scope, g, kind, count: 1, delayNs });
  }

  records(withKind: boolean): ProfileRecord[] {
    const { stacks, scope } = this.profiles;
    const out: ProfileRecord[] = [];
    for (const t of this.byKey.values()) {
      let labels: ProfileLabels | undefined;
      if (t.g >= 0) {
        const name = t.scope >= 0 ? scope.scopes[t.scope]!.name : "";
        labels = { goroutine: t.g, ...(name ? { startFunction: name } : {}) };
      }
      if (withKind) labels = { ...labels, kind: kindNames[t.kind]! };
      out.push({ stack: stacks.frames[t.variant]!, count: t.count, delayNs: t.delayNs, labels });
    }
    return out.sort(
      (a, b) =>
        b.delayNs - a.delayNs ||
        b.count - a.count ||
        (a.labels?.goroutine ?? -1) - (b.labels?.goroutine ?? -1),
    );
  }
}

/** The index of the last span starting at or before t, in spans sorted by start (−1 if none). */
function spanAt(spans: readonly (readonly [number, number])[], t: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]![0] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Which CPU samples a filter keeps, as a test of a row of profiles.cpu. */
function cpuSampleFilter(
  profiles: BlockingProfiles,
  filter: ProfileFilter | undefined,
): (row: number) => boolean {
  const cpu = profiles.cpu;
  const range = filter?.range;
  const inRange = range
    ? (i: number) => {
        const t = cpu.timeNs.get(i);
        return t >= range.startNs && t < range.endNs;
      }
    : () => true;
  if (filter && "goroutine" in filter) {
    // The ID's last incarnation, as the blocking profiles take it (and refuse an ID never seen).
    profiles.selected(filter);
    const scope = profiles.scope.goroutines.get(filter.goroutine)!.index;
    return (i) => cpu.scope.get(i) === scope && inRange(i);
  }
  if (filter && "group" in filter) {
    // Refuses a group no goroutine has, as the blocking profiles do.
    profiles.selected(filter);
    const { scopes } = profiles.scope;
    return (i) => {
      const s = cpu.scope.get(i);
      return s >= 0 && scopes[s]!.name === filter.group && inRange(i);
    };
  }
  if (filter && "region" in filter) {
    const intervals = profiles.regionIntervals(filter.region);
    return (i) => {
      const spans = intervals.get(cpu.g.get(i));
      if (!spans || !inRange(i)) return false;
      // Outermost regions do not overlap, so only the last one begun by then can hold t.
      const t = cpu.timeNs.get(i);
      const at = spanAt(spans, t);
      return at >= 0 && t <= spans[at]![1];
    };
  }
  return inRange;
}

function addCpuSamples(
  profiles: BlockingProfiles,
  filter: ProfileFilter | undefined,
  out: LabelledTallies,
): void {
  const cpu = profiles.cpu;
  const keep = cpuSampleFilter(profiles, filter);
  for (let i = 0; i < cpu.committed; i++) {
    if (keep(i)) out.add(cpu.stack.get(i), cpu.scope.get(i), cpu.g.get(i), 0, cpuSamplePeriodNs);
  }
}

/** The cpu profile: CPU samples by stack and goroutine, heaviest first. */
export function cpuRecords(profiles: BlockingProfiles, filter?: ProfileFilter): ProfileRecord[] {
  const out = new LabelledTallies(profiles);
  addCpuSamples(profiles, filter, out);
  return out.records(false);
}

/** The wall profile: CPU samples and blocking intervals by stack, goroutine and kind, heaviest first. */
export function wallRecords(profiles: BlockingProfiles, filter?: ProfileFilter): ProfileRecord[] {
  const raw = profiles.raw;
  if (!raw) throw new Error("the wall profile needs BlockingProfileAnalyzer({ regions: true })");
  const out = new LabelledTallies(profiles);
  addCpuSamples(profiles, filter, out);
  for (let k = 0; k < blockingKinds.length; k++) {
    profiles.visitIntervals(k, filter, (i, delayNs) => {
      const s = raw.scope.get(i);
      out.add(raw.key.get(i) >> 2, s >= 0 ? raw.scopes[s]!.index : -1, raw.g.get(i), k + 1, delayNs);
    });
  }
  return out.records(true);
}
