/**
 * A binary heap that moves elements exactly as Go's container/heap does.
 *
 * The MMU code keeps its worst windows and its bands in such heaps, and
 * which of several equally bad windows it reports depends on where each sits
 * in the heap's array. Matching go tool trace's worst windows therefore
 * needs Go's sift order, not just any heap.
 */
export class GoHeap<T> {
  constructor(
    readonly items: T[],
    /** Whether items[i] must sit above items[j]. */
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Establishes the heap order over the whole array (Go's heap.Init). */
  init(): void {
    const n = this.items.length;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i, n);
  }

  push(x: T): void {
    this.items.push(x);
    this.up(this.items.length - 1);
  }

  pop(): T {
    const n = this.items.length - 1;
    this.swap(0, n);
    this.down(0, n);
    return this.items.pop()!;
  }

  remove(i: number): T {
    const n = this.items.length - 1;
    if (n !== i) {
      this.swap(i, n);
      if (!this.down(i, n)) this.up(i);
    }
    return this.items.pop()!;
  }

  private swap(i: number, j: number): void {
    const a = this.items;
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }

  private up(j: number): void {
    const a = this.items;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (parent === j || !this.less(a[j]!, a[parent]!)) break;
      this.swap(parent, j);
      j = parent;
    }
  }

  /** Sifts items[i0] down within the first n items; says whether it moved. */
  private down(i0: number, n: number): boolean {
    const a = this.items;
    let i = i0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n || left < 0) break;
      let j = left;
      const right = left + 1;
      if (right < n && this.less(a[right]!, a[left]!)) j = right;
      if (!this.less(a[j]!, a[i]!)) break;
      this.swap(i, j);
      i = j;
    }
    return i > i0;
  }
}
