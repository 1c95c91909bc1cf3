/**
 * Live capture: `gotrace capture URL -o FILE` and `gotrace view URL`
 * against a running Go program serving net/http/pprof (pprofserver, built
 * here with go), whose capture Go's own reader reads with the program's
 * tasks in it; and each failure (a bad URL, a refused port, a 404, a body
 * that is not a trace, a body cut part-way) against a tiny server of the
 * test's own: one line, exit status 1, and what arrived saved and read up
 * to the damage. Also `gotrace view DIR` and `gotrace serve-web`.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { fixturesDir, goToolTrace, haveGo, repoRoot, requirement, runProcess } from "../testing/corpus.js";

const main = join(repoRoot, "dist", "cli", "main.js");
const gotrace = (...args: string[]) => runProcess([process.execPath, main, ...args]);

/** Starts a node:http server on 127.0.0.1 answering with `handler`; resolves with its origin. */
function tinyServer(
  handler: (res: ServerResponse, path: string) => void,
): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => handler(res, req.url ?? "/"));
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server });
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A port nothing listens on: one the OS just gave and took back. */
async function closedPort(): Promise<number> {
  const { server } = await tinyServer(() => {});
  const port = (server.address() as AddressInfo).port;
  await close(server);
  return port;
}

/** Runs a long-lived command until its stdout matches `pattern`; resolves with the match. */
function startUntil(
  args: readonly string[],
  pattern: RegExp,
  cwd?: string,
): Promise<{ child: ChildProcess; match: RegExpExecArray; stderr: () => string }> {
  const child = spawn(process.execPath, [main, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no ${pattern} within 60 s:\n${out}\n${err}`));
    }, 60_000);
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, stderr: () => err });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${pattern}:\n${out}\n${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

/** Go's own reader's count of the tasks of `type` begun in `file`. */
function goTaskBegins(file: string, type: string): number {
  const r = goToolTrace(["-d=parsed", file]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .toString()
    .split("\n")
    .filter((l) => / TaskBegin /.test(l) && l.includes(`Type=${JSON.stringify(type)}`)).length;
}

const damagedSource = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));

describe("capture: failures, each one line and exit status 1", () => {
  let dir: string;
  let origin: string;
  let server: Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gotrace-capture-"));
    ({ origin, server } = await tinyServer((res, path) => {
      if (path.startsWith("/silent")) {
        // Headers, then nothing: a program that never sends its trace.
        res.writeHead(200);
        res.flushHeaders();
      } else if (path.startsWith("/text")) {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end("<html>profiles</html>\n".repeat(10));
      } else if (path.startsWith("/cut")) {
        // Announces the whole trace, sends 60% of it, then drops the connection.
        res.writeHead(200, { "Content-Length": damagedSource.length });
        res.write(damagedSource.subarray(0, Math.floor(damagedSource.length * 0.6)), () => {
          setTimeout(() => res.socket?.destroy(), 50);
        });
      } else {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("404 page not found\n");
      }
    }));
  });
  after(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The lines of stderr that are not the progress line. */
  const errorLines = (stderr: string) =>
    stderr.split("\n").filter((l) => l !== "" && !/^gotrace: capturing /.test(l));

  it("a URL that is not http(s)", async () => {
    const r = await gotrace("capture", "ftp://example.com/trace", "-o", join(dir, "a"));
    assert.equal(r.status, 1);
    assert.deepEqual(errorLines(r.stderr), ["gotrace: ftp://example.com/trace: not an http or https URL"]);
  });

  it("a refused connection", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/debug/pprof/trace?seconds=1`;
    const r = await gotrace("capture", url, "-o", join(dir, "b"));
    assert.equal(r.status, 1);
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^gotrace: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/trace\?seconds=1: connection refused/,
    );
    assert.ok(!existsSync(join(dir, "b")), "nothing arrived, nothing saved");
  });

  it("a 404", async () => {
    const r = await gotrace("capture", `${origin}/debug/pprof/trace`, "-o", join(dir, "c"));
    assert.equal(r.status, 1);
    assert.deepEqual(errorLines(r.stderr), [
      `gotrace: ${origin}/debug/pprof/trace: the server answered 404 Not Found: 404 page not found`,
    ]);
  });

  it("silence: nothing for the seconds asked and a margin (GOTRACE_CAPTURE_IDLE_SEC, 1 here)", async () => {
    const child = spawn(
      process.execPath,
      [main, "capture", `${origin}/silent?seconds=1`, "-o", join(dir, "f")],
      {
        env: { ...process.env, GOTRACE_CAPTURE_IDLE_SEC: "1" },
      },
    );
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(status, 1);
    const lines = errorLines(stderr);
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0]!,
      /: the answer is not a Go execution trace \(the body is empty\)|nothing (more )?arrived for 2 s/,
    );
  });

  it("a body that is not a trace: saved, and said so", async () => {
    const r = await gotrace("capture", `${origin}/text`, "-o", join(dir, "d"));
    assert.equal(r.status, 1);
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /: the answer is not a Go execution trace \(bad file format: not a Go execution trace\? at byte offset 0\)/,
    );
    assert.ok(readFileSync(join(dir, "d")).toString().startsWith("<html>"));
  });

  it("a body cut part-way: what arrived is saved and read up to the damage", async () => {
    const file = join(dir, "e.trace");
    const r = await gotrace("capture", `${origin}/cut`, "-o", file);
    assert.equal(r.status, 1);
    const sent = damagedSource.subarray(0, Math.floor(damagedSource.length * 0.6));
    assert.ok(readFileSync(file).equals(sent), "every byte that arrived is saved");
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, /the capture stopped part-way: .*; the .* that arrived are in .*e\.trace$/);
    // The damage line is the one every command prints for that file.
    const stats = await gotrace("stats", file);
    assert.equal(stats.status, 0);
    assert.equal(lines[1], stats.stderr.trim());
    assert.match(lines[1]!, /^gotrace: warning: .*damaged at byte offset \d+/);
  });

  it("gotrace view URL with a cut body: the line, then what was read is served, and the status is 1", async () => {
    const { child, match, stderr } = await startUntil(
      ["view", "--no-open", `${origin}/cut`],
      /serving (\S+) at (http:\/\/\S+)/,
      dir,
    );
    const saved = match[1]!;
    assert.ok(saved.startsWith(dir), `${saved} is in the current directory`);
    const info = (await (await fetch(new URL("api/info", match[2]!))).json()) as {
      damage?: { offset: number };
    };
    assert.ok(info.damage, "the engine says the trace is damaged");
    assert.match(stderr(), /the capture stopped part-way/);
    assert.equal(await stop(child), 1);
  });
});

describe("capture from a running program (pprofserver)", { skip: requirement(haveGo(), "go") }, () => {
  let dir: string;
  let program: ChildProcess | undefined;
  let origin: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gotrace-live-"));
    const bin = join(dir, "pprofserver");
    execFileSync("go", ["build", "-o", bin, "./pprofserver"], {
      cwd: join(repoRoot, "testdata", "programs"),
    });
    const p = spawn(bin, [], { stdio: ["ignore", "pipe", "inherit"] });
    program = p;
    origin = await new Promise<string>((resolve, reject) => {
      let out = "";
      p.stdout!.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      p.once("exit", (code) => reject(new Error(`pprofserver exited (${code})`)));
    });
  });
  after(() => {
    program?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("gotrace capture saves a trace Go reads, with the program's tasks in it", async () => {
    const file = join(dir, "live.trace");
    const r = await gotrace("capture", `${origin}/debug/pprof/trace?seconds=1`, "-o", file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^gotrace: capturing .* into .*live\.trace \(the program traces for 1 s\)\ngotrace: saved .* of trace in .*live\.trace\n$/,
    );
    const begun = goTaskBegins(file, "pprofserver-work");
    assert.ok(begun > 0, "Go's reader sees the program's tasks");
    const ours = JSON.parse((await gotrace("tasks", "--json", file)).stdout.toString()) as {
      types: { type: string; count: number }[];
    };
    assert.equal(ours.types.find((t) => t.type === "pprofserver-work")?.count, begun);
  });

  it("gotrace view URL captures into a file it names, keeps it, and serves it", async () => {
    const { child, match, stderr } = await startUntil(
      ["view", "--no-open", `${origin}/debug/pprof/trace?seconds=1`],
      /serving (\S+) at (http:\/\/\S+)/,
      dir,
    );
    const saved = match[1]!;
    assert.match(saved, /trace-127\.0\.0\.1-\d+-\d{8}T\d{6}Z\.out$/);
    assert.ok(readdirSync(dir).includes(saved.slice(dir.length + 1)), "saved in the current directory");
    assert.match(
      stderr(),
      new RegExp(`saved .* of trace in ${saved.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    const tasks = (await (await fetch(new URL("api/analysis/tasks", match[2]!))).json()) as {
      types: { type: string; count: number }[];
    };
    assert.equal(
      tasks.types.find((t) => t.type === "pprofserver-work")?.count,
      goTaskBegins(saved, "pprofserver-work"),
    );
    assert.equal(await stop(child), 0);
  });
});

describe("gotrace view DIR and serve-web", {
  skip: requirement(
    existsSync(join(repoRoot, "dist", "web", "index.html")),
    "the static page, dist/web (npm run build)",
  ),
}, () => {
  it("view DIR lists the traces in it (only traces), served with the static page and the view server's guards", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-list-"));
    try {
      const a = readFileSync(join(fixturesDir, "gc-go1.26.trace"));
      writeFileSync(join(dir, "b.trace"), a);
      writeFileSync(join(dir, "a.trace"), readFileSync(join(fixturesDir, "annotations-go1.26.trace")));
      writeFileSync(join(dir, "notes.txt"), "not a trace");
      const { child, match } = await startUntil(
        ["view", "--no-open", dir],
        /serving 2 traces in \S+ at (http:\/\/\S+)/,
      );
      try {
        const page = new URL(match[1]!);
        assert.equal(page.search, "?list=traces.json");
        const list = (await (await fetch(new URL("traces.json", page))).json()) as {
          name: string;
          url: string;
        }[];
        assert.deepEqual(
          list.map((t) => t.name),
          ["a.trace", "b.trace"],
        );
        const bytes = Buffer.from(await (await fetch(new URL(list[1]!.url, page))).arrayBuffer());
        assert.ok(bytes.equals(a));
        const index = await fetch(page);
        assert.equal(index.status, 200);
        assert.match(index.headers.get("content-security-policy") ?? "", /script-src 'self'/);
        // Another name for this machine is refused (DNS rebinding).
        const status = await new Promise<number | undefined>((resolve, reject) => {
          request(page, { headers: { Host: "evil.example" } }, (res) => {
            res.resume();
            resolve(res.statusCode);
          })
            .on("error", reject)
            .end();
        });
        assert.equal(status, 421);
      } finally {
        await stop(child);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("view FILE.gz reads the trace inflated: the tasks the CLI finds in the plain file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-gz-"));
    const plain = join(fixturesDir, "annotations-go1.26.trace");
    const gz = join(dir, "annotations.trace.gz");
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const { child, match } = await startUntil(["view", "--no-open", gz], /serving \S+ at (http:\/\/\S+)/);
    try {
      const served = await (await fetch(new URL("api/analysis/tasks", match[1]!))).json();
      const cli = JSON.parse((await gotrace("tasks", "--json", plain)).stdout.toString()) as {
        types: unknown;
      };
      assert.deepEqual((served as { types: unknown }).types, cli.types);
    } finally {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve-web serves dist/web only, with the CSP that lets the page fetch ?url=", async () => {
    const { child, match } = await startUntil(
      ["serve-web", "--no-open"],
      /serving the static page at (http:\/\/\S+)/,
    );
    try {
      const base = match[1]!;
      const res = await fetch(base);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.equal(html, readFileSync(join(repoRoot, "dist", "web", "index.html"), "utf8"));
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /connect-src 'self' http: https:/);
      assert.match(csp, /script-src 'self';/);
      assert.equal((await fetch(new URL("api/info", base))).status, 404);
      assert.equal((await fetch(new URL("api/progress", base))).status, 404);
    } finally {
      await stop(child);
    }
  });
});
