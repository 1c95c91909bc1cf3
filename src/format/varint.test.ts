import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  appendUvarint,
  maxVarintLen64,
  noneU64,
  readUvarint,
  readUvarintBig,
  type VarintResult,
} from "./varint.js";

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 1n << 20n }),
  fc.constantFrom(0n, 127n, 128n, 16383n, 16384n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n),
);

test("appendUvarint then readUvarintBig round-trips every uint64, minimally", () => {
  fc.assert(
    fc.property(u64, fc.uint8Array({ maxLength: 3 }), (v, tail) => {
      const out: number[] = [];
      appendUvarint(out, v);
      const minimal = Math.max(1, Math.ceil(v.toString(2).length / 7));
      assert.equal(out.length, v === 0n ? 1 : minimal);
      assert.ok(out.length <= maxVarintLen64);
      // Continuation bits on all but the last byte.
      for (const [i, b] of out.entries()) assert.equal(b >= 0x80, i < out.length - 1);
      const buf = Uint8Array.from([...out, ...tail]);
      assert.deepEqual(readUvarintBig(buf, 0, buf.length), { value: v, n: out.length });
    }),
  );
});

test("readUvarint agrees with readUvarintBig: exactly below 2^53, within rounding above", () => {
  const r: VarintResult = { value: 0, n: 0 };
  fc.assert(
    fc.property(u64, (v) => {
      const out: number[] = [];
      appendUvarint(out, v);
      const buf = Uint8Array.from(out);
      readUvarint(buf, 0, buf.length, r);
      assert.equal(r.n, out.length);
      if (v < 1n << 53n) assert.equal(r.value, Number(v));
      // Summing 7-bit groups in doubles rounds at each step, so not always to the nearest double.
      else assert.ok(Math.abs(r.value - Number(v)) <= Number(v) * 2 ** -50, `${r.value} vs ${v}`);
    }),
  );
});

test("2^64-1, Go's 'no thread', reads as at least noneU64", () => {
  const r: VarintResult = { value: 0, n: 0 };
  const out: number[] = [];
  appendUvarint(out, (1n << 64n) - 1n);
  readUvarint(Uint8Array.from(out), 0, out.length, r);
  assert.ok(r.value >= noneU64);
});

test("non-minimal encodings (the runtime pads batch sizes to 10 bytes) read the same value", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), (v) => {
      // Pad to exactly 10 bytes: nine with continuation bits, then the top bits.
      const bytes: number[] = [];
      let rest = v;
      for (let i = 0; i < 9; i++) {
        bytes.push(Number(rest & 0x7fn) | 0x80);
        rest >>= 7n;
      }
      bytes.push(Number(rest));
      const buf = Uint8Array.from(bytes);
      assert.deepEqual(readUvarintBig(buf, 0, buf.length), { value: v, n: 10 });
    }),
  );
});

test("truncated varints report n = 0 and overlong ones overflow", () => {
  fc.assert(
    fc.property(u64, (v) => {
      const out: number[] = [];
      appendUvarint(out, v);
      const cut = Uint8Array.from(out.slice(0, -1));
      assert.equal(readUvarintBig(cut, 0, cut.length).n, 0);
    }),
  );
  const over = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
  assert.ok(readUvarintBig(over, 0, over.length).n < 0);
  const eleven = new Uint8Array(11).fill(0x80);
  assert.ok(readUvarintBig(eleven, 0, eleven.length).n < 0);
});
