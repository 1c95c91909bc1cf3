/**
 * `gotrace view`'s flags (its own and go tool trace's spellings), the
 * dispatch of `gotrace FILE`, and the progress bar on a terminal and off it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fixturesDir, runProcess } from "../testing/corpus.js";
import { UsageError } from "./args.js";
import { ProgressBar } from "./progress.js";
import { parseHttpAddr, parseViewArgs, servingLines } from "./view.js";

describe("view flags", () => {
  it("binds 127.0.0.1 at a free port unless told", () => {
    assert.deepEqual(parseViewArgs(["t.trace"]), { file: "t.trace", host: "127.0.0.1", port: 0, open: true });
  });
  it("takes --http, -http=, --no-open in any order", () => {
    assert.deepEqual(parseViewArgs(["--no-open", "--http", "localhost:8080", "t"]), {
      file: "t",
      host: "localhost",
      port: 8080,
      open: false,
    });
    assert.deepEqual(parseViewArgs(["-http=:6060", "t"]), {
      file: "t",
      host: "127.0.0.1",
      port: 6060,
      open: true,
    });
    assert.equal(parseViewArgs(["t", "--http=0.0.0.0:1"]).host, "0.0.0.0");
  });
  it("reads IPv6 addresses in brackets", () => {
    assert.deepEqual(parseHttpAddr("[::1]:9000"), { host: "::1", port: 9000 });
  });
  it("refuses what is not HOST:PORT, unknown flags and a missing file", () => {
    for (const bad of ["8080", "host:", "host:99999", "a:b:c", "[::1]", "host:80x"]) {
      assert.throws(() => parseHttpAddr(bad), UsageError, bad);
    }
    assert.throws(() => parseViewArgs(["--open", "t"]), UsageError);
    assert.throws(() => parseViewArgs(["--http"]), UsageError);
    assert.throws(() => parseViewArgs([]), UsageError);
    assert.throws(() => parseViewArgs(["a", "b", "c"]), UsageError);
    // A second trace is the diff page's B.
    assert.equal(parseViewArgs(["a", "b"]).compare, "b");
    assert.equal(parseViewArgs(["a"]).compare, undefined);
  });
});

describe("gotrace dispatch", () => {
  const main = join(fixturesDir, "..", "..", "dist", "cli", "main.js");
  it("a bad -http on `gotrace -http=… FILE` is a usage error from view", async () => {
    const r = await runProcess([
      process.execPath,
      main,
      "-http=nonsense",
      join(fixturesDir, "gc-go1.26.trace"),
    ]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^gotrace view: --http: want HOST:PORT, got "nonsense"\n$/);
  });
  it("a file that is not a trace is an error, not an empty timeline", async () => {
    const notTrace = join(fixturesDir, "INDEX.txt");
    const r = await runProcess([process.execPath, main, "view", "--no-open", notTrace]);
    assert.equal(r.status, 1);
    // Worded as every command words it: the file, the reason, the offset.
    assert.equal(
      r.stderr,
      `gotrace: ${notTrace}: bad file format: not a Go execution trace? at byte offset 0\n`,
    );
    const stats = await runProcess([process.execPath, main, "stats", notTrace]);
    assert.equal(stats.stderr, r.stderr);
    assert.equal(r.stdout.length, 0);
  });
  it("a word that is neither a command nor a path is an unknown command", async () => {
    const r = await runProcess([process.execPath, main, "no-such-command"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "gotrace: unknown command no-such-command (see gotrace help)\n");
  });
  it("a path that does not exist is a file to view, and missing", async () => {
    const r = await runProcess([process.execPath, main, "no/such.trace"]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "gotrace: no/such.trace: no such file\n");
  });
  it("the usage lists view, and its help its flags", async () => {
    const r = await runProcess([process.execPath, main, "--help"]);
    assert.match(
      r.stdout.toString(),
      /^ {2}view FILE \[B\] +the timeline and analysis pages in a browser; with B, a diff page \(FILE → B\)$/m,
    );
    const help = await runProcess([process.execPath, main, "help", "view"]);
    assert.match(help.stdout.toString(), /^ {2}--http HOST:PORT +serve on this address/m);
    assert.match(help.stdout.toString(), /^ {2}--no-open +do not open a browser/m);
  });
});

describe("view on the network", () => {
  const main = join(fixturesDir, "..", "..", "dist", "cli", "main.js");
  const trace = join(fixturesDir, "gc-go1.26.trace");

  /** Starts view; resolves with its first stdout line and what stderr said until then. */
  function startView(http: string): Promise<{ child: ChildProcess; line: string; stderr: () => string }> {
    const child = spawn(process.execPath, [main, "view", "--no-open", "--http", http, trace]);
    let err = "";
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    return new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("\n")) resolve({ child, line: out, stderr: () => err });
      });
      child.once("exit", (code) => reject(new Error(`view exited ${code}: ${err}`)));
    });
  }

  it("on 0.0.0.0: prints where it listens, warns, and answers on other interfaces", async () => {
    const view = await startView("0.0.0.0:0");
    try {
      const m =
        /^gotrace: serving \S+ on every network interface \(0\.0\.0\.0:(\d+)\) at http:\/\/127\.0\.0\.1:(\d+)\/\n$/.exec(
          view.line,
        );
      assert.ok(m, view.line);
      assert.equal(m[1], m[2]);
      const port = Number(m[1]);
      // The warning is written with the URL: give the pipe a moment to deliver it.
      for (let i = 0; i < 50 && !view.stderr().includes("\n"); i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(
        view.stderr(),
        `gotrace: warning: the trace is now reachable from the network (listening on 0.0.0.0:${port}): anyone who can connect can read its stacks and strings\n`,
      );
      // It really listens beyond loopback: an address of another interface answers.
      const other = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === "IPv4" && !a.internal);
      if (other) {
        const res = await fetch(`http://${other.address}:${port}/api/progress`);
        assert.equal(res.status, 200);
      } else {
        console.log("skipped: no network interface other than loopback to connect to");
      }
    } finally {
      view.child.kill();
    }
  });

  it("on loopback: no warning", async () => {
    const view = await startView("127.0.0.1:0");
    try {
      assert.match(view.line, /^gotrace: serving \S+ at http:\/\/127\.0\.0\.1:\d+\/\n$/);
      // Reading the small trace ends well before this; any warning would be written before the URL.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(view.stderr(), "");
    } finally {
      view.child.kill();
    }
  });

  it("words the address it listens on", () => {
    const url = "http://127.0.0.1:8080/";
    assert.deepEqual(servingLines("t", url, { address: "127.0.0.1", port: 8080 }), {
      stdout: `gotrace: serving t at ${url}\n`,
      stderr: "",
    });
    assert.equal(servingLines("t", url, { address: "::1", port: 8080 }).stderr, "");
    const v6 = servingLines("t", url, { address: "::", port: 8080 });
    assert.equal(v6.stdout, `gotrace: serving t on every network interface ([::]:8080) at ${url}\n`);
    assert.match(v6.stderr, /^gotrace: warning: .*\[::\]:8080/);
    const lan = servingLines("t", "http://192.0.2.7:80/", { address: "192.0.2.7", port: 80 });
    assert.equal(lan.stdout, "gotrace: serving t at http://192.0.2.7:80/\n");
    assert.match(
      lan.stderr,
      /^gotrace: warning: the trace is now reachable from the network \(listening on 192\.0\.2\.7:80\)/,
    );
  });
});

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 100, write: (s: string) => out.push(s) > 0 } };
}

describe("progress bar", () => {
  it("on a terminal: one line redrawn in place, cleared at the end", () => {
    const { out, stream } = sink(true);
    const bar = new ProgressBar(200 << 20, "reading", stream);
    bar.update(50 << 20);
    bar.update(60 << 20); // within 100 ms: not drawn
    bar.update(200 << 20); // the end is always drawn
    bar.finish();
    assert.equal(out.length, 3);
    assert.match(out[0]!, /^\r\x1b\[Kreading █+░+ {2}25% 50\.0 MiB of 200\.0 MiB$/);
    assert.match(out[1]!, /100% 200\.0 MiB of 200\.0 MiB$/);
    assert.equal(out[2], "\r\x1b[K");
  });
  it("elsewhere: a plain line per quarter, nothing for small files", () => {
    const { out, stream } = sink(false);
    const bar = new ProgressBar(100 << 20, "reading", stream);
    for (let mib = 1; mib <= 100; mib++) bar.update(mib << 20);
    bar.finish();
    assert.deepEqual(out, [
      "reading: 25.0 MiB of 100.0 MiB (25%)\n",
      "reading: 50.0 MiB of 100.0 MiB (50%)\n",
      "reading: 75.0 MiB of 100.0 MiB (75%)\n",
      "reading: 100.0 MiB of 100.0 MiB (100%)\n",
    ]);
    const small = sink(false);
    const b2 = new ProgressBar(1 << 20, "reading", small.stream);
    b2.update(1 << 20);
    assert.deepEqual(small.out, []);
  });
});
