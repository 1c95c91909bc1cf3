/**
 * Unsigned LEB128 varints as Go's encoding/binary reads them.
 *
 * Values are returned as JS numbers: exact up to 2^53. Larger values (in
 * practice only 2^64−1, Go's "none" for thread IDs) come back rounded, which
 * is why callers compare against `noneU64` with `>=` rather than `===`.
 */

/** Varints longer than this overflow (Go's binary.MaxVarintLen64). */
export const maxVarintLen64 = 10;

/** 2^64 − 1 read as a double rounds to 2^64; anything this large means "none". */
export const noneU64 = 2 ** 64;

/**
 * Result slot for readUvarint, reused to avoid allocating per call.
 * `n` > 0: bytes consumed; 0: buffer ended early; < 0: overflow after −n bytes.
 */
export interface VarintResult {
  value: number;
  n: number;
}

/** Decodes one varint at `off` in `buf` (bounded by `end`), as binary.Uvarint does. */
export function readUvarint(buf: Uint8Array, off: number, end: number, out: VarintResult): void {
  // Up to four bytes (values below 2^28) with integer arithmetic: by far the common case.
  if (off + 4 <= end) {
    const b0 = buf[off]!;
    if (b0 < 0x80) {
      out.value = b0;
      out.n = 1;
      return;
    }
    const b1 = buf[off + 1]!;
    if (b1 < 0x80) {
      out.value = (b0 & 0x7f) | (b1 << 7);
      out.n = 2;
      return;
    }
    const b2 = buf[off + 2]!;
    if (b2 < 0x80) {
      out.value = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
      out.n = 3;
      return;
    }
    const b3 = buf[off + 3]!;
    if (b3 < 0x80) {
      out.value = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | (b3 << 21);
      out.n = 4;
      return;
    }
  }
  let value = 0;
  let scale = 1;
  for (let i = 0; i < maxVarintLen64; i++) {
    if (off + i >= end) {
      out.value = 0;
      out.n = 0;
      return;
    }
    const b = buf[off + i]!;
    if (b < 0x80) {
      if (i === maxVarintLen64 - 1 && b > 1) {
        out.value = 0;
        out.n = -(i + 1);
        return;
      }
      out.value = value + b * scale;
      out.n = i + 1;
      return;
    }
    value += (b & 0x7f) * scale;
    scale *= 128;
  }
  out.value = 0;
  out.n = -(maxVarintLen64 + 1);
}

/** Decodes one varint exactly, as a bigint (for printing raw values). */
export function readUvarintBig(buf: Uint8Array, off: number, end: number): { value: bigint; n: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < maxVarintLen64; i++) {
    if (off + i >= end) return { value: 0n, n: 0 };
    const b = buf[off + i]!;
    if (b < 0x80) {
      if (i === maxVarintLen64 - 1 && b > 1) return { value: 0n, n: -(i + 1) };
      return { value: value | (BigInt(b) << shift), n: i + 1 };
    }
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  return { value: 0n, n: -(maxVarintLen64 + 1) };
}

/** Appends the minimal encoding of `v` (a non-negative integer or bigint) to `out`. */
export function appendUvarint(out: number[], v: number | bigint): void {
  if (typeof v === "number" && v < 2 ** 53) {
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return;
  }
  let b = BigInt(v);
  while (b >= 0x80n) {
    out.push(Number(b & 0x7fn) | 0x80);
    b >>= 7n;
  }
  out.push(Number(b));
}
