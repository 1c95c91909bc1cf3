/**
 * The analysis pages' questions as names and parameters (the
 * `/api/analysis/NAME?…` of `gotrace view`, or the same name and
 * parameters posted to the static page's worker), checked and turned into
 * the service's method and arguments. Runs anywhere (no node:*, no DOM), so
 * the server and the in-browser engine read a question the same way.
 */
import type { MMUInclude, MMUQuery, ProfileKind, ProfileQuery } from "./protocol.js";

/** A parameter error: the server answers 400 with this one-line message. */
export class ParamError extends Error {}

/** What the analysis service is asked, by method name (see AnalysisService). */
export type AnalysisMethod =
  | "start"
  | "status"
  | "overview"
  | "goroutines"
  | "goroutineGroup"
  | "profileFilters"
  | "profile"
  | "profilePprof"
  | "tasks"
  | "taskList"
  | "regions"
  | "regionList"
  | "mmu"
  | "schedLatency";

const profileKinds: readonly ProfileKind[] = ["net", "sync", "syscall", "sched", "cpu", "wall"];
const mmuIncludes: readonly MMUInclude[] = ["stw", "background", "assist", "sweep"];
/** Trace strings (function names, region types) are short; anything longer is not one. */
const maxNameLength = 64 * 1024;

/** A finite number (nanosecond times may be fractional after zooming). */
export function numberParam(params: URLSearchParams, name: string, fallback?: number): number {
  const v = params.get(name);
  if (v === null || v === "") {
    if (fallback !== undefined) return fallback;
    throw new ParamError(`missing parameter ${name}`);
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ParamError(`parameter ${name} is not a number: ${JSON.stringify(v)}`);
  return n;
}

export function intParam(
  params: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  const n = numberParam(params, name, fallback);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ParamError(`parameter ${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function boolParam(params: URLSearchParams, name: string, fallback: boolean): boolean {
  const v = params.get(name);
  if (v === null || v === "") return fallback;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new ParamError(`parameter ${name} must be true or false`);
}

function optionalString(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  if (v.length > maxNameLength) throw new ParamError(`parameter ${name} is too long`);
  return v;
}

function requiredString(params: URLSearchParams, name: string): string {
  const v = optionalString(params, name);
  if (v === undefined) throw new ParamError(`missing parameter ${name}`);
  return v;
}

function optionalNumber(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  return v === null || v === "" ? undefined : numberParam(params, name);
}

function optionalBucket(params: URLSearchParams): number | undefined {
  const v = params.get("bucket");
  return v === null || v === "" ? undefined : intParam(params, "bucket", 0, 1000);
}

export function profileQuery(params: URLSearchParams): ProfileQuery {
  const type = params.get("type") ?? "";
  if (!(profileKinds as readonly string[]).includes(type)) {
    throw new ParamError(`parameter type must be one of ${profileKinds.join(", ")}`);
  }
  const q: ProfileQuery = {
    type: type as ProfileKind,
    group: optionalString(params, "group"),
    goroutine: params.get("goroutine")
      ? intParam(params, "goroutine", 0, Number.MAX_SAFE_INTEGER)
      : undefined,
    region: optionalString(params, "region"),
    startNs: optionalNumber(params, "startNs"),
    endNs: optionalNumber(params, "endNs"),
  };
  if (q.startNs !== undefined && q.endNs !== undefined && !(q.endNs >= q.startNs)) {
    throw new ParamError("endNs must not be less than startNs");
  }
  return q;
}

export function mmuQuery(params: URLSearchParams): MMUQuery {
  const text = params.get("include");
  const include = (text ?? "stw,background,assist").split(",").filter((s) => s !== "");
  for (const name of include) {
    if (!(mmuIncludes as readonly string[]).includes(name)) {
      throw new ParamError(
        `parameter include: unknown ${JSON.stringify(name)}; want some of ${mmuIncludes.join(", ")}`,
      );
    }
  }
  const worstWindowNs = optionalNumber(params, "worstWindowNs");
  if (worstWindowNs !== undefined && !(worstWindowNs >= 1))
    throw new ParamError("worstWindowNs must be at least 1");
  return {
    include: include as MMUInclude[],
    perProc: boolParam(params, "perProc", false),
    percentiles: boolParam(params, "percentiles", false),
    toTraceLength: boolParam(params, "toTraceLength", false),
    worstWindowNs: worstWindowNs === undefined ? undefined : Math.round(worstWindowNs),
    worst: intParam(params, "worst", 0, 1000, 10),
  };
}

/** Each JSON question: its service method and how its arguments are read from the parameters. */
const jsonRequests = new Map<string, [AnalysisMethod, (p: URLSearchParams) => Record<string, unknown>]>([
  ["overview", ["overview", () => ({})]],
  ["goroutines", ["goroutines", () => ({})]],
  ["goroutine-group", ["goroutineGroup", (p) => ({ name: requiredString(p, "name") })]],
  ["profile-filters", ["profileFilters", () => ({})]],
  ["profile", ["profile", (p) => ({ query: profileQuery(p) })]],
  ["tasks", ["tasks", () => ({})]],
  ["task-list", ["taskList", (p) => ({ type: requiredString(p, "type"), bucket: optionalBucket(p) })]],
  ["regions", ["regions", () => ({})]],
  [
    "region-list",
    [
      "regionList",
      (p) => ({ type: requiredString(p, "type"), pc: optionalNumber(p, "pc"), bucket: optionalBucket(p) }),
    ],
  ],
  ["mmu", ["mmu", (p) => ({ query: mmuQuery(p) })]],
  ["schedlat", ["schedLatency", () => ({})]],
  ["status", ["status", () => ({})]],
  ["profile.pb.gz", ["profilePprof", (p) => ({ query: profileQuery(p) })]],
]);

/**
 * The service method and checked arguments for the question `name` with
 * `params`, or undefined for a name that is not a question (→ 404). Throws
 * ParamError for bad parameters.
 */
export function analysisRequest(
  name: string,
  params: URLSearchParams,
): { method: AnalysisMethod; args: Record<string, unknown> } | undefined {
  const r = jsonRequests.get(name);
  return r && { method: r[0], args: r[1](params) };
}
