/**
 * Raw events to the text form of traces, as Go's internal/trace/raw.TextWriter
 * writes it: the header line `Trace Go1.N`, then each event's canonical
 * string on its own line(s). readTextTrace reads this back.
 */
import { formatRawEvent, type RawEvent } from "./raw.js";

export function textTraceHeader(version: number): string {
  return `Trace Go1.${version}\n`;
}

export function writeTextTrace(version: number, events: Iterable<RawEvent>): string {
  const parts = [textTraceHeader(version)];
  for (const ev of events) parts.push(formatRawEvent(version, ev), "\n");
  return parts.join("");
}
