/**
 * The list of find matches in the side panel: kind, text (as plain text),
 * the stack frame that matched, goroutine and time; the current one is
 * marked and kept in view.
 */
import { useEffect, useRef } from "preact/hooks";
import type { FindResponse } from "../../query/timeline/protocol.js";
import { plural, pluralWord } from "../plural.js";
import { formatTimestamp } from "./time-format.js";

/** "No matches", "1 match in 1 goroutine", "1000+ matches in 12 goroutines". */
export function matchCount(resp: FindResponse): string {
  const n = resp.matches.length;
  if (n === 0) return "No matches";
  const more = resp.truncated ? "+" : "";
  const gs = resp.goroutines.length;
  const matches = `${n.toLocaleString("en-US")}${more} ${pluralWord(n + (more ? 1 : 0), "match", "matches")}`;
  return gs === 0 ? matches : `${matches} in ${plural(gs, "goroutine")}`;
}

/** The last element of a path: frames name their file by its base, the tooltip has the rest. */
function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

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
      <div class="tl-kind" data-testid="find-count">
        {matchCount(resp)}
      </div>
      <ol class="tl-matches" ref={list}>
        {resp.matches.map((m, i) => (
          <li class={i === index ? "current" : ""}>
            <button type="button" onClick={() => onPick(i)}>
              <span class={`tl-badge tl-badge-${m.kind}`}>{m.kind}</span>
              <span class="tl-match-label">{m.label}</span>
              {m.frame && (
                <span class="tl-match-frame" title={`${m.frame.func}\n${m.frame.file}:${m.frame.line}`}>
                  in {m.frame.func} ({baseName(m.frame.file)}:{m.frame.line})
                </span>
              )}
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
