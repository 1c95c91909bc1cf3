/**
 * A table sortable by any column: each header is a button (Tab to it,
 * Enter to sort, again to reverse), and aria-sort tells screen readers the
 * order. Numbers sort largest first, text A–Z.
 */
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { plural } from "../plural.js";

const rowLimit = 500;

export interface Column<T> {
  readonly title: string;
  /** Sort key; numbers are right-aligned. */
  readonly value: (row: T) => number | string;
  readonly render?: (row: T) => ComponentChildren;
  /** Title (tooltip) of a cell, e.g. the exact value. */
  readonly exact?: (row: T) => string;
}

export function SortableTable<T>(props: {
  columns: readonly Column<T>[];
  rows: readonly T[];
  /** Initial sort column (index) and whether it is descending. */
  initial?: [number, boolean];
  caption?: string;
  rowKey: (row: T) => string | number;
  testId?: string;
}) {
  const [[col, desc], setSort] = useState<[number, boolean]>(props.initial ?? [-1, false]);
  // A group can hold 100 000 goroutines: the first rows in the chosen order, more on request.
  const [limit, setLimit] = useState(rowLimit);
  const rows = useMemo(() => {
    if (col < 0) return props.rows;
    const c = props.columns[col]!;
    const sign = desc ? -1 : 1;
    return [...props.rows].sort((a, b) => {
      const x = c.value(a);
      const y = c.value(b);
      return x < y ? -sign : x > y ? sign : 0;
    });
  }, [props.rows, col, desc]);
  const sortBy = (i: number) => {
    if (i === col) setSort([i, !desc]);
    else setSort([i, typeof props.columns[i]!.value(props.rows[0]!) === "number"]);
  };
  return (
    <table class="atable" data-testid={props.testId}>
      {props.caption && <caption>{props.caption}</caption>}
      <thead>
        <tr>
          {props.columns.map((c, i) => {
            const num = props.rows.length > 0 && typeof c.value(props.rows[0]!) === "number";
            return (
              <th
                class={num ? "num" : ""}
                aria-sort={i === col ? (desc ? "descending" : "ascending") : undefined}
                scope="col"
              >
                <button type="button" class="sort" onClick={() => sortBy(i)}>
                  {c.title}
                  <span class="arrow" aria-hidden="true">
                    {/* No break before the arrow: a wrapped header keeps it on its last word. */}
                    {i === col ? (desc ? "\u00a0▼" : "\u00a0▲") : ""}
                  </span>
                </button>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, limit).map((r) => (
          <tr key={props.rowKey(r)}>
            {props.columns.map((c) => {
              const v = c.value(r);
              return (
                <td
                  class={typeof v === "number" ? "num" : ""}
                  data-col={c.title}
                  data-value={String(v)}
                  title={c.exact?.(r)}
                >
                  {c.render ? c.render(r) : String(v)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
      {rows.length > limit && (
        <tfoot>
          <tr>
            <td colSpan={props.columns.length}>
              {plural(rows.length - limit, "more row")}.{" "}
              <button type="button" onClick={() => setLimit(limit + rowLimit * 4)}>
                Show more
              </button>
            </td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}
