/**
 * The timeline's data: engine windows, cached by chunks of rows. Rows are
 * fetched in fixed blocks of `chunkRows` so that a filtered goroutine view
 * (rows scattered over 100k) asks only for the blocks it shows, and scrolling
 * reuses blocks already here. Each block keeps its newest answer until a
 * newer one arrives, so old pixels stay on screen while the engine works;
 * one request per block is in flight at a time, and a block whose wanted
 * plan changed meanwhile asks again when its answer lands.
 */
import type {
  CounterColumns,
  Flow,
  MarkColumns,
  SliceColumns,
  ViewKind,
  WindowResponse,
} from "../../query/timeline/protocol.js";
import type { EngineClient } from "../engine-client.js";
import { type FetchPlan, planKey } from "./viewport.js";

export const chunkRows = 32;

/** Everything drawn for one row, from one engine answer. */
export interface RowData {
  readonly labels: readonly string[];
  readonly slices?: SliceColumns;
  readonly counter?: CounterColumns;
  readonly marks?: MarkColumns;
  /** Highest point of the counter in the answer (stacked total or a line): the row's vertical scale. */
  readonly counterMax: number;
}

interface Chunk {
  /** Key of the answer held, and its request's sequence number (newer answers win). */
  key?: string;
  seq: number;
  rows: (RowData | undefined)[];
  flows: readonly Flow[];
  flowsTruncated: boolean;
  /** What the last `want` asked for; re-requested when the in-flight answer is stale. */
  wantKey?: string;
  wantPlan?: FetchPlan;
  wantFlows: boolean;
  wantRowCount: number;
  /** A key whose request failed: not asked again until the plan changes, so an error cannot loop. */
  failedKey?: string;
  inFlight: boolean;
  lastUsed: number;
}

/** Blocks kept beyond the visible ones before the least recently drawn go. */
const maxChunks = 96;

export class WindowCache {
  private readonly chunks = new Map<string, Chunk>();
  private seq = 0;
  private tick = 0;
  /** Requests sent and not answered yet. */
  inFlight = 0;

  constructor(
    private readonly engine: EngineClient,
    private readonly onData: () => void,
    private readonly onError: (message: string) => void,
  ) {}

  private chunkFor(view: ViewKind, chunk: number, create: boolean): Chunk | undefined {
    const id = `${view}:${chunk}`;
    let c = this.chunks.get(id);
    if (!c && create) {
      c = {
        seq: -1,
        rows: [],
        flows: [],
        flowsTruncated: false,
        wantFlows: false,
        wantRowCount: 0,
        inFlight: false,
        lastUsed: 0,
      };
      this.chunks.set(id, c);
    }
    return c;
  }

  /** The data held for a row (possibly from an older window or resolution), or undefined. */
  row(view: ViewKind, row: number): RowData | undefined {
    const c = this.chunkFor(view, Math.floor(row / chunkRows), false);
    if (!c) return undefined;
    c.lastUsed = this.tick;
    return c.rows[row % chunkRows];
  }

  /** Flows held for a chunk of rows. */
  flows(view: ViewKind, chunk: number): readonly Flow[] {
    return this.chunkFor(view, chunk, false)?.flows ?? [];
  }

  flowsTruncated(view: ViewKind, chunk: number): boolean {
    return this.chunkFor(view, chunk, false)?.flowsTruncated ?? false;
  }

  /**
   * Asks for `plan` in every listed chunk that does not hold it yet. Cheap
   * when nothing changed, so the timeline calls it after every frame.
   */
  want(view: ViewKind, chunks: Iterable<number>, rowCount: number, plan: FetchPlan, flows: boolean): void {
    this.tick++;
    // The row count is part of the key: a chunk asked for with fewer rows is not complete.
    const key = `${planKey(plan)}:${flows}:${rowCount}`;
    for (const chunk of chunks) {
      const c = this.chunkFor(view, chunk, true)!;
      c.lastUsed = this.tick;
      if (c.key === key || c.failedKey === key) continue;
      c.wantKey = key;
      c.wantPlan = plan;
      c.wantFlows = flows;
      c.wantRowCount = rowCount;
      if (!c.inFlight) this.request(view, chunk, c);
    }
    this.evict();
  }

  private request(view: ViewKind, chunk: number, c: Chunk): void {
    const plan = c.wantPlan!;
    const flows = c.wantFlows;
    const key = c.wantKey!;
    const seq = ++this.seq;
    c.inFlight = true;
    this.inFlight++;
    const rowFrom = chunk * chunkRows;
    const rowTo = Math.min(c.wantRowCount, rowFrom + chunkRows);
    this.engine
      .window({
        view,
        startNs: plan.startNs,
        endNs: plan.endNs,
        widthPx: plan.widthPx,
        rowFrom,
        rowTo,
        flows,
      })
      .then(
        (resp) => {
          c.inFlight = false;
          this.inFlight--;
          if (seq > c.seq) this.store(c, key, seq, resp);
          if (c.wantKey !== c.key) this.request(view, chunk, c);
          this.onData();
        },
        (e: unknown) => {
          c.inFlight = false;
          this.inFlight--;
          c.failedKey = key;
          this.onError(String(e));
          this.onData();
        },
      );
  }

  private store(c: Chunk, key: string, seq: number, resp: WindowResponse): void {
    const rows: (RowData | undefined)[] = [];
    const base = (r: number) => r % chunkRows;
    const get = (r: number) => {
      const i = base(r);
      rows[i] ??= { labels: resp.labels, counterMax: 0 };
      return rows[i] as { -readonly [K in keyof RowData]: RowData[K] };
    };
    for (const s of resp.slices) get(s.row).slices = s;
    for (const m of resp.marks) get(m.row).marks = m;
    for (const k of resp.counters) {
      const r = get(k.row);
      r.counter = k;
      r.counterMax = stackedMax(k);
    }
    c.rows = rows;
    c.key = key;
    c.seq = seq;
    c.flows = resp.flows;
    c.flowsTruncated = resp.flowsTruncated;
  }

  private evict(): void {
    if (this.chunks.size <= maxChunks) return;
    const byAge = [...this.chunks.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [id, c] of byAge.slice(0, this.chunks.size - maxChunks))
      if (!c.inFlight) this.chunks.delete(id);
  }
}

/** The highest point drawn: the stacked series' total, or a line series above it. */
function stackedMax(k: CounterColumns): number {
  const stacked = k.stacked ?? k.values.length;
  let max = 0;
  for (let i = 0; i < k.timeNs.length; i++) {
    let sum = 0;
    for (let s = 0; s < k.values.length; s++) {
      const v = Math.max(0, k.values[s]![i] ?? 0);
      if (s < stacked) sum += v;
      else if (v > max) max = v;
    }
    if (sum > max) max = sum;
  }
  return max;
}
