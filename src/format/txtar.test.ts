import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { formatTxtar, parseTxtar, type TxtarArchive } from "./txtar.js";

test("parses the comment and the files between markers", () => {
  const text = [
    "comment1",
    "comment2",
    "-- file1 --",
    "File 1 text.",
    "-- foo ---",
    "More file 1 text.",
    "-- file 2 --",
    "File 2 text.",
    "-- empty --",
    "--  spaced name\t --",
    "-- --",
    "--  --",
    "-- noNL --",
    "hello world",
  ].join("\n");
  assert.deepEqual(parseTxtar(text), {
    comment: "comment1\ncomment2\n",
    files: [
      { name: "file1", data: "File 1 text.\n-- foo ---\nMore file 1 text.\n" },
      { name: "file 2", data: "File 2 text.\n" },
      { name: "empty", data: "" },
      { name: "spaced name", data: "-- --\n--  --\n" },
      { name: "noNL", data: "hello world\n" },
    ],
  });
});

test("a marker must be a whole line: not indented, not followed by \\r", () => {
  assert.deepEqual(parseTxtar(" -- a --\n-- b --\r\nx\n"), {
    comment: " -- a --\n-- b --\r\nx\n",
    files: [],
  });
  assert.deepEqual(parseTxtar("-- a --"), { comment: "", files: [{ name: "a", data: "" }] });
  assert.deepEqual(parseTxtar(""), { comment: "", files: [] });
  assert.deepEqual(parseTxtar("no newline"), { comment: "no newline\n", files: [] });
});

test("format adds missing final newlines", () => {
  const ar: TxtarArchive = {
    comment: "c",
    files: [
      { name: "a", data: "x" },
      { name: "b", data: "" },
      { name: "c", data: "y\n" },
    ],
  };
  assert.equal(formatTxtar(ar), "c\n-- a --\nx\n-- b --\n-- c --\ny\n");
});

test("parse inverts format for archives in normal form", () => {
  // Lines that cannot be mistaken for markers; every text ends with a newline (or is empty).
  const line = fc.string({ maxLength: 12 }).filter((l) => !l.includes("\n") && !l.startsWith("-- "));
  const body = fc.array(line, { maxLength: 4 }).map((ls) => ls.map((l) => `${l}\n`).join(""));
  const name = fc
    .string({ minLength: 1, maxLength: 8 })
    .filter((n) => /^\S(.*\S)?$/.test(n) && !n.includes("\n") && !n.includes("\r"));
  const file = fc.tuple(name, body).map(([n, data]) => ({ name: n, data }));
  const archive = fc
    .tuple(body, fc.array(file, { maxLength: 4 }))
    .map(([comment, files]) => ({ comment, files }));
  fc.assert(
    fc.property(archive, (ar) => {
      assert.deepEqual(parseTxtar(formatTxtar(ar)), ar);
    }),
  );
});
