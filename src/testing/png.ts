/**
 * Just enough PNG decoding to count pixels in chromium's screenshots
 * (8-bit RGB or RGBA, not interlaced), so browser tests can check that
 * something was drawn whatever the canvas (2D or WebGL).
 */
import { inflateSync } from "node:zlib";

export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes a pixel, rows top to bottom. */
  readonly rgba: Uint8Array;
}

export function decodePNG(png: Uint8Array): Pixels {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!signature.every((b, i) => png[i] === b)) throw new Error("not a PNG");
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let off = 8; off + 8 <= png.length; ) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      const [depth, color, , , interlace] = data.subarray(8, 13);
      channels = color === 6 ? 4 : color === 2 ? 3 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw new Error(`PNG depth ${depth} color type ${color} interlace ${interlace} not supported`);
      }
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      break;
    }
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const cur = new Uint8Array(stride);
  const prev = new Uint8Array(stride);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let v = line[i]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        // Paeth: the neighbour closest to a + b − c.
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = v & 255;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      rgba[o] = cur[x * channels]!;
      rgba[o + 1] = cur[x * channels + 1]!;
      rgba[o + 2] = cur[x * channels + 2]!;
      rgba[o + 3] = channels === 4 ? cur[x * channels + 3]! : 255;
    }
    prev.set(cur);
  }
  return { width, height, rgba };
}

/** Pixels whose colour differs from the most common one (the background). */
export function inkPixels(p: Pixels): number {
  const counts = new Map<number, number>();
  const u32 = new Uint32Array(p.rgba.buffer, p.rgba.byteOffset, p.width * p.height);
  for (const v of u32) counts.set(v, (counts.get(v) ?? 0) + 1);
  let most = 0;
  for (const n of counts.values()) most = Math.max(most, n);
  return u32.length - most;
}

/** How many distinct colours the image has (a timeline of goroutines has many). */
export function distinctColors(p: Pixels): number {
  return new Set(new Uint32Array(p.rgba.buffer, p.rgba.byteOffset, p.width * p.height)).size;
}
