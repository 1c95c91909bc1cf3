/**
 * The CPU profiler's samples as a trace carries them (Go 1.19+ with
 * runtime/pprof's CPU profiler on while tracing): each with its time, the
 * goroutine it interrupted (if any) and its stack, kept as columns so that
 * any goroutine group, region or time range is a scan.
 */
import { F64Column, IntColumn } from "../model/columns.js";

/**
 * The time one sample stands for. The trace does not say at what rate the
 * CPU profiler ran (no event or header field holds it), so this is
 * runtime/pprof's rate, 100 Hz, which pprof.StartCPUProfile and
 * `go test -cpuprofile` always use; only a program that called
 * runtime.SetCPUProfileRate itself sampled at another.
 */
export const cpuSamplePeriodNs = 10_000_000;

/** How to get samples into a trace, for commands that find none. */
export const noCpuSamplesMessage =
  "the trace has no CPU samples: record it with the CPU profiler on, e.g. pprof.StartCPUProfile(f) " +
  "alongside trace.Start(w), or go test -cpuprofile cpu.pprof -trace trace.out";

export class CpuSampleColumns {
  /** The goroutine ID (−1: none, the sample hit a thread with no goroutine). */
  readonly g = new F64Column();
  /** The goroutine incarnation (GoroutineScope.index) it hit, −1 if unknown. */
  readonly scope = new IntColumn();
  /** The stack variant (the profiles' stack interner). */
  readonly stack = new IntColumn();
  readonly timeNs = new F64Column();
  length = 0;
  /** Samples up to the last Sync: a broken trace keeps only these. */
  committed = 0;

  push(g: number, scope: number, stack: number, timeNs: number): void {
    this.length++;
    this.g.push(g);
    this.scope.push(scope);
    this.stack.push(stack);
    this.timeNs.push(timeNs);
  }

  commit(): void {
    this.committed = this.length;
  }

  /** Forgets the samples since the last commit (the trace broke; nothing is pushed after this). */
  rollback(): void {
    this.length = this.committed;
  }
}
