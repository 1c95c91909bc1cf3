/**
 * Go's string conventions that trace text depends on: strconv.Quote (which
 * `go tool trace` uses, through %q, for every string it prints),
 * strconv.Unquote (for `data="…"` lines of text traces), UTF-8 decoding as
 * utf8.DecodeRune does it, and unicode.IsSpace / IsPrint.
 *
 * Two representations of Go's byte strings are supported:
 * - JS strings decoded from traces keep invalid UTF-8 bytes as lone
 *   surrogates U+DC80–U+DCFF (see decodeGoString), so `quoteGo` can print
 *   them back as \xNN exactly as Go prints the raw bytes;
 * - raw bytes, for the raw layer (`quoteGoBytes`, `unquoteGo`), where
 *   invalid UTF-8 and `\xNN` escapes round-trip exactly.
 */

/** utf8.RuneError, what Go decodes an invalid byte to. */
export const runeError = 0xfffd;

/** Result slot for decodeRune, reused to avoid allocating per call. */
export interface RuneResult {
  rune: number;
  size: number;
}

/**
 * Decodes the rune at `off` as utf8.DecodeRune does: an invalid or truncated
 * sequence (including overlong forms and surrogates) yields runeError with
 * size 1, so callers step over exactly one bad byte.
 */
export function decodeRune(buf: Uint8Array, off: number, end: number, out: RuneResult): void {
  const b0 = buf[off]!;
  out.rune = runeError;
  out.size = 1;
  if (b0 < 0x80) {
    out.rune = b0;
    return;
  }
  // Length, and the allowed range of the second byte, by first byte (RFC 3629 table 3-7).
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return;
  if (end - off < size) return;
  const b1 = buf[off + 1]!;
  if (b1 < lo || b1 > hi) return;
  if (size === 2) {
    out.rune = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
    out.size = 2;
    return;
  }
  const b2 = buf[off + 2]!;
  if (b2 < 0x80 || b2 > 0xbf) return;
  if (size === 3) {
    out.rune = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    out.size = 3;
    return;
  }
  const b3 = buf[off + 3]!;
  if (b3 < 0x80 || b3 > 0xbf) return;
  out.rune = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
  out.size = 4;
}

/** unicode.IsSpace; fmt's scanner uses the same set. */
export function isGoSpace(r: number): boolean {
  if (r <= 0xff) return r === 0x20 || (r >= 0x09 && r <= 0x0d) || r === 0x85 || r === 0xa0;
  return (
    r === 0x1680 ||
    (r >= 0x2000 && r <= 0x200a) ||
    r === 0x2028 ||
    r === 0x2029 ||
    r === 0x202f ||
    r === 0x205f ||
    r === 0x3000
  );
}

/** strings.TrimSpace. JS's trim() differs: it also drops U+FEFF and keeps U+0085. */
export function trimGoSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/**
 * Code points the JS engine calls printable (its Unicode is 17.0 in Node 20.20)
 * but Go 1.26 does not, because Go's tables are Unicode 15.0.0 and these were
 * assigned later. Pairs of inclusive [first, last]. Found by comparing
 * strconv.IsPrint with `printable` over every rune; go-quote.test.ts repeats
 * that comparison against the installed Go, so a Go or Node upgrade that
 * shifts the set fails loudly rather than changing quoting silently.
 */
const assignedAfterGoUnicode: readonly number[] = [
  0x88f, 0x88f, 0x897, 0x897, 0xc5c, 0xc5c, 0xcdc, 0xcdc, 0x1acf, 0x1add, 0x1ae0, 0x1aeb, 0x1b4e, 0x1b4f,
  0x1b7f, 0x1b7f, 0x1c89, 0x1c8a, 0x20c1, 0x20c1, 0x2427, 0x2429, 0x2b96, 0x2b96, 0x2ffc, 0x2fff, 0x31e4,
  0x31e5, 0x31ef, 0x31ef, 0xa7cb, 0xa7cf, 0xa7d2, 0xa7d2, 0xa7d4, 0xa7d4, 0xa7da, 0xa7dc, 0xa7f1, 0xa7f1,
  0xfbc3, 0xfbd2, 0xfd90, 0xfd91, 0xfdc8, 0xfdce, 0x105c0, 0x105f3, 0x10940, 0x10959, 0x10d40, 0x10d65,
  0x10d69, 0x10d85, 0x10d8e, 0x10d8f, 0x10ec2, 0x10ec7, 0x10ed0, 0x10ed8, 0x10efa, 0x10efc, 0x11380, 0x11389,
  0x1138b, 0x1138b, 0x1138e, 0x1138e, 0x11390, 0x113b5, 0x113b7, 0x113c0, 0x113c2, 0x113c2, 0x113c5, 0x113c5,
  0x113c7, 0x113ca, 0x113cc, 0x113d5, 0x113d7, 0x113d8, 0x113e1, 0x113e2, 0x116d0, 0x116e3, 0x11b60, 0x11b67,
  0x11bc0, 0x11be1, 0x11bf0, 0x11bf9, 0x11db0, 0x11ddb, 0x11de0, 0x11de9, 0x11f5a, 0x11f5a, 0x13460, 0x143fa,
  0x16100, 0x16139, 0x16d40, 0x16d79, 0x16ea0, 0x16eb8, 0x16ebb, 0x16ed3, 0x16ff2, 0x16ff6, 0x187f8, 0x187ff,
  0x18cff, 0x18cff, 0x18d09, 0x18d1e, 0x18d80, 0x18df2, 0x1cc00, 0x1ccfc, 0x1cd00, 0x1ceb3, 0x1ceba, 0x1ced0,
  0x1cee0, 0x1cef0, 0x1e5d0, 0x1e5fa, 0x1e5ff, 0x1e5ff, 0x1e6c0, 0x1e6de, 0x1e6e0, 0x1e6f5, 0x1e6fe, 0x1e6ff,
  0x1f6d8, 0x1f6d8, 0x1f777, 0x1f77a, 0x1f8b2, 0x1f8bb, 0x1f8c0, 0x1f8c1, 0x1f8d0, 0x1f8d8, 0x1fa54, 0x1fa57,
  0x1fa89, 0x1fa8a, 0x1fa8e, 0x1fa8f, 0x1fabe, 0x1fabe, 0x1fac6, 0x1fac6, 0x1fac8, 0x1fac8, 0x1facd, 0x1facd,
  0x1fadc, 0x1fadc, 0x1fadf, 0x1fadf, 0x1fae9, 0x1faea, 0x1faef, 0x1faef, 0x1fbcb, 0x1fbef, 0x1fbfa, 0x1fbfa,
  0x2b73a, 0x2b73f, 0x2cea2, 0x2cead, 0x2ebf0, 0x2ee5d, 0x323b0, 0x33479,
];

function inRangeTable(table: readonly number[], r: number): boolean {
  let lo = 0;
  let hi = table.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r > table[2 * mid + 1]!) lo = mid + 1;
    else hi = mid;
  }
  return lo < table.length / 2 && r >= table[2 * lo]!;
}

/**
 * strconv.IsPrint / unicode.IsPrint: letters, marks, numbers, punctuation,
 * symbols and the ASCII space. JS's property classes give the same answer
 * except for characters newer than Go's Unicode version, excluded above; a JS
 * engine with Unicode newer than 17.0 would again call a few runes printable
 * that Go escapes.
 */
export function isGoPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  if (r >= 0xd800 && r <= 0xdfff) return false;
  if (!printable.test(String.fromCodePoint(r))) return false;
  return !inRangeTable(assignedAfterGoUnicode, r);
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/** How strconv.Quote writes each ASCII character inside double quotes. */
const quotedAscii: readonly string[] = Array.from({ length: 0x80 }, (_, b) => {
  switch (b) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${hex(b, 2)}`;
});

/** A valid non-ASCII rune as strconv.Quote writes it. */
function quoteRune(r: number): string {
  if (isGoPrint(r)) return String.fromCodePoint(r);
  return r < 0x10000 ? `\\u${hex(r, 4)}` : `\\U${hex(r, 8)}`;
}

/** strconv.Quote of a decoded string (invalid bytes as U+DC80+byte, see above). */
export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r < 0x80) out += quotedAscii[r]!;
    else if (r >= 0xdc80 && r <= 0xdcff) out += `\\x${hex(r - 0xdc00, 2)}`;
    // Any other lone surrogate cannot come from UTF-8; Go would see U+FFFD.
    else if (r >= 0xd800 && r <= 0xdfff) out += "\\ufffd";
    else out += quoteRune(r);
  }
  return `${out}"`;
}

/**
 * strconv.Quote of raw bytes: printable runes kept, bytes that are not valid
 * UTF-8 as `\xNN`, other runes as `\uNNNN` or `\UNNNNNNNN`.
 */
export function quoteGoBytes(bytes: Uint8Array): string {
  const rr: RuneResult = { rune: 0, size: 0 };
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += quotedAscii[b]!;
      i++;
      continue;
    }
    decodeRune(bytes, i, bytes.length, rr);
    out += rr.size === 1 ? `\\x${hex(b, 2)}` : quoteRune(rr.rune);
    i += rr.size;
  }
  return `${out}"`;
}

function isValidRune(r: number): boolean {
  return r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff);
}

function appendUtf8(out: number[], r: number): void {
  if (r < 0x80) out.push(r);
  else if (r < 0x800) out.push(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  else if (r < 0x10000) out.push(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  else out.push(0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
}

function isValidUtf8(b: Uint8Array, from: number, to: number): boolean {
  const rr: RuneResult = { rune: 0, size: 0 };
  for (let i = from; i < to; i += rr.size) {
    decodeRune(b, i, to, rr);
    if (rr.size === 1 && rr.rune === runeError) return false;
  }
  return true;
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** strconv.ErrSyntax, with Go's message. */
const syntaxError = (): SyntaxError => new SyntaxError("invalid syntax");

/** Single-character escapes and the byte each stands for. */
const escapes: ReadonlyMap<number, number> = new Map([
  [0x61, 0x07], // \a
  [0x62, 0x08], // \b
  [0x66, 0x0c], // \f
  [0x6e, 0x0a], // \n
  [0x72, 0x0d], // \r
  [0x74, 0x09], // \t
  [0x76, 0x0b], // \v
  [0x5c, 0x5c], // \\
]);

/**
 * Appends the character or escape at b[i] (strconv.UnquoteChar) and returns
 * the index after it. Invalid UTF-8 becomes U+FFFD, as in Go.
 */
function unquoteChar(b: Uint8Array, i: number, quote: number, out: number[], rr: RuneResult): number {
  const c = b[i]!;
  if (c === quote) throw syntaxError();
  if (c >= 0x80) {
    decodeRune(b, i, b.length, rr);
    appendUtf8(out, rr.rune);
    return i + rr.size;
  }
  if (c !== 0x5c) {
    out.push(c);
    return i + 1;
  }
  if (i + 1 >= b.length) throw syntaxError();
  const e = b[i + 1]!;
  let p = i + 2;
  const simple = escapes.get(e);
  if (simple !== undefined) {
    out.push(simple);
    return p;
  }
  if (e === 0x78 || e === 0x75 || e === 0x55) {
    const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
    if (p + n > b.length) throw syntaxError();
    let v = 0;
    for (let j = 0; j < n; j++) {
      const d = unhex(b[p + j]!);
      if (d < 0) throw syntaxError();
      v = v * 16 + d;
    }
    p += n;
    if (e === 0x78)
      out.push(v); // one byte, possibly not UTF-8
    else if (!isValidRune(v)) throw syntaxError();
    else appendUtf8(out, v);
    return p;
  }
  if (e >= 0x30 && e <= 0x37) {
    if (p + 2 > b.length) throw syntaxError();
    let v = e - 0x30;
    for (let j = 0; j < 2; j++) {
      const d = b[p + j]! - 0x30;
      if (d < 0 || d > 7) throw syntaxError();
      v = v * 8 + d;
    }
    if (v > 255) throw syntaxError();
    out.push(v);
    return p + 2;
  }
  if ((e === 0x27 || e === 0x22) && e === quote) {
    out.push(e);
    return p;
  }
  throw syntaxError();
}

const utf8Encoder = new TextEncoder();

/**
 * strconv.Unquote: the bytes a double-quoted, single-quoted (one character)
 * or back-quoted Go literal stands for. Throws SyntaxError("invalid syntax")
 * where Go returns strconv.ErrSyntax, including for text after the literal.
 * The string is UTF-8 encoded first, so it cannot carry invalid UTF-8 (Go
 * would turn such bytes into U+FFFD anyway); `\xNN` escapes give any byte.
 */
export function unquoteGo(s: string): Uint8Array {
  const b = utf8Encoder.encode(s);
  const n = b.length;
  if (n < 2) throw syntaxError();
  const quote = b[0]!;
  const close = b.indexOf(quote, 1);
  if (close < 0) throw syntaxError();
  if (quote === 0x60) {
    if (close + 1 !== n) throw syntaxError();
    // Carriage returns inside raw string literals are discarded.
    return b.subarray(1, close).filter((c) => c !== 0x0d);
  }
  if (quote !== 0x22 && quote !== 0x27) throw syntaxError();
  // Without escapes or newlines up to the first closing quote, the text is taken as is if it is valid.
  const head = b.subarray(0, close + 1);
  if (!head.includes(0x5c) && !head.includes(0x0a)) {
    let valid: boolean;
    if (quote === 0x22) valid = isValidUtf8(b, 1, close);
    else if (close === 1)
      valid = true; // '' is the empty string
    else {
      const rr: RuneResult = { rune: 0, size: 0 };
      decodeRune(b, 1, close, rr);
      valid = 1 + rr.size === close && !(rr.rune === runeError && rr.size === 1);
    }
    if (valid) {
      if (close + 1 !== n) throw syntaxError();
      return b.slice(1, close);
    }
  }
  const out: number[] = [];
  const rr: RuneResult = { rune: 0, size: 0 };
  let i = 1;
  while (i < n && b[i] !== quote) {
    if (b[i] === 0x0a) throw syntaxError();
    i = unquoteChar(b, i, quote, out, rr);
    if (quote === 0x27) break; // a character literal holds one character
  }
  if (!(i < n && b[i] === quote) || i + 1 !== n) throw syntaxError();
  return Uint8Array.from(out);
}

const loneEscapedByte = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const loneEscapedBytes = new RegExp(loneEscapedByte.source, "g");

/**
 * The bytes of a string read from a trace, as Go holds them: characters
 * U+DC80–U+DCFF standing alone (see decodeGoString) go back to the single
 * invalid byte they stand for; everything else is UTF-8. The text between
 * two such characters is encoded in one call, so a megabyte of output with
 * one bad byte costs about what it costs without it.
 */
export function encodeGoString(s: string): Uint8Array {
  if (!loneEscapedByte.test(s)) return utf8Encoder.encode(s);
  // UTF-8 takes at most 3 bytes per UTF-16 unit (a pair of units makes 4).
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  let from = 0;
  for (const m of s.matchAll(loneEscapedBytes)) {
    n += utf8Encoder.encodeInto(s.slice(from, m.index), out.subarray(n)).written;
    out[n++] = s.charCodeAt(m.index) - 0xdc00;
    from = m.index + 1;
  }
  n += utf8Encoder.encodeInto(s.slice(from), out.subarray(n)).written;
  return out.subarray(0, n);
}
