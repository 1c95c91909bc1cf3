/**
 * A trace file read into the timeline model, with the damage rule of every
 * command (damage.ts): what came before the damage is kept, with one
 * warning line; undefined, after one error line, when nothing is left.
 */
import { statSync } from "node:fs";
import type { Timeline } from "../model/timeline.js";
import { buildTimeline } from "../query/timeline/build.js";
import { fileChunks } from "./chunks.js";
import { reportDamage } from "./damage.js";

export async function readTimeline(file: string): Promise<Timeline | undefined> {
  const size = statSync(file).size;
  const built = await buildTimeline(fileChunks(file), { totalBytes: size });
  if (!reportDamage(file, built.run, size)) return undefined;
  return built.engine.tl;
}
