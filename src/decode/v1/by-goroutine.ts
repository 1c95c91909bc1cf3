/**
 * A map keyed by goroutine ID. The runtime numbers goroutines from 1 up, and
 * a long trace can create millions of them, so values live in an array
 * indexed by ID (kept packed, which V8 keeps fast); IDs past a bound, which
 * only damaged traces have, go to a Map.
 */
const denseLimit = 1 << 26;

export class ByGoroutine<T> {
  private readonly dense: (T | undefined)[] = [];
  private readonly sparse = new Map<number, T>();

  get(g: number): T | undefined {
    return g >= 0 && g < denseLimit && Number.isInteger(g) ? this.dense[g] : this.sparse.get(g);
  }

  has(g: number): boolean {
    return this.get(g) !== undefined;
  }

  set(g: number, v: T): void {
    if (!(g >= 0 && g < denseLimit && Number.isInteger(g))) {
      this.sparse.set(g, v);
      return;
    }
    const d = this.dense;
    while (d.length < g) d.push(undefined);
    d[g] = v;
  }
}
