/**
 * The side panel for what was clicked: a slice (title, times, stacks, why it
 * ended, who created or unblocked its goroutine, the goroutine's events), a
 * mark, or a goroutine. Every string from the trace is rendered as a Preact
 * text node, never as HTML.
 */
import type {
  Frame,
  GoroutineDetails,
  GoroutineEvent,
  GoroutineRef,
  MarkDetails,
  SliceDetails,
} from "../../query/timeline/protocol.js";
import { GoroutineCpu } from "./goroutine-cpu.js";
import { formatDuration, formatTimestamp } from "./time-format.js";

export interface Jumps {
  /** Shows goroutine `g` (its row in the goroutine view, its details), optionally at a time. */
  goroutine(g: number, atNs?: number): void;
  /** Brings time `ns` into view. */
  time(ns: number): void;
}

export function StackList({ frames, label }: { frames: readonly Frame[]; label: string }) {
  if (frames.length === 0) return null;
  return (
    <div class="tl-stack">
      <div class="tl-subhead">{label}</div>
      <ol class="tl-frames">
        {frames.map((f) => (
          <li title={`${f.func}\n${f.file}:${f.line}`}>
            <span class="tl-func">{f.func}</span>
            <span class="tl-file">
              {shortFile(f.file)}:{f.line}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The last two path elements: enough to recognise a file, short enough for the panel. */
function shortFile(file: string): string {
  const parts = file.split("/");
  return parts.length <= 2 ? file : `…/${parts.slice(-2).join("/")}`;
}

function GoroutineLink({ g, name, atNs, jumps }: { g: number; name?: string; atNs?: number; jumps: Jumps }) {
  return (
    <button type="button" class="tl-link" onClick={() => jumps.goroutine(g, atNs)}>
      {name && name.length > 0 ? name : `G${g}`}
    </button>
  );
}

function RefRow({ label, r, jumps }: { label: string; r: GoroutineRef; jumps: Jumps }) {
  return (
    <>
      <tr>
        <th>{label}</th>
        <td>
          <GoroutineLink g={r.goroutine} name={r.name || `G${r.goroutine}`} atNs={r.atNs} jumps={jumps} /> at{" "}
          <TimeLink ns={r.atNs} jumps={jumps} />
        </td>
      </tr>
      {r.stack.length > 0 && (
        <tr>
          <td colSpan={2}>
            <StackList frames={r.stack} label={`${label} stack`} />
          </td>
        </tr>
      )}
    </>
  );
}

function TimeLink({ ns, jumps }: { ns: number; jumps: Jumps }) {
  return (
    <button type="button" class="tl-link tl-time" onClick={() => jumps.time(ns)}>
      {formatTimestamp(ns)}
    </button>
  );
}

export function SliceDetailsView({
  d,
  g,
  jumps,
  onWhy,
}: {
  d: SliceDetails;
  g: GoroutineDetails | undefined;
  jumps: Jumps;
  /** Asks why: the slice's goroutine at its middle, or the critical path of a task or region. */
  onWhy?: (d: SliceDetails) => void;
}) {
  const canAsk = onWhy && (d.goroutine !== undefined || d.kind === "task");
  return (
    <div class="tl-details" data-testid="slice-details">
      <h2 class="tl-title">{d.title}</h2>
      <div class="tl-kind">{d.kind}</div>
      {canAsk && (
        <button
          type="button"
          class="tl-why-button"
          data-testid="why-button"
          title={
            d.kind === "task" || d.kind === "region"
              ? "The critical path: what its time went to"
              : "The chain of wake-ups that explains this"
          }
          onClick={() => onWhy(d)}
        >
          Why?
        </button>
      )}
      <table class="tl-props">
        <tbody>
          <tr>
            <th>Start</th>
            <td>
              <TimeLink ns={d.startNs} jumps={jumps} />
            </td>
          </tr>
          <tr>
            <th>Wall duration</th>
            <td>{formatDuration(d.durNs)}</td>
          </tr>
          {d.goroutine !== undefined && (
            <tr>
              <th>Goroutine</th>
              <td>
                <GoroutineLink g={d.goroutine} name={`G${d.goroutine}`} atNs={d.startNs} jumps={jumps} />
              </td>
            </tr>
          )}
          {d.endReason && (
            <tr>
              <th>End reason</th>
              <td>{d.endReason}</td>
            </tr>
          )}
          {d.args &&
            Object.entries(d.args)
              .filter(([, v]) => v !== "")
              .map(([k, v]) => (
                <tr>
                  <th>{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
          {d.createdBy && <RefRow label="Created by" r={d.createdBy} jumps={jumps} />}
          {d.unblockedBy && <RefRow label="Unblocked by" r={d.unblockedBy} jumps={jumps} />}
        </tbody>
      </table>
      <StackList frames={d.startStack} label="Start stack" />
      <StackList frames={d.endStack} label="End stack" />
      {g && <GoroutineCpu g={g} />}
      {g && <GoroutineEvents g={g} jumps={jumps} />}
    </div>
  );
}

export function MarkDetailsView({ d, jumps }: { d: MarkDetails; jumps: Jumps }) {
  return (
    <div class="tl-details" data-testid="mark-details">
      <h2 class="tl-title">{d.title}</h2>
      <table class="tl-props">
        <tbody>
          <tr>
            <th>Time</th>
            <td>
              <TimeLink ns={d.timeNs} jumps={jumps} />
            </td>
          </tr>
          {d.goroutine !== undefined && (
            <tr>
              <th>Goroutine</th>
              <td>
                <GoroutineLink g={d.goroutine} atNs={d.timeNs} jumps={jumps} />
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <StackList frames={d.stack} label="Stack" />
    </div>
  );
}

export function GoroutineDetailsView({ g, jumps }: { g: GoroutineDetails; jumps: Jumps }) {
  return (
    <div class="tl-details" data-testid="goroutine-details">
      <h2 class="tl-title">{g.name || `G${g.goroutine}`}</h2>
      <table class="tl-props">
        <tbody>
          {g.startNs !== undefined && (
            <tr>
              <th>Start</th>
              <td>
                <TimeLink ns={g.startNs} jumps={jumps} />
              </td>
            </tr>
          )}
          {g.startNs !== undefined && g.endNs !== undefined && (
            <tr>
              <th>Lifetime</th>
              <td>{formatDuration(g.endNs - g.startNs)}</td>
            </tr>
          )}
          {g.createdBy && <RefRow label="Created by" r={g.createdBy} jumps={jumps} />}
        </tbody>
      </table>
      <GoroutineCpu g={g} />
      <GoroutineEvents g={g} jumps={jumps} />
    </div>
  );
}

/** The goroutine's events in time order; each one's stack folds open on demand. */
function GoroutineEvents({ g, jumps }: { g: GoroutineDetails; jumps: Jumps }) {
  return (
    <div class="tl-events">
      <div class="tl-subhead">
        Events of G{g.goroutine} ({g.events.length}
        {g.eventsTruncated ? "+, truncated" : ""})
      </div>
      <ul>
        {g.events.map((e: GoroutineEvent) => (
          <li>
            <TimeLink ns={e.timeNs} jumps={jumps} />
            {e.stack.length > 0 ? (
              <details>
                <summary>{e.what}</summary>
                <StackList frames={e.stack} label="Stack" />
              </details>
            ) : (
              <span class="tl-what">{e.what}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
