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

function hsl(h: number, s: number, l: number): Swatch {
  // Labels are dark on light fills and white on dark ones, for contrast either way.
  return { fill: `hsl(${h} ${s}% ${l}%)`, text: l > 60 ? "#1f2328" : "#ffffff" };
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
  [SliceCategory.Merged]: { fill: "#9aa3ad", text: "#1f2328" },
  [SliceCategory.Syscall]: { fill: "#e8a33d", text: "#1f2328" },
  [SliceCategory.GCMark]: { fill: "#7b5ea7", text: "#ffffff" },
  [SliceCategory.STW]: { fill: "#d0454c", text: "#ffffff" },
  [SliceCategory.MarkAssist]: { fill: "#a98bd4", text: "#1f2328" },
  [SliceCategory.Sweep]: { fill: "#8fa5d9", text: "#1f2328" },
  [SliceCategory.Region]: { fill: "#3fa796", text: "#ffffff" },
  [SliceCategory.Task]: { fill: "#4d8fd6", text: "#ffffff" },
  [SliceCategory.Runnable]: { fill: "#bfe0a8", text: "#1f2328" },
  [SliceCategory.Blocked]: { fill: "#e3e6ea", text: "#4b5563" },
  [SliceCategory.BlockedSyscall]: { fill: "#f6cf95", text: "#1f2328" },
  [SliceCategory.GCWorker]: { fill: "#6a4c9c", text: "#ffffff" },
};

const unknownSwatch: Swatch = { fill: "#b8bec6", text: "#1f2328" };

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
