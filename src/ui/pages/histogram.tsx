/**
 * A latency histogram (Go's five buckets per decade) as a row of bars, each
 * a link to the instances in that bucket: Tab moves between buckets and
 * Enter lists them.
 */
import type { TimeHistogramResult } from "../../query/analysis/protocol.js";
import { plural, pluralWord } from "../plural.js";
import { formatNs } from "./format.js";

export function Histogram(props: {
  histogram: TimeHistogramResult;
  /** The link for bucket `index`; without it the bars are a picture only. */
  href?: (index: number) => string;
  active?: number;
  /** What a bucket counts, singular ("task"). */
  what: string;
}) {
  const b = props.histogram.buckets;
  if (b.length === 0) return <span class="muted">no complete {pluralWord(0, props.what)}</span>;
  const max = Math.max(...b.map((x) => x.count));
  return (
    <div class="histcell">
      <div class="hist">
        {b.map((x) => {
          const label = `${plural(x.count, props.what)} from ${formatNs(x.minNs)} to ${formatNs(x.maxNs)}`;
          // Empty buckets keep their place but take no Tab stop.
          if (x.count === 0) return <span class="empty" title={label} />;
          const height = `${Math.max(2, (x.count / max) * 100)}%`;
          if (!props.href)
            return <span class="filled" style={{ height }} title={label} data-count={x.count} />;
          return (
            <a
              href={props.href(x.index)}
              class={x.index === props.active ? "active" : ""}
              style={{ height }}
              aria-label={label}
              title={label}
              data-bucket={x.index}
              data-count={x.count}
            >
              <span class="sr-only">{label}</span>
            </a>
          );
        })}
      </div>
      <div class="hist-axis" aria-hidden="true">
        {formatNs(b[0]!.minNs)} – {formatNs(b[b.length - 1]!.maxNs)}
      </div>
    </div>
  );
}
