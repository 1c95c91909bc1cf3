// Runs one command as a child process and measures its wall time and peak
// resident set size.
//
// Peak RSS comes from GNU time (`/usr/bin/time -v`, "Maximum resident set
// size"), which reads the child's rusage from the kernel, so Go and Node are
// measured the same way. Where GNU time is missing, the readers' own
// self-reported maxRssKiB (getrusage from inside) is used instead, and
// commands that report nothing get no RSS.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";

const gnuTime = "/usr/bin/time";

export function hasGnuTime() {
  return existsSync(gnuTime) && spawnSync(gnuTime, ["-v", "true"], { stdio: "ignore" }).status === 0;
}

/**
 * One run. `stdout` is "json" (the command prints one JSON line, parsed into
 * `report`) or "discard" (sent to /dev/null, as for go tool trace -d=parsed).
 * Returns {ok, wallSec, maxRssKiB, report} or {ok: false, error}.
 */
export function runOnce(cmd, args, { stdout = "json", useGnuTime = true } = {}) {
  const argv = useGnuTime ? [gnuTime, "-v", cmd, ...args] : [cmd, ...args];
  const devNull = stdout === "discard" ? openSync("/dev/null", "w") : undefined;
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: "utf8",
    stdio: ["ignore", devNull ?? "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
  if (devNull !== undefined) closeSync(devNull);
  const stderr = r.stderr ?? "";
  // GNU time's report starts with "\tCommand being timed:" (or "Command
  // exited with non-zero status N" before it); what precedes is the child's.
  const cut = stderr.search(/^(Command exited with non-zero status|\tCommand being timed:)/m);
  const childErr = useGnuTime && cut >= 0 ? stderr.slice(0, cut) : stderr;
  if (r.error || r.status !== 0) {
    return { ok: false, status: r.status, error: (childErr.trim() || String(r.error ?? "")).split("\n")[0] };
  }
  let report;
  if (stdout === "json") {
    try {
      report = JSON.parse(r.stdout.trim().split("\n").pop());
    } catch {
      return { ok: false, status: r.status, error: `not JSON: ${r.stdout.slice(0, 200)}` };
    }
  }
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const maxRssKiB = m ? Number(m[1]) : report?.maxRssKiB;
  return { ok: true, wallSec, maxRssKiB, report };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? undefined : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function summarize(results) {
  const rss = results.map((r) => r.maxRssKiB).filter((x) => x !== undefined);
  return {
    ok: true,
    wallSec: median(results.map((r) => r.wallSec)),
    parseSec: results[0].report ? median(results.map((r) => r.report.seconds)) : undefined,
    maxRssKiB: rss.length ? median(rss) : undefined,
    events: results[0].report?.events,
    analyzers: results[0].report?.analyzers,
    runs: results.length,
  };
}

/**
 * `runs` runs of each job ({label, cmd, args, stdout}), taken round-robin
 * (job 1, job 2, …, job 1, …) so that a slow spell on a shared machine hits
 * every reader alike instead of one. A job that fails is not run again (a
 * reader that throws will throw again). Returns, per job, the medians or
 * {ok: false, error}.
 */
export function measureAll(jobs, { runs, useGnuTime }) {
  const done = jobs.map(() => []);
  const failed = jobs.map(() => undefined);
  for (let run = 1; run <= runs; run++) {
    jobs.forEach((job, j) => {
      if (failed[j]) return;
      const r = runOnce(job.cmd, job.args, { stdout: job.stdout, useGnuTime });
      const where = `[run ${run}/${runs}] ${job.label}`;
      if (!r.ok) {
        process.stderr.write(`  ${where}: failed (exit ${r.status}): ${r.error}\n`);
        failed[j] = r;
        return;
      }
      const rss = r.maxRssKiB === undefined ? "?" : (r.maxRssKiB / 1024).toFixed(0);
      process.stderr.write(`  ${where}: ${r.wallSec.toFixed(2)} s, ${rss} MiB\n`);
      done[j].push(r);
    });
  }
  return jobs.map((_, j) => failed[j] ?? summarize(done[j]));
}
