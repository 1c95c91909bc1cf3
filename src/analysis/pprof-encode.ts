/**
 * Profile records → pprof protobuf (uncompressed; `go tool pprof` also reads
 * it gzipped, which is what go tool trace writes and what the CLI does).
 *
 * The layout follows go tool trace's (internal/trace/traceviewer/pprof.go):
 * period type trace/count with period 1, sample types contentions/count and
 * delay/nanoseconds, one location per PC holding one line, one function per
 * (file, name). No mappings: the trace carries no binary layout.
 *
 * The cpu and wall profiles (cpu-profile.ts) have their own sample types
 * (pprofLayout) and label each sample: `goroutine` (numeric, the goroutine
 * ID), `start_function` (its start function) and, in wall, `kind` (cpu,
 * net, sync, syscall or runnable). Those are the keys `go tool pprof
 * -tagfocus`, `-tagshow` and `-tags` take.
 */
import {
  Label,
  Line,
  Location,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from "pprof-format";
import { cpuSamplePeriodNs } from "./cpu-samples.js";
import type { ProfileRecord, ProfileType } from "./profile.js";

/** A profile's sample types (count, then time), period and notes, as pprof stores them. */
export interface PprofLayout {
  readonly countType: readonly [string, string];
  readonly timeType: readonly [string, string];
  readonly periodType: readonly [string, string];
  readonly period: number;
  readonly comments: readonly string[];
}

/** Why a CPU sample weighs 10 ms, said in the profile itself (go tool pprof -comments). */
const periodComment =
  "gotrace: the trace does not record the CPU profiler's rate; each CPU sample counts as 10ms (runtime/pprof's 100 Hz)";

export function pprofLayout(type: ProfileType): PprofLayout {
  if (type === "cpu") {
    return {
      countType: ["samples", "count"],
      timeType: ["cpu", "nanoseconds"],
      periodType: ["cpu", "nanoseconds"],
      period: cpuSamplePeriodNs,
      comments: [periodComment],
    };
  }
  if (type === "wall") {
    return {
      countType: ["samples", "count"],
      timeType: ["wall", "nanoseconds"],
      periodType: ["wall", "nanoseconds"],
      period: cpuSamplePeriodNs,
      comments: [periodComment, "gotrace: wall = CPU samples + blocking and scheduler waits, by label kind"],
    };
  }
  return {
    countType: ["contentions", "count"],
    timeType: ["delay", "nanoseconds"],
    periodType: ["trace", "count"],
    period: 1,
    comments: [],
  };
}

export function encodePprof(
  records: readonly ProfileRecord[],
  layout: PprofLayout = pprofLayout("sync"),
  /** Length of the profiled time (the trace, or the range), for pprof's "Duration". */
  durationNs?: number,
): Uint8Array {
  const strings = new StringTable();
  const valueType = (type: string, unit: string) =>
    new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) });
  const functions: PprofFunction[] = [];
  const functionIds = new Map<string, number>();
  const locations: Location[] = [];
  const locationIds = new Map<number, number>();
  const samples: Sample[] = [];
  for (const rec of records) {
    const ids: number[] = [];
    for (const frame of rec.stack) {
      let loc = locationIds.get(frame.pc);
      if (loc === undefined) {
        const fnKey = `${frame.file}\n${frame.func}`;
        let fn = functionIds.get(fnKey);
        if (fn === undefined) {
          fn = functions.length + 1;
          const name = strings.dedup(frame.func);
          functions.push(
            new PprofFunction({ id: fn, name, systemName: name, filename: strings.dedup(frame.file) }),
          );
          functionIds.set(fnKey, fn);
        }
        loc = locations.length + 1;
        locations.push(
          new Location({
            id: loc,
            address: frame.pc,
            line: [new Line({ functionId: fn, line: frame.line })],
          }),
        );
        locationIds.set(frame.pc, loc);
      }
      ids.push(loc);
    }
    const label: Label[] = [];
    const l = rec.labels;
    if (l?.goroutine !== undefined)
      label.push(new Label({ key: strings.dedup("goroutine"), num: l.goroutine }));
    if (l?.startFunction !== undefined) {
      label.push(new Label({ key: strings.dedup("start_function"), str: strings.dedup(l.startFunction) }));
    }
    if (l?.kind !== undefined)
      label.push(new Label({ key: strings.dedup("kind"), str: strings.dedup(l.kind) }));
    samples.push(new Sample({ locationId: ids, value: [rec.count, rec.delayNs], label }));
  }
  return new Profile({
    sampleType: [valueType(...layout.countType), valueType(...layout.timeType)],
    periodType: valueType(...layout.periodType),
    period: layout.period,
    comment: layout.comments.map((c) => strings.dedup(c)),
    ...(durationNs !== undefined && durationNs > 0 ? { durationNanos: Math.round(durationNs) } : {}),
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
  }).encode();
}
