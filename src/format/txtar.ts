/**
 * txtar archives (golang.org/x/tools/txtar), the container of Go's `.test`
 * trace files: a free-form comment, then files, each introduced by a marker
 * line `-- name --` and running up to the next marker.
 */
import { trimGoSpace } from "./go-quote.js";

export interface TxtarFile {
  readonly name: string;
  readonly data: string;
}

export interface TxtarArchive {
  readonly comment: string;
  readonly files: readonly TxtarFile[];
}

/** A line (without its newline) that is a marker, or undefined. `-- --` is not one: the name must be non-empty. */
function markerName(line: string): string | undefined {
  if (!line.startsWith("-- ") || !line.endsWith(" --") || line.length < 6) return undefined;
  const name = trimGoSpace(line.slice(3, -3));
  return name === "" ? undefined : name;
}

/** Text ends with a newline unless empty, as txtar's fixNL makes it. */
function withFinalNewline(s: string): string {
  return s === "" || s.endsWith("\n") ? s : `${s}\n`;
}

/**
 * Splits an archive as txtar.Parse does. Markers are recognised only at the
 * start of a line; a marker line with a `\r` before its newline is not one.
 * The last file (or the comment, if there is no file) gets a final newline.
 */
export function parseTxtar(text: string): TxtarArchive {
  const sections: string[] = [];
  const names: string[] = [];
  let sectionStart = 0;
  let lineStart = 0;
  while (lineStart < text.length) {
    const nl = text.indexOf("\n", lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    const name = markerName(text.slice(lineStart, lineEnd));
    const next = nl < 0 ? text.length : nl + 1;
    if (name !== undefined) {
      sections.push(text.slice(sectionStart, lineStart));
      names.push(name);
      sectionStart = next;
    }
    lineStart = next;
  }
  sections.push(withFinalNewline(text.slice(sectionStart)));
  return {
    comment: sections[0]!,
    files: names.map((name, i) => ({ name, data: sections[i + 1]! })),
  };
}

/** Writes an archive as txtar.Format does; the comment and each file get a final newline. */
export function formatTxtar(archive: TxtarArchive): string {
  let s = withFinalNewline(archive.comment);
  for (const f of archive.files) s += `-- ${f.name} --\n${withFinalNewline(f.data)}`;
  return s;
}
