/** The gotrace command as a user runs it: output, exit status, one-line errors. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturesDir, goToolTrace, haveGo, repoRoot, requirement } from "../testing/corpus.js";
import { refusesTerminal } from "./pprof.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function gotrace(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

const fixture = join(fixturesDir, "annotations-go1.26.trace");

describe("gotrace CLI", { skip: requirement(existsSync(fixture), "testdata/traces fixtures") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-cli-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("accepts go tool trace's -d=parsed and -d=wire", { skip: requirement(haveGo(), "go") }, () => {
    for (const mode of ["parsed", "wire"]) {
      const ours = gotrace(`-d=${mode}`, fixture);
      const go = goToolTrace([`-d=${mode}`, fixture]);
      assert.equal(ours.status, 0, ours.stderr);
      assert.equal(ours.stdout, go.stdout.toString(), mode);
    }
    assert.equal(gotrace("dump", fixture).stdout, gotrace("-d=parsed", fixture).stdout);
    assert.equal(gotrace("dump", "--wire", fixture).stdout, gotrace("-d=wire", fixture).stdout);
  });

  it("does what -d says in every spelling, with or without dump", () => {
    const wire = gotrace("dump", "--wire", fixture);
    const parsed = gotrace("dump", fixture);
    assert.equal(wire.status, 0, wire.stderr);
    assert.match(wire.stdout, /^EventBatch gen=1 /);
    assert.match(parsed.stdout, /^M=-1 P=-1 G=-1 Sync /);
    for (const args of [
      ["dump", "-d=wire"],
      ["dump", "-d", "wire"],
      ["-d", "wire"],
      ["dump", "--d=wire"],
    ]) {
      assert.equal(gotrace(...args, fixture).stdout, wire.stdout, args.join(" "));
    }
    for (const args of [
      ["dump", "-d=parsed"],
      ["-d", "parsed"],
    ]) {
      assert.equal(gotrace(...args, fixture).stdout, parsed.stdout, args.join(" "));
    }
  });

  it("stats gives an overview", () => {
    const r = gotrace("stats", fixture);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Format: +go 1\.26 trace/);
    assert.match(r.stdout, /Generations: +\d+/);
    assert.match(r.stdout, /Goroutines: +\d+/);
    assert.match(r.stdout, /GC cycles: +\d+/);
    assert.match(r.stdout, /TaskBegin +\d+/);
  });

  it("rejects a file that is not a trace with one line and status 1", () => {
    const bad = join(tmp, "bad.out");
    writeFileSync(bad, "hello, world, this is not a trace");
    for (const args of [
      ["dump", bad],
      ["stats", bad],
    ]) {
      const r = gotrace(...args);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /^gotrace: \S+: bad file format: not a Go execution trace\? at byte offset 0\n$/,
      );
    }
  });

  it("keeps the complete generations of a truncated trace and says what was lost", () => {
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    const cut = join(tmp, "cut.out");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = gotrace("stats", cut);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^gotrace: warning: \S+: damaged at byte offset \d+ \(.+\); analysed the [\d,]+ events before it, lost \d+\.\d% of [\d.]+ KiB\n$/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1);
    const gens = Number(/Generations: +(\d+)/.exec(r.stdout)?.[1]);
    const full = Number(
      /Generations: +(\d+)/.exec(gotrace("stats", join(fixturesDir, "manygen-go1.26.trace")).stdout)?.[1],
    );
    assert.ok(gens > 0 && gens < full, `kept ${gens} of ${full} generations`);
  });

  it("converts between the binary and text forms without changing an event", () => {
    const text = join(tmp, "a.txt");
    const back = join(tmp, "a.bin");
    assert.equal(gotrace("convert", fixture, text).status, 0);
    assert.match(readFileSync(text, "utf8"), /^Trace Go1\.26\n/);
    assert.equal(gotrace("convert", text, back).status, 0);
    // The runtime pads batch lengths to 10 bytes and the writer does not, so compare events, not bytes.
    assert.equal(gotrace("dump", back).stdout, gotrace("dump", fixture).stdout);
    assert.equal(gotrace("dump", "--wire", back).stdout, gotrace("dump", "--wire", fixture).stdout);
  });

  it("prints invalid UTF-8 in function names as the raw bytes, as Go does", {
    skip: requirement(haveGo(), "go"),
  }, () => {
    // A go 1.23 trace whose only stack frame is named by the lone byte EF (not UTF-8), found by the fuzzer.
    const body = Buffer.from(
      "010100010508a8d6b907010100010504050101ef01010001090203010180200101070101010206300101010101",
      "hex",
    );
    const file = join(tmp, "utf8.trace");
    writeFileSync(file, Buffer.concat([Buffer.from("go 1.23 trace\0\0\0", "latin1"), body]));
    const ours = spawnSync(process.execPath, [cli, "dump", file]);
    const go = goToolTrace(["-d=parsed", file]);
    assert.ok(go.stdout.includes(Buffer.from([0x09, 0xef, 0x20])), "the fixture must hold the invalid bytes");
    assert.deepEqual(ours.stdout, go.stdout);
  });

  it("reports a missing file without a stack trace", () => {
    const r = gotrace("stats", join(tmp, "nope.out"));
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

/** Runs gotrace; a usage error is one line on stderr, nothing on stdout, status 2. */
function usageError(args: readonly string[], line: string): void {
  const r = gotrace(...args);
  assert.equal(r.stderr, `${line}\n`, args.join(" "));
  assert.equal(r.status, 2, args.join(" "));
  assert.equal(r.stdout, "", args.join(" "));
}

/** Every command, with the flags it needs to run and its operands. */
const everyCommand: readonly (readonly string[])[] = [
  ["view", "--no-open", fixture],
  ["stats", fixture],
  ["dump", fixture],
  ["goroutines", fixture],
  ["schedlat", fixture],
  ["tasks", fixture],
  ["regions", fixture],
  ["mmu", fixture],
  ["pprof", "--type=sync", "--top", fixture],
  ["convert", fixture, join(tmpdir(), "gotrace-never-written.txt")],
  ["export", "--format=perfetto", fixture, "-o", join(tmpdir(), "gotrace-never-written.pftrace")],
];

describe("gotrace's flags", { skip: requirement(existsSync(fixture), "testdata/traces fixtures") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-flags-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("every command rejects an unknown flag, naming it as typed", () => {
    for (const [name, ...rest] of everyCommand) {
      for (const bogus of ["--bogus", "-bogus", "--bogus=1", "-x"]) {
        const shown = bogus.split("=")[0];
        usageError(
          [name!, bogus, ...rest],
          `gotrace ${name}: unknown flag ${shown} (see gotrace help ${name})`,
        );
      }
    }
  });

  it("rejects the mistakes a new user makes, one line each, status 2", () => {
    const cases: [string[], string][] = [
      [["stats", "--bogus", fixture], "gotrace stats: unknown flag --bogus (see gotrace help stats)"],
      [
        ["schedlat", "--topp", "3", fixture],
        "gotrace schedlat: unknown flag --topp (see gotrace help schedlat)",
      ],
      [["mmu", "--window", "1ms", fixture], "gotrace mmu: unknown flag --window (see gotrace help mmu)"],
      [
        ["goroutines", "--json", "--csv", fixture],
        "gotrace goroutines: --json and --csv do not go together (see gotrace help goroutines)",
      ],
      [
        ["tasks", fixture, "--csv", "--json"],
        "gotrace tasks: --json and --csv do not go together (see gotrace help tasks)",
      ],
      [
        ["stats", fixture, fixture],
        `gotrace stats: unexpected argument ${JSON.stringify(fixture)} (see gotrace help stats)`,
      ],
      [["stats"], "gotrace stats: missing FILE (see gotrace help stats)"],
      [["convert", fixture], "gotrace convert: missing OUT (see gotrace help convert)"],
      [["convert", fixture, "a", "b"], 'gotrace convert: unexpected argument "b" (see gotrace help convert)'],
      [["schedlat", "--top", "abc", fixture], 'gotrace schedlat: --top: want a whole number, got "abc"'],
      [["schedlat", "--top=-3", fixture], 'gotrace schedlat: --top: want a whole number, got "-3"'],
      [["schedlat", "--worst", fixture], "gotrace schedlat: --worst needs --csv (see gotrace help schedlat)"],
      [
        ["schedlat", "--sort", "p50", "--sort=p90", fixture],
        "gotrace schedlat: --sort given twice (see gotrace help schedlat)",
      ],
      [
        ["goroutines", "--json=yes", fixture],
        "gotrace goroutines: --json takes no value (see gotrace help goroutines)",
      ],
      [
        ["goroutines", "--group", "--json", fixture],
        "gotrace goroutines: --group needs a value (--group FUNC) (see gotrace help goroutines)",
      ],
      [
        ["goroutines", fixture, "--sort"],
        "gotrace goroutines: --sort needs a value (--sort COLUMN) (see gotrace help goroutines)",
      ],
      [["mmu", "--worst", "x", fixture], 'gotrace mmu: --worst: want a whole number, got "x"'],
      [
        ["dump", "--wire", "-d=parsed", fixture],
        "gotrace dump: --wire and -d=parsed do not go together (see gotrace help dump)",
      ],
      [["dump", "-d=raw", fixture], 'gotrace dump: -d: unknown mode "raw"; want parsed or wire'],
      [["-d=raw", fixture], 'gotrace dump: -d: unknown mode "raw"; want parsed or wire'],
      [
        ["pprof", fixture],
        "gotrace pprof: --type is required (net, sync, syscall, sched, cpu or wall) (see gotrace help pprof)",
      ],
      [
        ["pprof", "--type=sync", "--json", fixture],
        "gotrace pprof: --json needs --top (see gotrace help pprof)",
      ],
      [
        ["pprof", "--type=sync", "--region-pc=0x10", fixture],
        "gotrace pprof: --region-pc needs --region (see gotrace help pprof)",
      ],
      [
        ["pprof", "--type=sync", "--region=r", "--latmin=soon", fixture],
        'gotrace pprof: --latmin: not a duration: "soon"',
      ],
      [
        ["-pprof=heap", fixture],
        "gotrace pprof: unknown pprof type heap; want net, sync, syscall, sched, cpu or wall",
      ],
      [["-pprof"], "gotrace: -pprof needs a value (-pprof=TYPE) (see gotrace help)"],
      [["-pprof", "--top", fixture], "gotrace: -pprof needs a value (-pprof=TYPE) (see gotrace help)"],
      [["view", "--open", fixture], "gotrace view: unknown flag --open (see gotrace help view)"],
      [["view", "--http=6060", fixture], 'gotrace view: --http: want HOST:PORT, got "6060"'],
      [[fixture, "--bogus"], "gotrace view: unknown flag --bogus (see gotrace help view)"],
      [["--bogus", fixture], "gotrace: unknown flag --bogus (see gotrace help)"],
      [["nosuch"], "gotrace: unknown command nosuch (see gotrace help)"],
      [["help", "nosuch"], "gotrace: unknown command nosuch (see gotrace help)"],
    ];
    for (const [args, line] of cases) usageError(args, line);
  });

  it("rejects a column --sort does not know, after reading, still as a usage error", () => {
    const r = gotrace("goroutines", "--sort", "nosuch", fixture);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^gotrace goroutines: no column nosuch; columns: Start location, Count, .*\n$/);
  });

  it("takes --flag=value, --flag value and go tool trace's -flag=value and -flag value alike", () => {
    const json = gotrace("schedlat", "--json", "--top", "3", fixture);
    assert.equal(json.status, 0, json.stderr);
    for (const args of [
      ["--json", "--top=3"],
      ["-json", "-top", "3"],
      ["-json", "-top=3"],
      ["--top", "3", fixture, "--json"],
    ]) {
      const r = gotrace("schedlat", ...args, ...(args.includes(fixture) ? [] : [fixture]));
      assert.equal(r.stdout, json.stdout, args.join(" "));
    }
    const profile = gotrace("pprof", "--type=sync", fixture).stdout;
    assert.ok(profile.length > 0);
    for (const args of [
      ["-pprof=sync", fixture],
      ["-pprof", "sync", fixture],
      ["pprof", "--type", "sync", fixture],
      ["pprof", "-type=sync", fixture],
    ]) {
      assert.equal(gotrace(...args).stdout, profile, args.join(" "));
    }
  });

  it("writes -o, -o=, --output and --output= to the file named", () => {
    const want = spawnSync(process.execPath, [cli, "pprof", "--type=sync", fixture]).stdout;
    for (const spelling of [["-o", "X"], ["-o=X"], ["--output", "X"], ["--output=X"], ["-output=X"]]) {
      const out = join(tmp, "p.pb.gz");
      rmSync(out, { force: true });
      const r = gotrace("pprof", "--type=sync", ...spelling.map((s) => s.replace("X", out)), fixture);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(readFileSync(out), want, spelling.join(" "));
    }
  });
});

describe("gotrace's entry points", () => {
  const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version as string;

  it("alone, prints the usage on stderr and exits 2", () => {
    const r = gotrace();
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^usage: gotrace COMMAND \[flags\] FILE\n/);
  });

  it("help alone prints the usage on stdout, with every command", () => {
    for (const args of [["help"], ["--help"], ["-h"]]) {
      const r = gotrace(...args);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^usage: gotrace COMMAND \[flags\] FILE\n/);
      for (const [name] of everyCommand) assert.match(r.stdout, new RegExp(`^ {2}${name} `, "m"), name);
    }
  });

  it("--version and version print the package's version", () => {
    assert.match(version, /^\d+\.\d+\.\d+/);
    for (const arg of ["--version", "version"]) {
      const r = gotrace(arg);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, `gotrace ${version}\n`);
    }
  });

  it("help CMD, CMD --help and CMD -h print that command's flags", () => {
    const flagsOf: Record<string, string[]> = {
      view: ["--http HOST:PORT", "--no-open"],
      stats: [],
      dump: ["--wire", "-d MODE"],
      goroutines: ["--group FUNC", "--sort COLUMN", "--json", "--csv"],
      schedlat: ["--top N", "--sort COLUMN", "--json", "--csv", "--worst"],
      tasks: ["--type NAME", "--json", "--csv"],
      regions: ["--type NAME", "--json", "--csv"],
      mmu: [
        "--include LIST",
        "--per-proc",
        "--windows W1,W2,…",
        "--worst N",
        "--percentiles",
        "--json",
        "--csv",
      ],
      pprof: ["--type TYPE", "-o, --output FILE", "--group FUNC", "--region TYPE", "--top", "--limit N"],
      convert: [],
      export: ["--format FORMAT", "-o, --output OUT"],
    };
    for (const [name] of everyCommand) {
      const help = gotrace("help", name!);
      assert.equal(help.status, 0, name);
      assert.match(
        help.stdout,
        new RegExp(`^usage: gotrace ${name} \\[flags\\] (FILE|IN OUT|FILE \\[B\\]|FILE…)\n`),
        name,
      );
      for (const flag of [...flagsOf[name!]!, "-h, --help"]) {
        assert.ok(help.stdout.includes(`\n  ${flag} `), `${name}: ${flag}`);
      }
      for (const spelling of ["--help", "-h"]) {
        const r = gotrace(name!, spelling);
        assert.equal(r.status, 0);
        assert.equal(r.stdout, help.stdout, `${name} ${spelling}`);
      }
    }
  });
});

/** The commands again, with `file` in place of the fixture, and the bare-file and -http= spellings of view. */
function everyReader(file: string): string[][] {
  return [
    ...everyCommand.map((args) => args.map((a) => (a === fixture ? file : a))),
    ["-d=parsed", file],
    ["-d=wire", file],
    ["-pprof=sync", file],
    [file],
    ["-http=127.0.0.1:0", "-no-open", file],
  ];
}

describe("file errors", () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-files-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** Runs every command on `file`: one line `gotrace: FILE: REASON`, status 1, in every one. */
  function expectFileError(
    file: string,
    reason: string | ((args: string[]) => string),
    spawnOptions: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {},
  ) {
    for (const args of everyReader(file)) {
      const r = spawnSync(process.execPath, [cli, ...args], { ...spawnOptions, timeout: 30_000 });
      const what = args.join(" ");
      const why = typeof reason === "string" ? reason : reason(args);
      assert.equal(r.stderr.toString(), `gotrace: ${file}: ${why}\n`, what);
      assert.equal(r.status, 1, what);
      assert.equal(r.stdout.length, 0, what);
    }
  }

  // view lists a folder's traces (view DIR): it says there are none.
  const isView = (args: string[]) => args[0] === "view" || args[0] === tmp || args[0]!.startsWith("-http");
  it("a directory", () =>
    expectFileError(tmp, (args) =>
      isView(args) ? "is a directory with no Go execution traces in it" : "is a directory",
    ));

  it("a missing file", () => expectFileError(join(tmp, "nope.trace"), "no such file"));

  // root reads any file: as root, gotrace runs as nobody, if nobody can run it from this checkout.
  const asRoot = process.getuid?.() === 0;
  const nobody = { uid: 65534, gid: 65534 };
  const canDenyRead =
    !asRoot || spawnSync(process.execPath, [cli, "--version"], { ...nobody, stdio: "ignore" }).status === 0;
  it("a file that may not be read", {
    skip: requirement(canDenyRead, "a user other than root (nobody cannot run this checkout's gotrace)"),
  }, () => {
    const file = join(tmp, "secret.trace");
    writeFileSync(file, readFileSync(fixture));
    chmodSync(file, 0);
    chmodSync(tmp, 0o755);
    expectFileError(file, "permission denied", asRoot ? nobody : {});
  });

  // Linux's /proc/self/mem fails every read at offset 0 (nothing is mapped there) with EIO.
  const eioFile = "/proc/self/mem";
  it("a read that fails (EIO)", { skip: requirement(existsSync(eioFile), `${eioFile} (Linux)`) }, () => {
    expectFileError(eioFile, "input/output error");
    // Also when the file is read on the decode thread, as large files are.
    const threaded = { ...process.env, GOTRACE_DECODE_THREAD: "1" };
    for (const args of [
      ["stats", eioFile],
      ["mmu", eioFile],
    ]) {
      const r = spawnSync(process.execPath, [cli, ...args], { env: threaded });
      assert.equal(r.stderr.toString(), `gotrace: ${eioFile}: input/output error\n`, args.join(" "));
      assert.equal(r.status, 1);
    }
  });

  it("view words a file that is not a trace as every command does", () => {
    const short = join(tmp, "short.trace");
    writeFileSync(short, "go 1.2");
    const future = join(tmp, "future.trace");
    writeFileSync(future, "go 1.99 trace\0\0\0\x01\x02");
    for (const file of [join(fixturesDir, "INDEX.txt"), short, future]) {
      const stats = gotrace("stats", file);
      assert.match(stats.stderr, /^gotrace: .* at byte offset 0\n$/);
      for (const args of [["view", "--no-open", file], [file], ["-http=127.0.0.1:0", file]]) {
        const view = gotrace(...args);
        assert.equal(view.stderr, stats.stderr, args.join(" "));
        assert.equal(view.status, 1);
      }
    }
  });
});

describe("pprof and a terminal", () => {
  it("refuses to write a profile to a terminal, and only there", () => {
    assert.equal(refusesTerminal({ top: false, out: undefined }, true), true);
    assert.equal(refusesTerminal({ top: false, out: undefined }, false), false);
    assert.equal(refusesTerminal({ top: true, out: undefined }, true), false);
    assert.equal(refusesTerminal({ top: false, out: "p.pb.gz" }, true), false);
  });

  const haveScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;
  it("says so in one line, status 2, when stdout is a pseudo-terminal", {
    skip: requirement(haveScript, "script (util-linux), for a pseudo-terminal"),
  }, () => {
    const inTerminal = (...args: string[]) => {
      // script runs the command with a pseudo-terminal as its stdin, stdout and stderr; -e passes on its status.
      const cmd = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
      const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { timeout: 60_000 });
      return { status: r.status, out: r.stdout.toString().replace(/\r\n/g, "\n") };
    };
    for (const args of [
      ["pprof", "--type=sync", fixture],
      ["-pprof=sync", fixture],
    ]) {
      const r = inTerminal(...args);
      assert.equal(
        r.out,
        "gotrace pprof: not writing a gzipped profile to a terminal: give -o FILE, or --top for a table\n",
      );
      assert.equal(r.status, 2);
    }
    const top = inTerminal("pprof", "--type=sync", "--top", fixture);
    assert.equal(top.status, 0);
    assert.match(top.out, /^Total delay /);
  });
});
