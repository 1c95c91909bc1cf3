// Reads a whole trace with gotrace's library and prints one JSON line
// {"events": N, "seconds": S, "maxRssKiB": K}, the twin of goparse/main.go.
//
// Usage: node bench/read.mjs [--validate] FILE
//
// --validate also runs every event through dist/validate/validator.js (the
// independent checker), so its cost shows as a separate row.
//
// Each event's kind and time are folded into a checksum that is printed, so
// the JIT cannot drop the work.
import { createReadStream, existsSync } from "node:fs";
import { readTrace } from "../dist/decode/reader.js";

const args = process.argv.slice(2);
const validate = args[0] === "--validate";
if (validate) args.shift();
const path = args[0];
if (args.length !== 1) {
  process.stderr.write("usage: node bench/read.mjs [--validate] FILE\n");
  process.exit(2);
}

let validator;
if (validate) {
  const url = new URL("../dist/validate/validator.js", import.meta.url);
  if (!existsSync(url)) {
    process.stderr.write("read.mjs: dist/validate/validator.js does not exist\n");
    process.exit(3);
  }
  const { Validator } = await import(url.href);
  validator = new Validator();
}

const start = process.hrtime.bigint();
let events = 0;
let sum = 0;
// 1 MiB chunks, as the gotrace CLI reads files.
const chunks = createReadStream(path, { highWaterMark: 1 << 20 });
try {
  if (validator) {
    await readTrace(chunks, (ev) => {
      events++;
      // Plain addition, like the Go reader's wrapping uint64 sum: a float modulo per event would cost more than reading it.
      sum += ev.kind + ev.time;
      validator.event(ev);
    });
  } else {
    await readTrace(chunks, (ev) => {
      events++;
      // Plain addition, like the Go reader's wrapping uint64 sum: a float modulo per event would cost more than reading it.
      sum += ev.kind + ev.time;
    });
  }
} catch (e) {
  process.stderr.write(`read.mjs: after ${events} events: ${e?.stack ?? e}\n`);
  process.exit(1);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(
  `${JSON.stringify({
    events,
    seconds,
    maxRssKiB: process.resourceUsage().maxRSS, // KiB on Linux
    checksum: sum,
  })}\n`,
);
