/**
 * The 16-byte header every Go trace starts with: `go 1.N trace` padded with NULs.
 */
import { v1Versions, v2Versions } from "./v2/version.js";

export const headerSize = 16;

export type HeaderResult = { ok: true; version: number } | { ok: false; reason: string };

const headerPattern = /^go 1\.(\d+) trace\0\0\0/;

/**
 * Reads the header from the first bytes of a trace. Go matches the prefix
 * `go 1.%d trace\0\0\0`; single-digit versions carry a fourth NUL, and the
 * header is 16 bytes in every version.
 */
export function readHeader(bytes: Uint8Array): HeaderResult {
  let text = "";
  for (let i = 0; i < Math.min(headerSize, bytes.length); i++) text += String.fromCharCode(bytes[i]!);
  const m = headerPattern.exec(text);
  if (!m) return { ok: false, reason: "bad file format: not a Go execution trace?" };
  const version = Number(m[1]);
  if (!v1Versions.includes(version) && !v2Versions.includes(version)) {
    return { ok: false, reason: `unknown or unsupported trace version go 1.${version}` };
  }
  return { ok: true, version };
}

export function writeHeader(version: number): Uint8Array {
  const text = `go 1.${version} trace`;
  const out = new Uint8Array(headerSize);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
