/** Buffered line output to stdout that stops quietly when the reader goes away (e.g. `| head`). */
import { writeSync } from "node:fs";
import { encodeGoString } from "../format/go-quote.js";

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
    // Strings from the trace keep invalid UTF-8 bytes as stand-in characters; print the bytes, as Go does.
    const bytes = encodeGoString(text);
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
