/**
 * `/api/diff`: `gotrace view A B`'s comparison of the two traces (the same
 * answer as `gotrace diff A B --json`), pending until both are analysed;
 * `{state: "none"}` when the server shows one trace.
 */
import type { DiffResponse, DiffStatus } from "../query/analysis/protocol.js";
import { type RouteHandler, sendJSON } from "./server.js";

export function diffRoute(
  compare:
    | {
        a: string;
        b: string;
        diff: Promise<DiffResponse | undefined>;
        /** Where trace B is served (its own `gotrace view`), once it is. */
        bUrl: Promise<string | undefined>;
      }
    | undefined,
): RouteHandler {
  let status: DiffStatus = compare
    ? { state: "pending", a: compare.a, b: compare.b, bUrl: null }
    : { state: "none" };
  if (compare) {
    const { a, b } = compare;
    let bUrl: string | null = null;
    const settle = (done: (url: string | null) => DiffStatus) =>
      compare.bUrl.then(
        (u) => {
          bUrl = u ?? null;
          status = done(bUrl);
        },
        () => {
          status = done(null);
        },
      );
    compare.diff.then(
      (diff) =>
        settle((u) =>
          diff
            ? { state: "done", a, b, bUrl: u, diff }
            : { state: "failed", a, b, message: "a trace has nothing to compare (see the terminal)" },
        ),
      (e: unknown) =>
        settle(() => ({ state: "failed", a, b, message: e instanceof Error ? e.message : String(e) })),
    );
  }
  return (url, _req, res) => {
    if (url.pathname !== "/api/diff") return false;
    sendJSON(res, 200, status);
    return true;
  };
}
