/**
 * The list of find matches in the side panel: kind, text (as plain text),
 * goroutine and time; the current one is marked and kept in view.
 */
import { useEffect, useRef } from "preact/hooks";
import type { FindResponse } from "../../query/timeline/protocol.js";
import { formatTimestamp } from "./time-format.js";

export function FindResults({
  resp,
  index,
  onPick,
}: {
  resp: FindResponse;
  index: number;
  onPick: (i: number) => void;
}) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.querySelector(".current")?.scrollIntoView({ block: "nearest" });
  }, [index]);
  return (
    <div class="tl-details" data-testid="find-results">
      <h2 class="tl-title">
        Matches for “<span class="tl-query">{resp.query}</span>”
      </h2>
      <div class="tl-kind">
        {resp.matches.length}
        {resp.truncated ? "+" : ""} matches in {resp.goroutines.length} goroutines
      </div>
      <ol class="tl-matches" ref={list}>
        {resp.matches.map((m, i) => (
          <li class={i === index ? "current" : ""}>
            <button type="button" onClick={() => onPick(i)}>
              <span class={`tl-badge tl-badge-${m.kind}`}>{m.kind}</span>
              <span class="tl-match-label">{m.label}</span>
              <span class="tl-match-meta">
                {m.goroutine !== undefined ? `G${m.goroutine} · ` : ""}
                {formatTimestamp(m.startNs)}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
