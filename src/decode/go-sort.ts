// A faithful port of Go's `slices.SortFunc` (pattern-defeating quicksort).
//
// Go's trace reader sorts CPU samples and the batch frontier with
// `slices.SortFunc`, which is not stable: elements that compare equal end up
// in an order determined by the exact sequence of comparisons and swaps the
// algorithm performs. To reproduce Go's event order byte-for-byte we cannot
// use `Array.prototype.sort` (stable, different algorithm); instead this file
// mirrors Go's implementation step for step. Every comparison is `cmp(x, y) < 0`
// exactly where Go asks "less", and every swap happens in the same order, so
// the final permutation matches Go's for any input and any comparator.
//
// Reference: $GOROOT/src/slices/sort.go and zsortanyfunc.go (Go 1.21+).
//
// This module deliberately has no Node.js imports so it can run anywhere.

type Cmp<T> = (x: T, y: T) => number;

/** Go's pivot-selection hint: how the sampled elements appeared to be ordered. */
const Hint = { Unknown: 0, Increasing: 1, Decreasing: 2 } as const;
type Hint = (typeof Hint)[keyof typeof Hint];

/** Slices of at most this many elements are finished with insertion sort. */
const MAX_INSERTION = 12;
/** From this length on, the pivot is a median of medians (Tukey's ninther). */
const SHORTEST_NINTHER = 50;
/** Swap count when all twelve compare-exchanges of the ninther swap, i.e. the samples descend. */
const MAX_SWAPS = 4 * 3;
/** Maximum out-of-order adjacent pairs the partial insertion sort will repair. */
const MAX_STEPS = 5;
/** Below this length the partial insertion sort only checks, never shifts. */
const SHORTEST_SHIFTING = 50;

const U64 = 64;

/** Go's `bits.Len(uint(n))`: the number of bits needed to represent n (0 for 0). */
function bitLen(n: number): number {
  if (n <= 0) return 0;
  if (n < 2 ** 32) return 32 - Math.clz32(n);
  return n.toString(2).length;
}

/** Go's integer division for the non-negative operands used here (truncates). */
function idiv(x: number, y: number): number {
  return Math.trunc(x / y);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Sorts `a` in place using the same algorithm as Go's `slices.SortFunc`,
 * producing exactly the same permutation as Go for the same input and
 * comparator (including the relative order of elements that compare equal).
 *
 * `cmp` must behave like a Go comparison function: negative when x < y,
 * positive when x > y, zero otherwise. Only the sign test `< 0` is used.
 */
export function sortFunc<T>(a: T[], cmp: (x: T, y: T) => number): void {
  const n = a.length;
  pdqsort(a, 0, n, bitLen(n), cmp);
}

function insertionSort<T>(data: T[], a: number, b: number, cmp: Cmp<T>): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && cmp(data[j]!, data[j - 1]!) < 0; j--) {
      swap(data, j, j - 1);
    }
  }
}

/**
 * Restores the max-heap property for the subtree rooted at `lo`, within the
 * heap occupying data[first : first+hi] (heap indices are relative to first).
 */
function siftDown<T>(data: T[], lo: number, hi: number, first: number, cmp: Cmp<T>): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && cmp(data[first + child]!, data[first + child + 1]!) < 0) {
      child++;
    }
    if (!(cmp(data[first + root]!, data[first + child]!) < 0)) return;
    swap(data, first + root, first + child);
    root = child;
  }
}

function heapSort<T>(data: T[], a: number, b: number, cmp: Cmp<T>): void {
  const first = a;
  const lo = 0;
  const hi = b - a;
  // Heapify bottom-up so the largest element sits at the root...
  for (let i = idiv(hi - 1, 2); i >= 0; i--) {
    siftDown(data, i, hi, first, cmp);
  }
  // ...then repeatedly move the root behind the shrinking heap.
  for (let i = hi - 1; i >= 0; i--) {
    swap(data, first, first + i);
    siftDown(data, lo, i, first, cmp);
  }
}

/**
 * Sorts data[a:b]. `limit` counts how many badly unbalanced partitions are
 * tolerated before giving up on quicksort and using heapsort, which bounds the
 * worst case at O(n log n). The larger side is handled by looping rather than
 * recursing, as in Go, so recursion depth stays logarithmic.
 */
function pdqsort<T>(data: T[], a: number, b: number, limit: number, cmp: Cmp<T>): void {
  let wasBalanced = true;
  let wasPartitioned = true;

  for (;;) {
    const length = b - a;

    if (length <= MAX_INSERTION) {
      insertionSort(data, a, b, cmp);
      return;
    }

    if (limit === 0) {
      heapSort(data, a, b, cmp);
      return;
    }

    // An unbalanced split suggests an adversarial pattern; perturb it.
    if (!wasBalanced) {
      breakPatterns(data, a, b);
      limit--;
    }

    let [pivot, hint] = choosePivot(data, a, b, cmp);
    if (hint === Hint.Decreasing) {
      reverseRange(data, a, b);
      // The pivot's offset from the front becomes the same offset from the back.
      pivot = b - 1 - (pivot - a);
      hint = Hint.Increasing;
    }

    // Looks sorted already: try to finish cheaply with a bounded insertion sort.
    if (wasBalanced && wasPartitioned && hint === Hint.Increasing) {
      if (partialInsertionSort(data, a, b, cmp)) return;
    }

    // The element just left of this range is a previous pivot and is <= all of
    // data[a:b]. If it is not less than our pivot, the pivot is the minimum of
    // the range, so gather all copies of it at the front and skip past them.
    if (a > 0 && !(cmp(data[a - 1]!, data[pivot]!) < 0)) {
      a = partitionEqual(data, a, b, pivot, cmp);
      continue;
    }

    const [mid, alreadyPartitioned] = partition(data, a, b, pivot, cmp);
    wasPartitioned = alreadyPartitioned;

    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = idiv(length, 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(data, a, mid, limit, cmp);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(data, mid + 1, b, limit, cmp);
      b = mid;
    }
  }
}

/**
 * Hoare-style partition of data[a:b] around data[pivot]. On return the pivot
 * is at index `mid`, everything before it is less, everything after is not
 * less. The flag reports whether no element had to be moved (besides the pivot).
 */
function partition<T>(data: T[], a: number, b: number, pivot: number, cmp: Cmp<T>): [number, boolean] {
  swap(data, a, pivot);
  let i = a + 1;
  let j = b - 1;

  while (i <= j && cmp(data[i]!, data[a]!) < 0) i++;
  while (i <= j && !(cmp(data[j]!, data[a]!) < 0)) j--;
  if (i > j) {
    swap(data, j, a);
    return [j, true];
  }
  swap(data, i, j);
  i++;
  j--;

  for (;;) {
    while (i <= j && cmp(data[i]!, data[a]!) < 0) i++;
    while (i <= j && !(cmp(data[j]!, data[a]!) < 0)) j--;
    if (i > j) break;
    swap(data, i, j);
    i++;
    j--;
  }
  swap(data, j, a);
  return [j, false];
}

/**
 * Splits data[a:b], known to hold nothing smaller than data[pivot], into the
 * elements equal to the pivot followed by those greater. Returns the start of
 * the greater part.
 */
function partitionEqual<T>(data: T[], a: number, b: number, pivot: number, cmp: Cmp<T>): number {
  swap(data, a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !(cmp(data[a]!, data[i]!) < 0)) i++;
    while (i <= j && cmp(data[a]!, data[j]!) < 0) j--;
    if (i > j) break;
    swap(data, i, j);
    i++;
    j--;
  }
  return i;
}

/**
 * Attempts to finish sorting a nearly sorted data[a:b] by fixing up to
 * MAX_STEPS out-of-order neighbours. Returns true if the range ended up sorted.
 */
function partialInsertionSort<T>(data: T[], a: number, b: number, cmp: Cmp<T>): boolean {
  let i = a + 1;
  for (let step = 0; step < MAX_STEPS; step++) {
    while (i < b && !(cmp(data[i]!, data[i - 1]!) < 0)) i++;

    if (i === b) return true;
    if (b - a < SHORTEST_SHIFTING) return false;

    swap(data, i, i - 1);

    // Sink the now-earlier element leftwards. Note the lower bound is index 1
    // of the whole array, not a+1: Go's code is written that way and it can
    // step below `a`, which is harmless (everything left of `a` is <= it) but
    // costs comparisons; we keep it so the comparison sequence is identical.
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!(cmp(data[j]!, data[j - 1]!) < 0)) break;
        swap(data, j, j - 1);
      }
    }
    // Float the now-later element rightwards.
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!(cmp(data[j]!, data[j - 1]!) < 0)) break;
        swap(data, j, j - 1);
      }
    }
  }
  return false;
}

/**
 * Go's xorshift generator over a 64-bit unsigned state. BigInt keeps the
 * wrap-around semantics exact; it is only used a handful of times per
 * unbalanced partition, so its cost is irrelevant.
 */
class XorShift {
  private state: bigint;

  constructor(seed: number) {
    this.state = BigInt.asUintN(U64, BigInt(seed));
  }

  next(): bigint {
    let r = this.state;
    r = BigInt.asUintN(U64, r ^ (r << 13n));
    r ^= r >> 7n;
    r = BigInt.asUintN(U64, r ^ (r << 17n));
    this.state = r;
    return r;
  }
}

/**
 * Swaps three elements around the middle of data[a:b] with pseudo-random
 * positions (seeded by the length, so deterministic) to break up inputs that
 * keep producing unbalanced partitions.
 */
function breakPatterns<T>(data: T[], a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  const random = new XorShift(length);
  // 1 << bits.Len(length): a power of two strictly greater than length.
  const mask = BigInt(2 ** bitLen(length) - 1);
  const mid = a + idiv(length, 4) * 2;
  for (let idx = mid - 1; idx <= mid + 1; idx++) {
    let other = Number(random.next() & mask);
    if (other >= length) other -= length;
    swap(data, idx, a + other);
  }
}

/**
 * Picks a pivot index for data[a:b] and guesses whether the range is
 * ascending or descending from how many swaps the median computations needed:
 * none means the samples were in order, the maximum means reverse order.
 * Short ranges use a fixed position, medium ones a median of three, long ones
 * a median of three medians of adjacent triples.
 */
function choosePivot<T>(data: T[], a: number, b: number, cmp: Cmp<T>): [number, Hint] {
  const l = b - a;
  const swaps = { n: 0 };
  const q = idiv(l, 4);
  let i = a + q * 1;
  let j = a + q * 2;
  let k = a + q * 3;

  if (l >= 8) {
    if (l >= SHORTEST_NINTHER) {
      i = medianAdjacent(data, i, swaps, cmp);
      j = medianAdjacent(data, j, swaps, cmp);
      k = medianAdjacent(data, k, swaps, cmp);
    }
    j = median(data, i, j, k, swaps, cmp);
  }

  if (swaps.n === 0) return [j, Hint.Increasing];
  if (swaps.n === MAX_SWAPS) return [j, Hint.Decreasing];
  return [j, Hint.Unknown];
}

interface SwapCounter {
  n: number;
}

/** Returns the index of the median of data[a], data[b], data[c], counting reorderings. */
function median<T>(data: T[], a: number, b: number, c: number, swaps: SwapCounter, cmp: Cmp<T>): number {
  // Three compare-and-exchange steps on indices (not on the data), as in Go.
  let t: number;
  if (cmp(data[b]!, data[a]!) < 0) {
    swaps.n++;
    t = a;
    a = b;
    b = t;
  }
  if (cmp(data[c]!, data[b]!) < 0) {
    swaps.n++;
    // Only b is needed afterwards; c's new value would never be read.
    b = c;
  }
  if (cmp(data[b]!, data[a]!) < 0) {
    swaps.n++;
    b = a;
  }
  return b;
}

/** Median of data[a-1], data[a], data[a+1]. */
function medianAdjacent<T>(data: T[], a: number, swaps: SwapCounter, cmp: Cmp<T>): number {
  return median(data, a - 1, a, a + 1, swaps, cmp);
}

function reverseRange<T>(data: T[], a: number, b: number): void {
  let i = a;
  let j = b - 1;
  while (i < j) {
    swap(data, i, j);
    i++;
    j--;
  }
}
