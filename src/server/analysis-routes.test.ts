/**
 * The analysis routes mounted in the view server, over HTTP: answers come
 * from the worker and equal the service's, bad parameters get a 400 that
 * names them, the pprof download is gzip, and paths that are not ours fall
 * through to the server's other handlers.
 */
import assert from "node:assert/strict";
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { Profile } from "pprof-format";
import { AnalysisService, bytesFeed } from "../query/analysis/service.js";
import type { TimelineEngine } from "../query/timeline/protocol.js";
import { fixturesDir } from "../testing/corpus.js";
import { type AnalysisRoutes, analysisRoutes } from "./analysis-routes.js";
import { startViewServer, type ViewServer } from "./server.js";

const file = join(fixturesDir, "annotations-go1.26.trace");

/** Only info() is asked for by these tests. */
const engine = {
  info: () => ({ format: "go 1.26 trace", durationNs: 1, events: 1, goroutines: 0, procs: 0, threads: 0 }),
} as unknown as TimelineEngine;

describe("analysis routes", () => {
  let server: ViewServer;
  let routes: AnalysisRoutes;
  const service = new AnalysisService(bytesFeed(() => createReadStream(file)));
  before(async () => {
    routes = analysisRoutes(file);
    server = await startViewServer({ engine, routes: [routes.route], assetsDir: fixturesDir });
    routes.start();
  });
  after(async () => {
    await routes?.close();
    await server?.close();
  });
  const get = (path: string) => fetch(new URL(path, server.url));

  it("answers each page's question as the service does", async () => {
    const json = async (path: string) => {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      return res.json();
    };
    assert.deepEqual(
      await json("api/analysis/goroutines"),
      JSON.parse(JSON.stringify(await service.goroutineGroups())),
    );
    assert.deepEqual(
      await json("api/analysis/profile?type=sync&startNs=0&endNs=2000000"),
      JSON.parse(JSON.stringify(await service.profile({ type: "sync", startNs: 0, endNs: 2_000_000 }))),
    );
    assert.deepEqual(
      await json("api/analysis/task-list?type=db"),
      JSON.parse(JSON.stringify(await service.taskList("db", undefined))),
    );
    assert.deepEqual(await json("api/analysis/goroutine-group?name=no.such.func"), null);
    const status = (await json("api/analysis/status")) as {
      state: string;
      bytesRead: number;
      totalBytes: number;
    };
    assert.equal(status.state, "done");
    assert.equal(status.bytesRead, statSync(file).size);
    assert.equal(status.totalBytes, statSync(file).size);
  });

  it("serves the profile as gzipped pprof", async () => {
    const res = await get("api/analysis/profile.pb.gz?type=sync");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="sync.pb.gz"');
    const p = Profile.decode(gunzipSync(new Uint8Array(await res.arrayBuffer())));
    const total = p.sample.reduce((s, x) => s + Number(x.value[1]), 0);
    assert.equal(total, (await service.profile({ type: "sync" })).totalNs);
    assert.equal((await get("api/analysis/profile.pb.gz?type=sync&group=no.such.func")).status, 404);
  });

  it("refuses bad parameters with a 400 naming them", async () => {
    for (const [path, word] of [
      ["api/analysis/profile?type=heap", "type"],
      ["api/analysis/profile?type=sync&startNs=x", "startNs"],
      ["api/analysis/profile?type=sync&startNs=5&endNs=1", "endNs"],
      ["api/analysis/task-list", "type"],
      ["api/analysis/task-list?type=db&bucket=-1", "bucket"],
      ["api/analysis/mmu?include=stw,heap", "include"],
      ["api/analysis/mmu?worst=99999", "worst"],
    ] as const) {
      const res = await get(path);
      assert.equal(res.status, 400, path);
      assert.match(await res.text(), new RegExp(word), path);
    }
  });

  it("leaves other paths to the server", async () => {
    assert.equal((await get("api/analysis/nothing")).status, 404);
    assert.equal((await get("api/info")).status, 200);
  });
});

describe("analysis routes on a trace with nothing to analyse", () => {
  // Only a Go 1.19 header: go tool trace says "no EvFrequency event"; the
  // timeline serves it empty with damage set, and each page says why it is empty.
  const dir = mkdtempSync(join(tmpdir(), "gotrace-routes-"));
  const empty = join(dir, "header-only.trace");
  writeFileSync(empty, Buffer.from("go 1.19 trace\0\0\0", "latin1"));
  let server: ViewServer;
  let routes: AnalysisRoutes;
  before(async () => {
    routes = analysisRoutes(empty);
    server = await startViewServer({ engine, routes: [routes.route], assetsDir: fixturesDir });
  });
  after(async () => {
    await routes?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers every page with the reason, not a server error", async () => {
    for (const name of [
      "overview",
      "goroutines",
      "profile?type=sync",
      "tasks",
      "regions",
      "mmu",
      "schedlat",
    ]) {
      const res = await fetch(new URL(`api/analysis/${name}`, server.url));
      assert.equal(res.status, 200, name);
      const body = (await res.json()) as { unavailable?: string };
      assert.match(body.unavailable ?? "", /^gotrace: .*no EvFrequency event/, name);
    }
  });
});
