/**
 * A worker of parallel-read.ts: reads the parts of a trace file it is given
 * (byte ranges of whole generations), each on its own, and posts each part's
 * events as transferred batches with the state it ended in.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { batchBuffers } from "../decode/event-batch.js";
import { readPart } from "../decode/v2/stitch.js";

export interface PartJob {
  readonly index: number;
  readonly offset: number;
  readonly end: number;
  readonly first: boolean;
}

const port = parentPort!;
const { path, version } = workerData as { path: string; version: number };
const fd = openSync(path, "r");

port.on("message", (job: PartJob | "close") => {
  if (job === "close") {
    closeSync(fd);
    port.close();
    return;
  }
  const bytes = new Uint8Array(job.end - job.offset);
  let got = 0;
  while (got < bytes.length) {
    const n = readSync(fd, bytes, got, bytes.length - got, job.offset + got);
    if (n === 0) break;
    got += n;
  }
  const part = readPart(bytes.subarray(0, got), version, job.offset, job.first);
  port.postMessage({ index: job.index, part }, part.batches.flatMap(batchBuffers));
});
