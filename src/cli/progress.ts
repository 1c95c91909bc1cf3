/**
 * A progress bar on stderr for reading a large trace: bytes read of the
 * file's size. On a terminal it redraws one line in place, at most every
 * 100 ms; elsewhere (CI logs, a pipe) it writes a plain line at each
 * quarter, and nothing for files under 8 MiB, which read in about a second.
 *
 * Twenty lines of our own instead of a package: one bar with one number is
 * all `gotrace view` needs, and the CLI keeps its single runtime dependency.
 */
import { formatBytes } from "./format.js";

const redrawMs = 100;
const quietBelowBytes = 8 << 20;

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(s: string): boolean;
}

export class ProgressBar {
  private lastDraw = 0;
  private lastQuarter = 0;
  private drawn = false;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: ProgressStream = process.stderr,
  ) {}

  update(done: number): void {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    if (this.out.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < redrawMs && fraction < 1) return;
      this.lastDraw = now;
      const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 50));
      const full = Math.round(fraction * width);
      const bar = `${"█".repeat(full)}${"░".repeat(width - full)}`;
      const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
      this.out.write(
        `\r\x1b[K${this.label} ${bar} ${pct} ${formatBytes(done)} of ${formatBytes(this.total)}`,
      );
      this.drawn = true;
      return;
    }
    if (this.total < quietBelowBytes) return;
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter;
      this.out.write(
        `${this.label}: ${formatBytes(done)} of ${formatBytes(this.total)} (${quarter * 25}%)\n`,
      );
    }
  }

  /** Clears the bar's line on a terminal, so what follows starts clean. */
  finish(): void {
    if (this.drawn) this.out.write("\r\x1b[K");
    this.drawn = false;
  }
}
