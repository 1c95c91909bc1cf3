/**
 * Errors that end a command with status 1, each printed as one line.
 *
 * Errors of the file system are worded as `gotrace: F: is a directory`.
 * Every command checks its input file this way before reading, so a
 * directory or a missing file is told apart from a file that is not a
 * trace; errors met while reading (EIO) get the same words.
 */
import { closeSync, openSync, statSync } from "node:fs";

/** A command could not do its work (not a mistake in its arguments, which is a UsageError). */
export class CommandError extends Error {}

/** A file that cannot be read: the path and the reason, as the OS gives it. */
export class FileError extends CommandError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** The OS's reasons in the words of `ls` and `cat`, shortened where they say more than needed. */
const reasons: Record<string, string> = {
  ENOENT: "no such file",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  ENXIO: "no such device or address",
  EMFILE: "too many open files",
};

/** The reason of a Node file system error, or undefined if `e` is not one. */
export function fileErrorReason(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string" || !/^E[A-Z0-9]+$/.test(code)) return undefined;
  if (reasons[code]) return reasons[code];
  // libuv's own words: "EXDEV: cross-device link not permitted, rename 'a' -> 'b'".
  const m = /^E[A-Z0-9]+: ([^,]+)/.exec((e as Error).message);
  return m ? m[1]! : code;
}

/** Throws a FileError unless `path` can be opened for reading as a file. */
export function checkInputFile(path: string): void {
  let isFile: boolean;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new FileError(path, reasons.EISDIR!);
    isFile = st.isFile();
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(path, fileErrorReason(e) ?? String(e));
  }
  // Opening a named pipe would wait for its writer; the read reports its errors.
  if (!isFile) return;
  try {
    closeSync(openSync(path, "r"));
  } catch (e) {
    throw new FileError(path, fileErrorReason(e) ?? String(e));
  }
}
