/**
 * The Python that oracle tests run (Perfetto's own protobuf bindings,
 * pyspark): `$GOTRACE_PYTHON`, or the `.venv` that `.ci/run` makes at the
 * repository's root from `.ci/python-requirements.txt`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, requirement } from "./corpus.js";

export const pythonPath = process.env.GOTRACE_PYTHON || join(repoRoot, ".venv", "bin", "python");

const checked = new Map<string, boolean>();

/** Whether the Python above can import `module`. */
export function havePythonModule(module: string): boolean {
  let ok = checked.get(module);
  if (ok === undefined) {
    ok =
      existsSync(pythonPath) &&
      spawnSync(pythonPath, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
    checked.set(module, ok);
  }
  return ok;
}

/**
 * A reason to skip when `module` cannot be imported (printed once per call),
 * undefined when it can; under CI=true a missing module is an error.
 */
export function pythonSkip(module: string): string | undefined {
  return requirement(
    havePythonModule(module),
    `Python with the ${module} package (${pythonPath}; run .ci/run or set GOTRACE_PYTHON)`,
  );
}
