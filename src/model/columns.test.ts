/**
 * The chunked columns against plain arrays holding the same values: what
 * is appended, set, sealed, permuted and grouped reads back the same,
 * empty, within the first chunk, at and across the 64K-row chunk
 * boundaries, and when a column widens after some chunks are full.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ChunkPool, F64Column, groupByKey, IdCache, IntColumn, RelColumn } from "./columns.js";

const chunk = 1 << 16;
/** Row counts around the first chunk's doublings and the chunk boundaries. */
const sizes = [0, 1, 16, 17, chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 3];

/** A deterministic pseudo-random sequence (xorshift), so failures repeat. */
function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Values ≥ −1 whose width grows along the column: 8 bits, then 16 from `to16`, then 32 from `to32`. */
function intValues(n: number, seed: number, to16: number, to32: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const max = i >= to32 ? 2 ** 31 - 1 : i >= to16 ? 0xfffe : 0xfe;
    out.push(r() < 0.1 ? -1 : Math.floor(r() * (max + 1)));
  }
  return out;
}

function intColumn(values: readonly number[]): IntColumn {
  const c = new IntColumn();
  for (const v of values) c.push(v);
  return c;
}

function read(c: { length: number; get(i: number): number }): number[] {
  return Array.from({ length: c.length }, (_, i) => c.get(i));
}

/** A permutation of 0 .. n−1 (deterministic). */
function shuffled(n: number, seed: number): Int32Array {
  const r = rng(seed);
  const o = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [o[i], o[j]] = [o[j]!, o[i]!];
  }
  return o;
}

describe("IntColumn", () => {
  for (const n of sizes) {
    for (const [to16, to32] of [
      [n, n],
      [Math.floor(n / 2), n],
      [0, Math.floor(n * 0.9)],
      [chunk + 5, chunk + 7],
      // Widening on the append that finds the first chunk full, then on the next.
      [chunk, chunk + 1],
    ] as const) {
      it(`${n} rows, widening at ${to16} and ${to32}: push, set, seal, permute`, () => {
        const values = intValues(n, n + to16 * 7 + to32, to16, to32);
        const c = intColumn(values);
        assert.equal(c.length, n);
        assert.deepEqual(read(c), values);
        // Random writes over the chunks, some widening.
        const r = rng(n + 99);
        for (let k = 0; k < Math.min(n, 1000); k++) {
          const i = Math.floor(r() * n);
          const v = r() < 0.2 ? -1 : Math.floor(r() * 70000);
          c.set(i, v);
          values[i] = v;
        }
        assert.deepEqual(read(c), values);
        const order = shuffled(n, n + 3);
        const expected = Array.from(order, (o) => values[o]!);
        const sealed = intColumn(values);
        sealed.seal();
        assert.deepEqual(read(sealed), values);
        assert.deepEqual(Array.from(c.toInt32()), values);
        sealed.permute(order);
        assert.deepEqual(read(sealed), expected, "permuted after sealing");
        c.permute(order);
        assert.deepEqual(read(c), expected, "permuted from the chunks");
        c.permute(order);
        assert.deepEqual(
          read(c),
          Array.from(order, (o) => expected[o]!),
          "permuted twice",
        );
      });
    }
  }

  it("groupBy equals groupByKey on the same keys, with a shift and keys out of range left out", () => {
    for (const n of sizes) {
      const values = intValues(n, n + 1, 0, n).map((v) => (v < 0 ? v : v % 37));
      for (const sealFirst of [false, true]) {
        for (const [keys, shift] of [
          [37, 0],
          [38, 1],
          [20, 0],
        ] as const) {
          const c = intColumn(values);
          if (sealFirst) c.seal();
          const got = c.groupBy(keys, shift);
          const want = groupByKey(
            n,
            (i) => {
              const k = values[i]! + shift;
              return k < keys ? k : -1;
            },
            keys,
          );
          assert.deepEqual(got, want, `${n} rows, ${keys} keys, shift ${shift}`);
          if (shift === 0) {
            // Grouped after a reordering, through where each row went: the same groups, renumbered.
            const order = shuffled(n, keys);
            const where = new Int32Array(n);
            for (let i = 0; i < n; i++) where[order[i]!] = i;
            const moved = intColumn(values);
            moved.permute(order);
            const through = moved.groupByThrough(keys, where);
            assert.deepEqual(through.starts, want.starts);
            assert.deepEqual(
              Array.from(through.order),
              Array.from(want.order, (i) => where[i]!),
            );
          }
          assert.deepEqual(read(c), values, "grouping leaves the column as it was");
        }
      }
    }
  });

  for (const n of sizes) {
    it(`${n} rows: appending goes on after seal and permute`, () => {
      const values = intValues(n, n + 11, 0, n);
      const c = intColumn(values);
      c.seal();
      for (const v of intValues(chunk + 2, n, 0, chunk + 2)) {
        c.push(v);
        values.push(v);
      }
      assert.deepEqual(read(c), values);
      const order = shuffled(values.length, n);
      c.permute(order);
      const permuted = Array.from(order, (o) => values[o]!);
      for (let v = 0; v < chunk + 2; v++) {
        c.push(v % 300);
        permuted.push(v % 300);
      }
      assert.deepEqual(read(c), permuted);
    });
  }

  it("refuses what it cannot hold", () => {
    const c = new IntColumn();
    assert.throws(() => c.push(-2), RangeError);
    assert.throws(() => c.push(2 ** 31), RangeError);
    assert.equal(c.length, 0);
  });

  it("an empty column seals, permutes and groups to nothing", () => {
    const c = new IntColumn();
    assert.deepEqual(c.groupBy(3), { order: new Int32Array(0), starts: new Int32Array(4) });
    c.permute(new Int32Array(0));
    assert.equal(c.length, 0);
    assert.equal(c.bytes, 0);
  });
});

describe("ChunkPool", () => {
  for (const n of sizes) {
    it(`${n} rows: columns reordered in turn through one pool each keep their own values`, () => {
      const pool = new ChunkPool();
      const order = shuffled(n, n + 1);
      const ints = [0, 1, 2, 3].map((k) => intValues(n, n * 4 + k, k === 0 ? n : 0, k < 2 ? n : 0));
      const floats = [0, 1].map((k) => Array.from({ length: n }, (_, i) => i * 1.5 + k));
      const intCols = ints.map(intColumn);
      intCols[1]!.seal();
      const floatCols = floats.map((f) => {
        const c = new F64Column();
        for (const v of f) c.push(v);
        return c;
      });
      void floatCols[1]!.array;
      for (const c of [...floatCols, ...intCols]) c.permute(order, pool);
      intCols.forEach((c, k) => {
        assert.deepEqual(
          read(c),
          Array.from(order, (o) => ints[k]![o]!),
          `int column ${k}`,
        );
      });
      floatCols.forEach((c, k) => {
        assert.deepEqual(
          read(c),
          Array.from(order, (o) => floats[k]![o]!),
          `float column ${k}`,
        );
      });
    });
  }
});

describe("F64Column", () => {
  for (const n of sizes) {
    it(`${n} rows: push, set, array, permute from chunks and sealed`, () => {
      const r = rng(n + 5);
      const values = Array.from({ length: n }, () => (r() < 0.05 ? Number.NaN : r() * 2 ** 50));
      const c = new F64Column();
      for (const v of values) c.push(v);
      assert.deepEqual(read(c), values);
      if (n > 0) {
        c.set(n - 1, 42);
        values[n - 1] = 42;
        assert.equal(c.lastPushed === 42, false, "lastPushed is what was appended, not set");
      }
      const order = shuffled(n, n);
      const expected = Array.from(order, (o) => values[o]!);
      const sealed = new F64Column();
      for (const v of values) sealed.push(v);
      assert.deepEqual(Array.from(sealed.array), values);
      sealed.permute(order);
      assert.deepEqual(read(sealed), expected);
      c.permute(order);
      assert.deepEqual(read(c), expected);
      assert.deepEqual(Array.from(c.array), expected);
      // Appending after `array` and after sealing.
      for (let v = 0; v < chunk + 2; v++) {
        c.push(v);
        sealed.push(v);
        expected.push(v);
      }
      sealed.seal();
      assert.deepEqual(read(c), expected);
      assert.deepEqual(Array.from(sealed.array), expected);
      sealed.push(-3);
      assert.equal(sealed.get(sealed.length - 1), -3);
    });
  }
});

describe("RelColumn", () => {
  it("reads back every value, near or far from its base, before it, or NaN, across chunks", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            base: fc.integer({ min: 0, max: 2 ** 40 }),
            delta: fc.oneof(
              fc.integer({ min: 0, max: 1000 }),
              fc.integer({ min: -1000, max: -1 }),
              fc.constant(2 ** 31 - 2),
              fc.constant(2 ** 31 - 3),
              fc.integer({ min: 2 ** 31, max: 2 ** 40 }),
              fc.constant(Number.NaN),
            ),
          }),
          { maxLength: 200 },
        ),
        fc.integer({ min: 0, max: 2 * chunk }),
        (rows, pad) => {
          const base = new F64Column();
          const rel = new RelColumn(base);
          const second = new RelColumn(rel);
          const want: number[] = [];
          const want2: number[] = [];
          // Padding rows first, so the interesting ones land anywhere in the chunks.
          for (let i = 0; i < pad; i++) {
            base.push(i);
            rel.push(i + 1);
            second.push(Number.NaN);
            want.push(i + 1);
            want2.push(Number.NaN);
          }
          for (const { base: b, delta } of rows) {
            base.push(b);
            rel.push(b + delta);
            // Relative to a relative column, which may hold NaN.
            second.push(b + delta + 7);
            want.push(b + delta);
            want2.push(b + delta + 7);
          }
          assert.deepEqual(read(rel), want);
          assert.deepEqual(read(second), want2);
          const order = shuffled(base.length, pad + rows.length);
          for (const c of [base, rel, second]) c.permute(order);
          assert.deepEqual(
            read(rel),
            Array.from(order, (o) => want[o]!),
          );
          assert.deepEqual(
            read(second),
            Array.from(order, (o) => want2[o]!),
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it("set and setOver move a row between near, far (the side map), before its base and NaN, across chunks", () => {
    const r = rng(7);
    const n = 2 * chunk + 5;
    const base = new F64Column();
    const rel = new RelColumn(base);
    const want: number[] = [];
    const far = () => {
      const k = r();
      return k < 0.3
        ? Number.NaN
        : k < 0.6
          ? 3e9 + Math.floor(r() * 1e9)
          : k < 0.8
            ? -5
            : Math.floor(r() * 1000);
    };
    for (let i = 0; i < n; i++) {
      base.push(i * 10);
      const v = i * 10 + (r() < 0.5 ? far() : 7);
      rel.push(v);
      want.push(v);
    }
    for (let k = 0; k < 20000; k++) {
      const i = Math.floor(r() * n);
      const v = i * 10 + far();
      if (r() < 0.5) rel.set(i, v);
      else rel.setOver(i, v, i * 10);
      want[i] = v;
    }
    assert.deepEqual(read(rel), want);
    const order = shuffled(n, 5);
    base.permute(order);
    rel.permute(order);
    assert.deepEqual(
      read(rel),
      Array.from(order, (o) => want[o]!),
    );
  });
});

describe("IdCache", () => {
  it("reads back what a Map holds, for small, scattered, huge and odd IDs, and forgets all on clear", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.nat(100),
              fc.nat(5000),
              fc.integer({ min: (1 << 20) - 2, max: (1 << 20) + 2 }),
              fc.constantFrom(2 ** 40, 2 ** 53 - 1, 0.5, -1),
            ),
            fc.nat(2 ** 31 - 1),
          ),
          { maxLength: 200 },
        ),
        (writes) => {
          const c = new IdCache();
          const want = new Map<number, number>();
          for (const [id, v] of writes) {
            assert.equal(c.get(id), want.get(id) ?? -1);
            c.set(id, v);
            want.set(id, v);
          }
          for (const [id] of writes) assert.equal(c.get(id), want.get(id));
          c.clear();
          for (const [id] of writes) assert.equal(c.get(id), -1);
        },
      ),
    );
  });
});
