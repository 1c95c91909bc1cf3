/**
 * The static page's analysis worker, started by the engine worker
 * (engine-worker.ts) only while some field of the analyses is still
 * computed from events (query/analysis/fields.ts): runs the AnalysisService
 * for those fields on the events the engine worker decodes, sent in
 * batches of transferred columns (decode's event-batch.ts), so the trace is
 * decoded once and these analyses run on another core while the timeline
 * is built. Answers the questions the engine worker forwards, by the
 * service's method names and checked arguments.
 *
 * Messages in: { fields } first; { batch, bytes } (each answered by
 * { ack: true }), then { end: FeedEnd }; { id, method, args }. Out:
 * { id, result } or { id, error }.
 */
import { gzipSync } from "fflate";
import type { Event } from "../decode/event.js";
import { type EventBatch, EventReplayer } from "../decode/event-batch.js";
import type { Field } from "../query/analysis/fields.js";
import type { AnalysisMethod } from "../query/analysis/requests.js";
import { AnalysisService, answer, type FeedEnd } from "../query/analysis/service.js";

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}
const scope = self as unknown as WorkerScope;

const replayer = new EventReplayer();
let each: ((ev: Event) => void) | undefined;
let onProgress: ((events: number, bytes: number) => void) | undefined;
let finish: ((end: FeedEnd) => void) | undefined;
let fedEvents = 0;
let service: AnalysisService | undefined;

type Message =
  | { fields: Field[] }
  | { batch: EventBatch; bytes: number }
  | { end: FeedEnd }
  | { id: number; method: AnalysisMethod; args: Record<string, unknown> };

scope.onmessage = (e: MessageEvent) => {
  const msg = e.data as Message;
  if ("fields" in msg) {
    service = new AnalysisService({
      feed: (each_, progress) =>
        new Promise((resolve) => {
          each = each_;
          onProgress = progress;
          finish = resolve;
        }),
      eventFields: new Set(msg.fields),
    });
    // The events come from the start, so the pass runs from the start.
    service.start().catch(() => {});
    return;
  }
  if ("batch" in msg) {
    replayer.replay(msg.batch, each!);
    fedEvents += msg.batch.count;
    onProgress?.(fedEvents, msg.bytes);
    scope.postMessage({ ack: true });
    return;
  }
  if ("end" in msg) {
    finish?.(msg.end);
    return;
  }
  answer(service!, msg.method, msg.args, (b) => gzipSync(b)).then(
    (result) => scope.postMessage({ id: msg.id, result }),
    (err: unknown) =>
      scope.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
};
