/**
 * The timeline's window cache (src/ui/timeline/window-cache.ts) against a
 * fake engine whose answers the test releases by hand: one request per
 * chunk of rows at a time, the newest wanted plan asked for as soon as an
 * answer lands, old data kept until new data replaces it, a chunk asked for
 * with more rows fetched again, and an error not retried in a loop.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WindowRequest, WindowResponse } from "../query/timeline/protocol.js";
import { importUiModule } from "../testing/ui-module.js";

interface Plan {
  startNs: number;
  endNs: number;
  resolutionNs: number;
  widthPx: number;
}
interface RowData {
  slices?: { startNs: number[] };
}
interface Cache {
  inFlight: number;
  want(view: string, chunks: number[], rowCount: number, plan: Plan, flows: boolean): void;
  row(view: string, row: number): RowData | undefined;
}
type CacheCtor = new (engine: unknown, onData: () => void, onError: (m: string) => void) => Cache;

const { WindowCache, chunkRows } = await importUiModule<{ WindowCache: CacheCtor; chunkRows: number }>(
  "timeline/window-cache.ts",
);

/** An engine whose window answers wait until the test resolves or rejects them. */
function fakeEngine() {
  const calls: { req: WindowRequest; resolve: (r: WindowResponse) => void; reject: (e: Error) => void }[] =
    [];
  const engine = {
    window(req: WindowRequest): Promise<WindowResponse> {
      return new Promise((resolve, reject) => calls.push({ req, resolve, reject }));
    },
  };
  return { engine, calls };
}

/** An answer with one slice starting at `tag` in every requested row, to tell answers apart. */
function answer(req: WindowRequest, tag: number): WindowResponse {
  const slices = [];
  for (let row = req.rowFrom; row < req.rowTo; row++) {
    slices.push({
      row,
      startNs: [tag],
      endNs: [tag + 1],
      id: [1],
      count: [1],
      busyNs: [1],
      color: [1],
      label: [-1],
      depth: [0],
    });
  }
  return {
    view: req.view,
    startNs: req.startNs,
    endNs: req.endNs,
    resolutionNs: 1,
    labels: [],
    slices,
    counters: [],
    marks: [],
    flows: [],
    flowsTruncated: false,
  };
}

const plan = (startNs: number): Plan => ({ startNs, endNs: startNs + 1000, resolutionNs: 1, widthPx: 1000 });
const settle = () => new Promise((r) => setImmediate(r));

describe("timeline window cache", () => {
  it("asks once per chunk of rows, and not again for the same plan", () => {
    const { engine, calls } = fakeEngine();
    const cache = new WindowCache(
      engine,
      () => {},
      () => {},
    );
    cache.want("proc", [0, 1], 40, plan(0), false);
    cache.want("proc", [0, 1], 40, plan(0), false);
    assert.deepEqual(
      calls.map((c) => [c.req.rowFrom, c.req.rowTo]),
      [
        [0, chunkRows],
        [chunkRows, 40],
      ],
    );
    assert.equal(cache.inFlight, 2);
  });

  it("keeps old data until the new answer lands, then asks for the newest wanted plan", async () => {
    const { engine, calls } = fakeEngine();
    let redraws = 0;
    const cache = new WindowCache(
      engine,
      () => redraws++,
      () => {},
    );
    cache.want("proc", [0], 10, plan(0), false);
    calls[0]!.resolve(answer(calls[0]!.req, 100));
    await settle();
    assert.equal(cache.row("proc", 3)?.slices?.startNs[0], 100);
    assert.ok(redraws >= 1);
    // Two newer plans while one request is out: only the last is asked for, after the first answer.
    cache.want("proc", [0], 10, plan(2000), false);
    cache.want("proc", [0], 10, plan(4000), false);
    assert.equal(calls.length, 2);
    assert.equal(cache.row("proc", 3)?.slices?.startNs[0], 100, "old pixels stay while the engine works");
    calls[1]!.resolve(answer(calls[1]!.req, 200));
    await settle();
    assert.equal(cache.row("proc", 3)?.slices?.startNs[0], 200);
    assert.equal(calls.length, 3);
    assert.equal(calls[2]!.req.startNs, 4000);
    calls[2]!.resolve(answer(calls[2]!.req, 300));
    await settle();
    assert.equal(cache.row("proc", 3)?.slices?.startNs[0], 300);
    assert.equal(cache.inFlight, 0);
    cache.want("proc", [0], 10, plan(4000), false);
    assert.equal(calls.length, 3, "the held plan is not asked for again");
  });

  it("asks again when the view has more rows than the chunk was fetched with", async () => {
    const { engine, calls } = fakeEngine();
    const cache = new WindowCache(
      engine,
      () => {},
      () => {},
    );
    cache.want("goroutine", [0], 12, plan(0), false);
    calls[0]!.resolve(answer(calls[0]!.req, 1));
    await settle();
    cache.want("goroutine", [0], 22, plan(0), false);
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.req.rowTo, 22);
  });

  it("reports an error once and does not retry the same plan in a loop", async () => {
    const { engine, calls } = fakeEngine();
    const errors: string[] = [];
    let redraws = 0;
    const cache = new WindowCache(
      engine,
      () => {
        redraws++;
        // What the timeline does after every frame: want the same plan again.
        cache.want("proc", [0], 10, plan(0), false);
      },
      (m) => errors.push(m),
    );
    cache.want("proc", [0], 10, plan(0), false);
    calls[0]!.reject(new Error("boom"));
    await settle();
    await settle();
    assert.equal(errors.length, 1);
    assert.equal(calls.length, 1);
    assert.equal(redraws, 1);
    cache.want("proc", [0], 10, plan(1000), false);
    assert.equal(calls.length, 2, "a new plan is asked for");
  });

  it("keeps views apart", async () => {
    const { engine, calls } = fakeEngine();
    const cache = new WindowCache(
      engine,
      () => {},
      () => {},
    );
    cache.want("proc", [0], 10, plan(0), false);
    calls[0]!.resolve(answer(calls[0]!.req, 7));
    await settle();
    assert.equal(cache.row("proc", 1)?.slices?.startNs[0], 7);
    assert.equal(cache.row("thread", 1), undefined);
  });
});
