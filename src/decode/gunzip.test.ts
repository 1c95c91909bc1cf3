import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { fixturesDir } from "../testing/corpus.js";
import { TraceError } from "./errors.js";
import { isGzip, maybeGunzip } from "./gunzip.js";

async function collect(chunks: Iterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of maybeGunzip(chunks)) parts.push(c);
  return Buffer.concat(parts);
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return parts;
}

describe("maybeGunzip", () => {
  const trace = readFileSync(join(fixturesDir, "gc-go1.26.trace"));
  const gz = gzipSync(trace);

  it("inflates a gzipped trace in any chunking to node:zlib's bytes, and passes a plain trace through", async () => {
    assert.ok(isGzip(gz) && !isGzip(trace));
    for (const size of [1, 7, 4096, gz.length]) {
      assert.ok((await collect(split(gz, size))).equals(gunzipSync(gz)), `chunks of ${size}`);
    }
    assert.ok((await collect(split(trace, 1000))).equals(trace));
  });

  it("ends a cut gzip stream with a prefix of the trace", async () => {
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const got = await collect(split(cut, 333));
    assert.ok(got.length > 0 && got.length < trace.length);
    assert.ok(trace.subarray(0, got.length).equals(got));
  });

  it("refuses a gzip stream from which nothing can be inflated, at offset 0", async () => {
    const bad = Buffer.from(gz);
    bad.fill(0xff, 10, 40);
    await assert.rejects(collect([bad]), (e: Error) => {
      assert.ok(e instanceof TraceError);
      assert.match(e.message, /^gzip: nothing could be inflated \(.+\) at byte offset 0$/);
      return true;
    });
  });
});
