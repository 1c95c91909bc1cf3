/**
 * Event → text exactly as Go's (internal/trace).Event.String prints it, which
 * is what `go tool trace -d=parsed` shows. `gotrace dump` relies on this
 * being byte-for-byte identical.
 */
import { quoteGo } from "../format/go-quote.js";
import {
  type Event,
  EventKind,
  eventKindNames,
  goStateNames,
  isNoStack,
  procStateNames,
  type ResourceID,
  ResourceKind,
  resourceKindNames,
  type Stack,
  stackFrames,
} from "./event.js";

/** A uint64 held as a double: −1 and 2^64 both stand for 2^64−1. */
export function formatU64(v: number): string {
  if (v < 0) return (2n ** 64n + BigInt(v)).toString();
  if (v >= 2 ** 64) return "18446744073709551615";
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

function formatI64(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(Math.trunc(v)).toString();
}

/** Absolute time: origin + relative, exact even past 2^53. */
export function formatTime(originNs: number, rel: number): string {
  const abs = originNs + rel;
  if (Number.isSafeInteger(abs) && Number.isSafeInteger(originNs)) return String(abs);
  return (BigInt(originNs) + BigInt(rel)).toString();
}

function formatResource(r: ResourceID): string {
  if (r.kind === ResourceKind.None) return "None";
  return `${resourceKindNames[r.kind] ?? "Bad"}(${formatI64(r.id)})`;
}

function goState(s: number): string {
  return goStateNames[s] ?? "Bad";
}

function procState(s: number): string {
  return procStateNames[s] ?? "Bad";
}

/** Formatted stacks per table, since the same stacks print again and again. */
const stackText = new WeakMap<object, Map<number, string>>();

function formatStack(s: Stack, prefix: string): string {
  if (!s.table || prefix !== "\t") return formatStackUncached(s, prefix);
  let cache = stackText.get(s.table);
  if (!cache) {
    cache = new Map();
    stackText.set(s.table, cache);
  }
  let text = cache.get(s.id);
  if (text === undefined) {
    text = formatStackUncached(s, prefix);
    cache.set(s.id, text);
  }
  return text;
}

function formatStackUncached(s: Stack, prefix: string): string {
  let out = "";
  for (const f of stackFrames(s)) {
    out += `${prefix}${f.func} @ 0x${f.pc.toString(16)}\n${prefix}\t${f.file}:${formatU64(f.line)}\n`;
  }
  return out;
}

/** Go's time.Time.Format(time.RFC3339Nano) in the local time zone. */
export function formatWallRFC3339Nano(sec: number, nsec: number): string {
  sec += Math.floor(nsec / 1e9);
  nsec %= 1e9;
  const ms = sec * 1000;
  const offsetMin = -new Date(ms).getTimezoneOffset();
  const d = new Date(ms + offsetMin * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  let out = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (nsec !== 0) out += `.${String(nsec).padStart(9, "0").replace(/0+$/, "")}`;
  if (offsetMin === 0) return `${out}Z`;
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  return `${out}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function formatEvent(e: Event, originNs: number): string {
  const kind = e.kind;
  let s = `M=${formatI64(e.m)} P=${formatI64(e.p)} G=${formatI64(e.g)} ${eventKindNames[kind] ?? "Bad"} Time=${formatTime(originNs, e.time)}`;
  switch (kind) {
    case EventKind.Metric: {
      const m = e.metric();
      s += ` Name=${quoteGo(m.name)} Value=Value{Uint64(${formatU64(m.value)})}`;
      break;
    }
    case EventKind.Label: {
      const l = e.label();
      s += ` Label=${quoteGo(l.label)} Resource=${formatResource(l.resource)}`;
      break;
    }
    case EventKind.RangeBegin:
    case EventKind.RangeActive:
    case EventKind.RangeEnd: {
      const r = e.range();
      s += ` Name=${quoteGo(r.name)} Scope=${formatResource(r.scope)}`;
      if (kind === EventKind.RangeEnd) {
        const attrs = e
          .rangeAttributes()
          .map((a) => `${quoteGo(a.name)}=Value{Uint64(${formatU64(a.value)})}`);
        s += ` Attributes=[${attrs.join(" ")}]`;
      }
      break;
    }
    case EventKind.TaskBegin:
    case EventKind.TaskEnd: {
      const t = e.task();
      s += ` ID=${formatU64(t.id)} Parent=${formatU64(t.parent)} Type=${quoteGo(t.type)}`;
      break;
    }
    case EventKind.RegionBegin:
    case EventKind.RegionEnd: {
      const r = e.region();
      s += ` Task=${formatU64(r.task)} Type=${quoteGo(r.type)}`;
      break;
    }
    case EventKind.Log: {
      const l = e.log();
      s += ` Task=${formatU64(l.task)} Category=${quoteGo(l.category)} Message=${quoteGo(l.message)}`;
      break;
    }
    case EventKind.StateTransition: {
      const st = e.stateTransition();
      if (st.resource.kind === ResourceKind.Goroutine) {
        s += ` GoID=${formatI64(st.resource.id)} ${goState(st.from)}->${goState(st.to)}`;
      } else {
        s += ` ProcID=${formatI64(st.resource.id)} ${procState(st.from)}->${procState(st.to)}`;
      }
      s += ` Reason=${quoteGo(st.reason)}`;
      if (!isNoStack(st.stack)) s += `\nTransitionStack=\n${formatStack(st.stack, "\t")}`;
      break;
    }
    case EventKind.Experimental: {
      const x = e.experimental();
      const args = x.args.map((a, i) => {
        const v = x.values[i]!;
        // Arguments whose name ends in "string" are string IDs; their value prints bare.
        return `${a}=${a.endsWith("string") ? e.str(v) : `Value{Uint64(${formatU64(v)})}`}`;
      });
      s += ` Name=${x.name} Args=[${args.join(", ")}]`;
      break;
    }
    case EventKind.Sync: {
      const y = e.sync();
      s += ` N=${y.n}`;
      const cs = y.clockSnapshot;
      if (cs) {
        s += ` Trace=${formatI64(cs.traceNs)} Mono=${cs.mono} Wall=${formatWallRFC3339Nano(cs.wallSec, cs.wallNsec)}`;
      }
      break;
    }
  }
  const stk = e.stack();
  if (!isNoStack(stk)) s += `\nStack=\n${formatStack(stk, "\t")}`;
  return s;
}
