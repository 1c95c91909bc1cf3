import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import fc from "fast-check";
import {
  encodeGoString,
  isGoPrint,
  isGoSpace,
  quoteGo,
  quoteGoBytes,
  trimGoSpace,
  unquoteGo,
} from "./go-quote.js";

const bytes = (...b: number[]) => Uint8Array.from(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

test("quoteGoBytes escapes as strconv.Quote does", () => {
  assert.equal(quoteGoBytes(utf8("hello world\x00")), '"hello world\\x00"');
  assert.equal(quoteGoBytes(utf8('a"b\\c')), '"a\\"b\\\\c"');
  assert.equal(quoteGoBytes(utf8("\x07\b\f\n\r\t\v\x1b\x7f")), '"\\a\\b\\f\\n\\r\\t\\v\\x1b\\x7f"');
  // Latin-1: printable except C1 controls, NBSP (a space, not ASCII) and the soft hyphen (Cf).
  assert.equal(quoteGoBytes(utf8("é\u0085\u00a0\u00ad")), '"é\\u0085\\u00a0\\u00ad"');
  assert.equal(quoteGoBytes(utf8("😀\u{e0001}\u{f0000}")), '"😀\\U000e0001\\U000f0000"');
  // Invalid UTF-8 is escaped byte by byte: a stray continuation byte, a cut-off
  // sequence, an encoded surrogate, an overlong form, bytes past U+10FFFF.
  assert.equal(quoteGoBytes(bytes(0x80, 0xe2, 0x82, 0x41)), '"\\x80\\xe2\\x82A"');
  assert.equal(
    quoteGoBytes(bytes(0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf4, 0x90, 0x80, 0x80)),
    '"\\xed\\xa0\\x80\\xc0\\xaf\\xf4\\x90\\x80\\x80"',
  );
  // A real U+FFFD is a valid, printable rune.
  assert.equal(quoteGoBytes(bytes(0xef, 0xbf, 0xbd)), '"\uFFFD"');
  assert.equal(quoteGoBytes(bytes()), '""');
});

test("quoteGo keeps lone surrogates U+DC80+byte as the raw byte", () => {
  assert.equal(quoteGo("a\udcffb"), '"a\\xffb"');
  assert.equal(quoteGo("\ud800"), '"\\ufffd"');
});

test("quoteGo and quoteGoBytes agree on well-formed text", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: "binary" }), (a, b) => {
      const s = a + b.replace(/[\ud800-\udfff]/g, "");
      assert.equal(quoteGo(s), quoteGoBytes(utf8(s)));
    }),
  );
});

test("unquoteGo reads every form strconv.Unquote reads", () => {
  assert.deepEqual(
    unquoteGo('"a\\x00\\u00e9\\377\\\\\\"\\a"'),
    bytes(0x61, 0, 0xc3, 0xa9, 0xff, 0x5c, 0x22, 7),
  );
  assert.deepEqual(unquoteGo('"\\U0001F600"'), utf8("😀"));
  assert.deepEqual(unquoteGo("'x'"), utf8("x"));
  assert.deepEqual(unquoteGo("'\\''"), utf8("'"));
  assert.deepEqual(unquoteGo("''"), bytes());
  assert.deepEqual(unquoteGo("`a\r\\n`"), utf8("a\\n"));
  assert.deepEqual(unquoteGo('"tab\there"'), utf8("tab\there"));
  for (const bad of [
    '"',
    '"a',
    '"a"b',
    "'ab'",
    '"\\\'"',
    "'\\\"'",
    '"\\400"',
    '"\\ud800"',
    '"\\U00110000"',
    '"\\q"',
    '"a\nb"',
    "abc",
    '"\\x4"',
    "`a`b",
  ]) {
    assert.throws(() => unquoteGo(bad), { name: "SyntaxError", message: "invalid syntax" }, bad);
  }
});

test("unquoteGo inverts quoteGoBytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      assert.deepEqual(unquoteGo(quoteGoBytes(b)), b);
    }),
  );
});

test("isGoSpace and trimGoSpace follow unicode.IsSpace", () => {
  for (const r of [
    9, 10, 11, 12, 13, 32, 0x85, 0xa0, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  ]) {
    assert.ok(isGoSpace(r), r.toString(16));
  }
  for (const r of [0, 0x1c, 0x200b, 0xfeff, 0x180e]) assert.ok(!isGoSpace(r), r.toString(16));
  assert.equal(trimGoSpace("\u0085 a b\u3000"), "a b");
  assert.equal(trimGoSpace("\ufeffa"), "\ufeffa");
});

// ---- Differential tests against Go's strconv, through a small Go program. ----

const inCI = process.env.CI === "true";

function skipOrFail(t: TestContext, reason: string): void {
  if (inCI) assert.fail(`CI=true but ${reason}`);
  console.log(`# skipped: ${reason}`);
  t.skip(reason);
}

const goHelper = `package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
)

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if os.Args[1] == "isprint" {
		for r := rune(0); r <= 0x10FFFF; r++ {
			if strconv.IsPrint(r) {
				w.WriteByte('1')
			} else {
				w.WriteByte('0')
			}
		}
		return
	}
	s := bufio.NewScanner(os.Stdin)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		in, err := hex.DecodeString(s.Text())
		if err != nil {
			panic(err)
		}
		switch os.Args[1] {
		case "quote":
			fmt.Fprintln(w, hex.EncodeToString([]byte(strconv.Quote(string(in)))))
		case "unquote":
			out, err := strconv.Unquote(string(in))
			if err != nil {
				fmt.Fprintln(w, "error")
			} else {
				fmt.Fprintln(w, hex.EncodeToString([]byte(out)))
			}
		}
	}
}
`;

/** Runs the helper in a mode, or returns undefined (after skipping) without Go. */
function runGo(t: TestContext, mode: string, input = ""): string | undefined {
  if (spawnSync("go", ["version"]).status !== 0) {
    skipOrFail(t, "the go command is not available");
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), "gotrace-quote-"));
  try {
    writeFileSync(join(dir, "main.go"), goHelper);
    const r = spawnSync("go", ["run", "main.go", mode], {
      cwd: dir,
      input,
      maxBuffer: 1 << 26,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("isGoPrint equals Go's strconv.IsPrint on every rune", (t) => {
  const goPrint = runGo(t, "isprint");
  if (goPrint === undefined) return;
  const wrong: string[] = [];
  for (let r = 0; r <= 0x10ffff; r++) {
    if ((goPrint[r] === "1") !== isGoPrint(r)) wrong.push(`U+${r.toString(16)}`);
  }
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} runes differ`);
});

test("quoteGoBytes and unquoteGo equal Go's strconv on generated input", (t) => {
  // Bytes biased towards the interesting: ASCII controls, quotes, UTF-8 lead
  // and continuation bytes, so random strings hit valid and broken sequences.
  const interesting = fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(0x22, 0x27, 0x5c, 0x60, 0x0a, 0x0d, 0x7f, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4),
  );
  const inputs = fc
    .sample(fc.array(interesting, { maxLength: 24 }), { numRuns: 3000, seed: 42 })
    .map((a) => Uint8Array.from(a));
  inputs.push(...["😀", "\u{e0001}", "\u00ad", "\u2028", "\u{1fa89}", "\u{33479}"].map(utf8));
  const quoted = runGo(t, "quote", inputs.map(toHex).join("\n") + "\n");
  if (quoted === undefined) return;
  const goQuoted = quoted.trimEnd().split("\n");
  inputs.forEach((b, i) => {
    assert.equal(toHex(utf8(quoteGoBytes(b))), goQuoted[i], `quote of ${toHex(b)}`);
  });

  // Unquote: mutate valid literals so that both accepted and rejected inputs occur.
  const literals = fc
    .sample(
      fc.tuple(
        fc.uint8Array({ maxLength: 12 }),
        fc.constantFrom("", "\\", "'", "`", "\\x", "\\u12", "\\377", '"', "\n"),
        fc.nat(20),
      ),
      { numRuns: 3000, seed: 7 },
    )
    .map(([b, insert, at]) => {
      const q = quoteGoBytes(b);
      const pos = Math.min(at, q.length);
      return q.slice(0, pos) + insert + q.slice(pos);
    });
  literals.push("'a'", "''", "'ab'", "`x\ry`", "`a`b", '"\\\'"', "'\\\"'", "'\\''");
  const unquoted = runGo(t, "unquote", literals.map((s) => toHex(utf8(s))).join("\n") + "\n");
  if (unquoted === undefined) return;
  const goUnquoted = unquoted.trimEnd().split("\n");
  literals.forEach((s, i) => {
    let ours: string;
    try {
      ours = toHex(unquoteGo(s));
    } catch {
      ours = "error";
    }
    assert.equal(ours, goUnquoted[i], `unquote of ${JSON.stringify(s)}`);
  });
});

/** The bytes encodeGoString stands for, one character at a time. */
function encodeGoStringSlowly(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r >= 0xdc80 && r <= 0xdcff) out.push(r - 0xdc00);
    else out.push(...utf8(ch));
  }
  return out;
}

test("encodeGoString turns lone U+DC80–U+DCFF into bytes and the rest into UTF-8", () => {
  const piece = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.constantFrom("\udc80", "\udcff", "\udc7f", "\ud800", "\ud800\udc80", "\udbff\udcff", "é", "🎉"),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
      const s = pieces.join("");
      assert.deepEqual([...encodeGoString(s)], encodeGoStringSlowly(s));
    }),
    { numRuns: 3000, seed: 11 },
  );
  // A megabyte of text with one bad byte in the middle keeps the rest as it was.
  const out = encodeGoString(`${"x".repeat(1 << 19)}\udcff${"é".repeat(1 << 18)}`);
  assert.equal(out.length, (1 << 19) + 1 + 2 * (1 << 18));
  assert.equal(out[1 << 19], 0xff);
  assert.deepEqual([...out.subarray(-2)], [...utf8("é")]);
});
