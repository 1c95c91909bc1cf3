/**
 * Paths to remove if the process is interrupted: an export's temporary
 * file or directory, which would otherwise stay behind beside its output
 * when the user presses ^C (SIGINT) or the process is stopped (SIGTERM,
 * SIGHUP). On such a signal every path still registered is removed, then
 * the process dies of that signal, as it would have without the handler
 * (exit status 128 + its number, to a shell).
 */
import { rmSync } from "node:fs";

const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const paths = new Set<string>();

function onSignal(signal: NodeJS.Signals): void {
  for (const p of paths) rmSync(p, { recursive: true, force: true });
  paths.clear();
  for (const s of signals) process.removeListener(s, onSignal);
  // Nothing else listens: the signal now takes its default action.
  process.kill(process.pid, signal);
}

/**
 * Removes `path` (a file, or a directory with everything in it) if the
 * process is interrupted before the returned function is called.
 */
export function removeOnInterrupt(path: string): () => void {
  if (paths.size === 0) for (const s of signals) process.on(s, onSignal);
  paths.add(path);
  return () => {
    paths.delete(path);
    if (paths.size === 0) for (const s of signals) process.removeListener(s, onSignal);
  };
}
