/**
 * A trace file read into the timeline model, with the damage rule of every
 * command (damage.ts): what came before the damage is kept, with one
 * warning line; undefined, after one error line, when nothing is left.
 * The analysis commands and `gotrace why` read a trace this way, and
 * answer from the model with the functions the analysis pages use
 * (query/analysis/fields.ts).
 */
import { statSync } from "node:fs";
import type { Event } from "../decode/event.js";
import type { TraceReader } from "../decode/reader.js";
import type { Timeline } from "../model/timeline.js";
import { type Field, type Fields, fromModel } from "../query/analysis/fields.js";
import { type FeedEnd, feedEnd, type ModelInput } from "../query/analysis/service.js";
import { buildTimelineFrom } from "../query/timeline/build.js";
import { reportDamage } from "./damage.js";
import { driveFile, fileVersion } from "./decode-thread.js";

/** A trace file's model, as the analysis service takes it. */
export interface FileModel extends ModelInput {
  readonly end: FeedEnd;
  /** Whether the trace is damaged (the analyses then count only up to its last Sync, as Go does). */
  readonly damaged: boolean;
}

/**
 * Reads `file` once into the timeline (a large file decoded on a worker
 * thread while the model is built on this one, as driveFile decides) and
 * applies the damage rule; `doing` says what the command does with the
 * part before damage ("analysed").
 */
export async function readModel(file: string, doing?: string): Promise<FileModel | undefined> {
  const size = statSync(file).size;
  // Events decoded on a worker come without their reader: the builder asks it only the version.
  const header = { version: fileVersion(file) } as TraceReader;
  const read = (each: (ev: Event, reader: TraceReader) => void) =>
    driveFile(file, (ev, reader) => each(ev, reader ?? header));
  const built = await buildTimelineFrom(read, { totalBytes: size });
  if (!reportDamage(file, built.run, size, doing)) return undefined;
  const end = feedEnd(built.run);
  return { tl: built.engine.tl, firstNs: built.firstNs, end, damaged: end.damage !== undefined };
}

/** One field of the analyses, computed from the model by the function the analysis pages use. */
export function modelField<F extends Field>(model: FileModel, field: F): Fields[F] {
  const make = fromModel[field];
  if (!make) throw new Error(`the model does not give ${field}`);
  return make(model, { unfiltered: false });
}

export async function readTimeline(file: string): Promise<Timeline | undefined> {
  return (await readModel(file))?.tl;
}
