/**
 * Trace B's side of `gotrace diff` (diff.ts), read on its own thread while
 * trace A's is read on the main one: the side's numbers, and how the read
 * ended for the damage rule, which the main thread applies after A's.
 */
import { parentPort, workerData } from "node:worker_threads";
import { diffSide } from "../query/analysis/diff.js";
import { AnalysisError } from "../query/analysis/service.js";
import { fileService, type SideMessage } from "./diff.js";

const { path } = workerData as { path: string };
const { service, readEnd } = fileService(path);
let msg: SideMessage;
try {
  msg = { side: await diffSide(service), end: readEnd() };
} catch (e) {
  msg = {
    failure: { analysis: e instanceof AnalysisError, message: e instanceof Error ? e.message : String(e) },
    end: readEnd(),
  };
}
parentPort!.postMessage(msg);
