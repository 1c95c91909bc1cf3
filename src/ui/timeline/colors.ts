/**
 * The timeline's colours. A goroutine keeps one colour everywhere (proc,
 * thread and goroutine views, across reloads): its ID is hashed into a
 * fixed palette of soft, distinguishable hues. Runtime work (GC, syscalls,
 * sweeping…) has a colour per category instead, so it reads at a glance.
 */
import { SliceCategory } from "../../query/timeline/protocol.js";

/** Fill and matching label colour. */
export interface Swatch {
  readonly fill: string;
  readonly text: string;
}

const darkText = "#1f2328";
const lightText = "#ffffff";

/** WCAG relative luminance of an sRGB colour given as 0–255 channels. */
export function luminance(r: number, g: number, b: number): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two luminances (1 to 21). */
export function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** sRGB channels of hsl(h s% l%), as CSS computes them. */
export function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const sat = s / 100;
  const lig = l / 100;
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (lig - sat * Math.min(lig, 1 - lig) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The label colour for a fill: dark or white, whichever contrasts more by
 * luminance. Hue matters as much as lightness: yellow, olive and teal are
 * light at the same HSL lightness where blue and purple are dark.
 */
export function textOn(rgb: readonly [number, number, number]): string {
  const l = luminance(rgb[0], rgb[1], rgb[2]);
  const [dr, dg, db] = hexToRgb(darkText);
  return contrast(l, luminance(dr, dg, db)) >= contrast(l, 1) ? darkText : lightText;
}

function hsl(h: number, s: number, l: number): Swatch {
  return { fill: `hsl(${h} ${s}% ${l}%)`, text: textOn(hslToRgb(h, s, l)) };
}

function hex(fill: string, text = textOn(hexToRgb(fill))): Swatch {
  return { fill, text };
}

/**
 * 24 hues spaced by the golden angle, so neighbouring goroutine IDs land on
 * well-separated colours; two lightness levels give dense P rows texture.
 */
const goroutinePalette: readonly Swatch[] = Array.from({ length: 24 }, (_, i) =>
  hsl(Math.round((i * 137.508) % 360), i % 2 ? 48 : 58, i % 3 === 0 ? 52 : 62),
);

/** A 32-bit integer hash (xorshift-multiply), so IDs 1, 2, 3… scatter over the palette. */
function hashId(id: number): number {
  let h = (id | 0) ^ Math.floor(id / 4294967296);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A string hash (FNV-1a), so one function name always lands on one colour. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The function a goroutine label names: "G12 main.worker (label)" → "main.worker". */
export function labelFunction(label: string): string {
  return label.replace(/^G\d+\s+/, "").replace(/\s+\(.*\)$/, "");
}

/** Colour by start function: every goroutine running the same function looks the same. */
export function functionSwatch(func: string): Swatch {
  return goroutinePalette[hashString(func) % goroutinePalette.length]!;
}

export function goroutineSwatch(goroutine: number): Swatch {
  return goroutinePalette[hashId(goroutine) % goroutinePalette.length]!;
}

const categorySwatches: Readonly<Record<number, Swatch>> = {
  [SliceCategory.Merged]: hex("#9aa3ad"),
  [SliceCategory.Syscall]: hex("#e8a33d"),
  [SliceCategory.GCMark]: hex("#7b5ea7"),
  [SliceCategory.STW]: hex("#d0454c"),
  [SliceCategory.MarkAssist]: hex("#a98bd4"),
  [SliceCategory.Sweep]: hex("#8fa5d9"),
  [SliceCategory.Region]: hex("#3fa796"),
  [SliceCategory.Task]: hex("#4d8fd6"),
  [SliceCategory.Runnable]: hex("#bfe0a8"),
  // Blocked time is background: its label is muted on purpose (still 6:1 on its fill).
  [SliceCategory.Blocked]: hex("#e3e6ea", "#4b5563"),
  [SliceCategory.BlockedSyscall]: hex("#f6cf95"),
  [SliceCategory.GCWorker]: hex("#6a4c9c"),
};

const unknownSwatch: Swatch = hex("#b8bec6");

/** The swatch for a slice's `color` column: a goroutine ID (≥ 0) or −category. */
export function sliceSwatch(color: number): Swatch {
  return color >= 0 ? goroutineSwatch(color) : (categorySwatches[-color] ?? unknownSwatch);
}

/** Series of a stacked counter, bottom first. */
export const seriesColors: readonly string[] = [
  "#4c8bd6",
  "#f0a04b",
  "#9b7fd1",
  "#4fb39a",
  "#d9646a",
  "#8a97a8",
];

export const theme = {
  background: "#ffffff",
  rowStripe: "#fafbfc",
  rowLine: "#eceef1",
  headingBg: "#f3f4f6",
  headingText: "#374151",
  labelText: "#1f2328",
  mutedText: "#6b7280",
  labelPlate: "rgba(255, 255, 255, 0.85)",
  gridLine: "rgba(17, 24, 39, 0.06)",
  mark: "#374151",
  flow: "rgba(200, 60, 60, 0.75)",
  selection: "#111827",
  highlight: "#ff7a00",
  rangeFill: "rgba(11, 99, 206, 0.10)",
  rangeEdge: "rgba(11, 99, 206, 0.8)",
  focusRow: "rgba(255, 196, 0, 0.16)",
  hoverLine: "rgba(17, 24, 39, 0.35)",
  hoverOutline: "rgba(17, 24, 39, 0.55)",
  font: "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  boldFont: "600 11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
} as const;

/**
 * A sparse per-label-index table, one per labels array (one per engine
 * answer), filled by the painter on first use and dropped with the answer.
 */
export function perLabels<T>(): (labels: readonly string[]) => T[] {
  const tables = new WeakMap<readonly string[], T[]>();
  return (labels) => {
    let t = tables.get(labels);
    if (!t) {
      t = [];
      tables.set(labels, t);
    }
    return t;
  };
}
