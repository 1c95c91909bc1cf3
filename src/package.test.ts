/**
 * The npm package works as a package: `npm pack` of the built checkout,
 * installed into an empty project, runs `npx gotrace` there. The tarball
 * holds the built code and the UI bundle but no tests and no test support,
 * and every module the code imports at run time is Node's own or one of the
 * package's `dependencies` (the empty project has nothing else).
 *
 * Packing skips the `prepare` script (a full build) and takes dist/ as
 * `npm test` has just built it. The install prefers npm's cache, so it
 * needs no network once the dependencies have been installed here before.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { fixturesDir, haveGo, repoRoot, requirement, runProcess } from "./testing/corpus.js";

const fixture = join(fixturesDir, "sched-go1.26.trace");
const mainJs = join(repoRoot, "dist", "cli", "main.js");

const haveNpm = spawnSync("npm", ["--version"], { stdio: "ignore" }).status === 0;

/**
 * The environment for npm and npx in the temporary project: the caller's,
 * without the npm_* variables an enclosing `npm test` sets for this
 * repository (its package, its lifecycle, its prefix), but keeping the
 * user's npm configuration (cache, registry, proxies).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const keep =
      !/^npm_/i.test(k) || /^npm_config_(cache|registry|userconfig|https?_proxy|proxy|noproxy)$/i.test(k);
    if (keep) env[k] = v;
  }
  return env;
}

/** Runs a command in `cwd` to completion. */
function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, env: npmEnv(), maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** The bare module names a built .js file imports (statically, or by import() with a literal). */
function bareImports(js: string): string[] {
  const names: string[] = [];
  for (const m of js.matchAll(
    /^\s*(?:import|export)\b[^"';]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm,
  )) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    if (!spec.startsWith(".")) names.push(spec);
  }
  return names;
}

/** Waits for `gotrace view` to print its address; rejects if it exits or stays silent. */
function servedUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no URL within ${timeoutMs} ms:\n${err}`)), timeoutMs);
    child.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /^gotrace: serving .* at (http:\/\/\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`gotrace view exited (${code ?? signal}) before serving:\n${err}`));
    });
  });
}

describe("the npm package, installed into an empty project", {
  skip:
    requirement(haveNpm, "the npm command") ??
    requirement(existsSync(mainJs), "the build, dist/ (npm run build)"),
  timeout: 300_000,
}, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-package-"));
  const project = join(tmp, "project");
  let files: string[] = [];

  before(() => {
    const pack = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], repoRoot);
    assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr}`);
    const [info] = JSON.parse(pack.stdout.toString()) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((f) => f.path);
    const tarball = join(tmp, info!.filename);
    assert.ok(existsSync(tarball), `npm pack wrote no ${tarball}`);

    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "empty", version: "1.0.0", private: true }),
    );
    const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], project);
    assert.equal(install.status, 0, `npm install of the tarball failed:\n${install.stderr}`);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("holds the built CLI, library, UI and static page, and no tests, test support or sources", () => {
    for (const f of [
      "package.json",
      "README.md",
      "dist/cli/main.js",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/ui/index.html",
      "dist/web/index.html",
    ])
      assert.ok(files.includes(f), `${f} is not in the tarball`);
    assert.ok(
      files.some((f) => /^dist\/ui\/assets\/.*\.js$/.test(f)),
      "the UI bundle is not in the tarball",
    );
    assert.deepEqual(
      files.filter((f) => /\.test\.|(^|\/)testing\/|^src\/|^testdata\//.test(f)),
      [],
      "test files or sources in the tarball",
    );
  });

  it("imports at run time only Node's modules and its dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...builtinModules]);
    const missing = new Set<string>();
    for (const f of files.filter((f) => f.endsWith(".js") && !/^dist\/(ui|web)\//.test(f))) {
      for (const spec of bareImports(readFileSync(join(repoRoot, f), "utf8"))) {
        if (spec.startsWith("node:")) continue;
        const name = spec
          .split("/")
          .slice(0, spec.startsWith("@") ? 2 : 1)
          .join("/");
        if (!allowed.has(name)) missing.add(`${f} imports ${spec}`);
      }
    }
    assert.deepEqual([...missing], [], "imports that are not in package.json's dependencies");
  });

  it("npx gotrace stats prints what the checkout prints", () => {
    const got = run("npx", ["--no", "gotrace", "stats", fixture], project);
    assert.equal(got.status, 0, got.stderr);
    const want = run(process.execPath, [mainJs, "stats", fixture], repoRoot);
    assert.equal(got.stdout.toString(), want.stdout.toString());
    assert.match(got.stdout.toString(), /go 1\.26 trace/);
  });

  it("npx gotrace pprof writes a gzipped profile that go tool pprof reads", async (t) => {
    const out = join(project, "out.pb.gz");
    const got = run("npx", ["--no", "gotrace", "pprof", "--type=sync", fixture, "-o", out], project);
    assert.equal(got.status, 0, got.stderr);
    const bytes = readFileSync(out);
    assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], "not gzip");
    assert.ok(gunzipSync(bytes).length > 100, "an empty profile");
    const ref = join(tmp, "ref.pb.gz");
    assert.equal(
      run(process.execPath, [mainJs, "pprof", "--type=sync", fixture, "-o", ref], repoRoot).status,
      0,
    );
    assert.ok(bytes.equals(readFileSync(ref)), "the package's profile differs from the checkout's");
    const noGo = requirement(haveGo(), "the go command");
    if (noGo) return t.skip(noGo);
    const top = await runProcess(["go", "tool", "pprof", "-top", out]);
    assert.equal(top.status, 0, top.stderr);
    assert.match(top.stdout.toString(), /sync\.\(\*Mutex\)\.Lock/);
  });

  it("npx gotrace view serves the page and answers the API", async () => {
    // Its own process group, so that npx, the shell it may start and gotrace all stop together.
    const child = spawn("npx", ["--no", "gotrace", "view", "--no-open", "--http", "127.0.0.1:0", fixture], {
      cwd: project,
      env: npmEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const url = await servedUrl(child, 60_000);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      const html = await page.text();
      const script = /<script[^>]*src="([^"]+)"/.exec(html);
      assert.ok(script, "the page loads no script");
      const bundle = await fetch(new URL(script[1]!, url));
      assert.equal(bundle.status, 200, `${script[1]} is not served`);
      const info = await fetch(new URL("/api/info", url));
      assert.equal(info.status, 200);
      const body = (await info.json()) as { format: string; goroutines: number };
      assert.equal(body.format, "go 1.26 trace");
      assert.ok(body.goroutines > 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
  });
});
