/** Buffered line output to stdout that stops quietly when the reader goes away (e.g. `| head`). */
import { writeSync } from "node:fs";

export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;

  line(s: string): void {
    this.parts.push(s, "\n");
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join("");
    this.parts = [];
    this.size = 0;
    const bytes = Buffer.from(text, "utf8");
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(1, bytes, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") continue;
        if (code === "EPIPE") process.exit(0);
        throw e;
      }
    }
  }
}
