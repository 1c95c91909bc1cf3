/**
 * A time range typed in milliseconds from the trace start (the timeline's
 * zero), for the Profiles page: the keyboard's way to what a selection on
 * the timeline links to. Enter in either box applies it.
 */
import { useState } from "preact/hooks";

function msText(ns: number | undefined): string {
  return ns === undefined ? "" : String(ns / 1e6);
}

export function RangeForm(props: {
  startNs: number | undefined;
  endNs: number | undefined;
  onApply: (startNs: number | undefined, endNs: number | undefined) => void;
}) {
  const [from, setFrom] = useState(msText(props.startNs));
  const [to, setTo] = useState(msText(props.endNs));
  const [error, setError] = useState("");
  const parse = (s: string) => (s.trim() === "" ? undefined : Number(s) * 1e6);
  return (
    <form
      class="controls"
      onSubmit={(e) => {
        e.preventDefault();
        const a = parse(from);
        const b = parse(to);
        if ((a !== undefined && !Number.isFinite(a)) || (b !== undefined && !Number.isFinite(b))) {
          setError("Times are numbers of milliseconds.");
        } else if (a !== undefined && b !== undefined && b < a) {
          setError("The end comes before the start.");
        } else {
          setError("");
          props.onApply(
            a === undefined ? undefined : Math.round(a),
            b === undefined ? undefined : Math.round(b),
          );
        }
      }}
    >
      <label>
        From
        <input
          type="text"
          inputMode="decimal"
          size={8}
          value={from}
          onInput={(e) => setFrom(e.currentTarget.value)}
        />
        ms
      </label>
      <label>
        to
        <input
          type="text"
          inputMode="decimal"
          size={8}
          value={to}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
        ms
      </label>
      <button type="submit">Cut to this time</button>
      {error && (
        <span class="aerror" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
