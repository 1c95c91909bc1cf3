/**
 * The raw event: one wire-format record read with no interpretation, as Go's
 * internal/trace/raw sees it. `go tool trace -d=wire` prints these, the text
 * form of traces (`.test` files) spells them out, and the raw writer turns
 * them back into bytes.
 *
 * Arguments are bigints because this layer must print every uint64 exactly
 * (thread IDs of 2^64−1 are common); nothing here is on a hot path.
 */
import { quoteGoBytes } from "./go-quote.js";
import { Ev, type EventSpec, Experiment } from "./v2/spec.js";
import { specsOf, v1Versions, v2Versions } from "./v2/version.js";

export interface RawEvent {
  /** The event type byte. */
  readonly type: number;
  /**
   * The spec's arguments in order; a stack event (spec.isStack) continues with
   * four values per frame: pc, func string ID, file string ID, line.
   */
  readonly args: readonly bigint[];
  /**
   * The trailer of a HasData event. Absent where Go's reader leaves it nil:
   * a zero length on the wire reads as absent, while `data=""` in a text
   * trace reads as present and empty, and the two print differently.
   */
  readonly data?: Uint8Array;
}

/** Names of the four values of each stack frame, as the text form writes them. */
export const frameFields: readonly string[] = ["pc", "func", "file", "line"];

/**
 * Versions Go 1.26's tools accept in a header. The v1 ones (1.11–1.21) have
 * no raw specs: the raw reader and the text reader reject every event in them.
 * Go 1.23 dropped 1.5–1.10 altogether.
 */
export const goKnownVersions: readonly number[] = [...v1Versions.filter((v) => v >= 11), ...v2Versions];

export function isKnownVersion(v: number): boolean {
  return goKnownVersions.includes(v);
}

/** What Go's zero EventSpec looks like: the holes in the table (types 53–127 in 1.26). */
const emptySpec: EventSpec = {
  name: "",
  args: [],
  stringIDs: [],
  stackIDs: [],
  startEv: Ev.None,
  isTimedEvent: false,
  hasData: false,
  isStack: false,
  experiment: Experiment.None,
};

/**
 * The spec of a type byte in a version, or undefined if the byte is past the
 * version's table (Go's raw reader calls that an invalid event type). A hole
 * inside the table reads as an event with an empty name and no arguments,
 * exactly as Go's reader takes it.
 */
export function rawSpecOf(version: number, type: number): EventSpec | undefined {
  const specs = specsOf(version);
  if (type < 0 || type >= specs.length) return undefined;
  return specs[type] ?? emptySpec;
}

/**
 * The event as Go's raw Event.String() writes it: `Name arg=value …`, then
 * each stack frame on its own tab-indented line, then `data=` with the bytes
 * Go-quoted. `go tool trace -d=wire` prints exactly this, one per line.
 */
export function formatRawEvent(version: number, ev: RawEvent): string {
  const spec = rawSpecOf(version, ev.type);
  if (spec === undefined)
    throw new RangeError(`event type ${ev.type} is not in the go 1.${version} spec table`);
  const nargs = spec.args.length;
  if (ev.args.length < nargs) {
    throw new RangeError(`${spec.name} needs ${nargs} arguments, got ${ev.args.length}`);
  }
  let s = spec.name;
  for (let i = 0; i < nargs; i++) s += ` ${spec.args[i]}=${ev.args[i]}`;
  if (spec.isStack) {
    for (let i = 0; i < ev.args.length - nargs; i++) {
      s += i % 4 === 0 ? "\n\t" : " ";
      s += `${frameFields[i % 4]}=${ev.args[nargs + i]}`;
    }
  }
  if (ev.data !== undefined) s += `\n\tdata=${quoteGoBytes(ev.data)}`;
  return s;
}
