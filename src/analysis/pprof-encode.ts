/**
 * Profile records → pprof protobuf (uncompressed; `go tool pprof` also reads
 * it gzipped, which is what go tool trace writes and what the CLI does).
 *
 * The layout follows go tool trace's (internal/trace/traceviewer/pprof.go):
 * period type trace/count with period 1, sample types contentions/count and
 * delay/nanoseconds, one location per PC holding one line, one function per
 * (file, name). No mappings: the trace carries no binary layout.
 */
import {
  Line,
  Location,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from "pprof-format";
import type { ProfileRecord } from "./pprof.js";

export function encodePprof(records: readonly ProfileRecord[]): Uint8Array {
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
    samples.push(new Sample({ locationId: ids, value: [rec.count, rec.delayNs] }));
  }
  return new Profile({
    sampleType: [valueType("contentions", "count"), valueType("delay", "nanoseconds")],
    periodType: valueType("trace", "count"),
    period: 1,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
  }).encode();
}
