/** `gotrace tasks` and `gotrace regions` as a user runs them. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturesDir, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function gotrace(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

const annotations = join(fixturesDir, "annotations-go1.26.trace");

describe("gotrace tasks and regions", {
  skip: requirement(existsSync(annotations), "testdata/traces"),
}, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-tasks-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("lists task types with counts and histograms, and one type's tasks with their events", () => {
    const r = gotrace("tasks", annotations);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Task type +Count +Bucket +Durations \(complete tasks\)\n/);
    assert.match(r.stdout, /\n"request" +1 +1\.584893ms +█+ 1\n/);
    assert.match(r.stdout, /\n"never-ended" +1\n/);

    const one = gotrace("tasks", "--type", "request", annotations);
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /0\.000083840s +2\.337536ms +Task 1: complete; parent none; children 2, 4/);
    assert.match(one.stdout, /\+1\.28µs +1 +log "GET \/index" \(category "http"\)/);
    assert.match(one.stdout, /region "outer" begin/);

    const json = JSON.parse(gotrace("tasks", annotations, "--json").stdout);
    const request = json.tasks.find((t: { type: string }) => t.type === "request");
    assert.deepEqual(
      [request.id, request.parent, request.children, request.durNs],
      [1, null, [2, 4], 2337536],
    );
    assert.equal(json.types.length, 10);

    const csv = gotrace("tasks", annotations, "--csv").stdout.split("\n");
    assert.equal(csv[0], "Task type,Count,Bucket from (ns),Bucket to (ns),Bucket count");
    assert.ok(csv.includes("request,1,1584893,2511886,1"));
  });

  it("lists regions by type and start location, and one type's regions longest first", () => {
    const r = gotrace("regions", annotations);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\n"step" at main\.main\.func3 \(main\.go:75\) +12 +39\.81µs/);
    const step = gotrace("regions", annotations, "--type=step");
    const rows = step.stdout.trim().split("\n");
    assert.equal(rows.length, 1 + 12);
    assert.match(
      rows[1]!,
      /^ +22 +6 +0\.002978432s +1\.057088ms +begin +end +main\.main\.func3 \(main\.go:75\)$/,
    );
    const json = JSON.parse(gotrace("regions", annotations, "--json").stdout);
    assert.equal(json.regions.length, 18);
    assert.equal(json.groups[0].frame.func, "main.main.func4");
  });

  it("says so, on one line, when a type has no tasks or regions", () => {
    for (const cmd of ["tasks", "regions"]) {
      const r = gotrace(cmd, annotations, "--type", "nope");
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        /^gotrace: no (tasks|regions) of type "nope" \(gotrace \w+ FILE lists the types\)\n$/,
      );
    }
  });

  it("says so when a trace has no tasks or regions, and keeps CSV and JSON well formed", () => {
    const none = join(fixturesDir, "gc-go1.26.trace");
    const tasks = gotrace("tasks", none);
    assert.equal(tasks.status, 0, tasks.stderr);
    assert.equal(tasks.stdout, "no user tasks in this trace\n");
    const regions = gotrace("regions", none);
    assert.equal(regions.status, 0, regions.stderr);
    assert.equal(regions.stdout, "no user regions in this trace\n");
    // The JSON agrees that there are none, so the line above is not hiding any.
    assert.deepEqual(JSON.parse(gotrace("tasks", none, "--json").stdout).tasks, []);
    assert.deepEqual(JSON.parse(gotrace("regions", none, "--json").stdout).regions, []);
    assert.equal(
      gotrace("tasks", none, "--csv").stdout.trimEnd().split("\n").length,
      1,
      "CSV: the header alone",
    );
    // A trace with some still prints its table.
    assert.doesNotMatch(gotrace("tasks", annotations).stdout, /no user tasks/);
    assert.doesNotMatch(gotrace("regions", annotations).stdout, /no user regions/);
  });

  it("keeps the complete generations of a truncated trace and says what was lost", () => {
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    const cut = join(tmp, "cut.trace");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    for (const cmd of ["tasks", "regions"]) {
      const r = gotrace(cmd, cut);
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stderr,
        /^gotrace: warning: \S+: damaged at byte offset \d+ \(.+\); analysed the [\d,]+ events before it, lost \d+\.\d% of [\d.]+ KiB\n$/,
      );
    }
  });
});
