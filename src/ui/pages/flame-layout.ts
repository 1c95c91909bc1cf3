/**
 * The flame graph's model: the profile tree flattened into columns in
 * pre-order (a node's subtree is the index range [i, end[i])), with each
 * node's depth and its offset inside its parent in ns. Zooming into a node
 * shows its ancestors full width and its subtree scaled to the width; what
 * is narrower than a pixel is skipped with its whole subtree, so a frame
 * costs what is visible, not what the profile holds.
 */
import type { FlameNode } from "../../query/analysis/protocol.js";

export class FlameModel {
  readonly func: string[] = [];
  readonly totalNs: number[] = [];
  readonly selfNs: number[] = [];
  readonly count: number[] = [];
  readonly depth: number[] = [];
  /** Offset from the root's start, in ns (the x of the node at full zoom-out). */
  readonly offsetNs: number[] = [];
  readonly parent: number[] = [];
  /** One past the last node of the subtree. */
  readonly end: number[] = [];
  maxDepth = 0;

  constructor(root: FlameNode) {
    const visit = (n: FlameNode, depth: number, offsetNs: number, parent: number) => {
      const i = this.func.length;
      this.func.push(n.func);
      this.totalNs.push(n.totalNs);
      this.selfNs.push(n.selfNs);
      this.count.push(n.count);
      this.depth.push(depth);
      this.offsetNs.push(offsetNs);
      this.parent.push(parent);
      this.end.push(0);
      if (depth > this.maxDepth) this.maxDepth = depth;
      let x = offsetNs;
      for (const c of n.children) {
        visit(c, depth + 1, x, i);
        x += c.totalNs;
      }
      this.end[i] = this.func.length;
    };
    visit(root, 0, 0, -1);
  }

  get length(): number {
    return this.func.length;
  }

  children(i: number): number[] {
    const out: number[] = [];
    for (let c = i + 1; c < this.end[i]!; c = this.end[c]!) out.push(c);
    return out;
  }

  ancestors(i: number): number[] {
    const out: number[] = [];
    for (let p = this.parent[i]!; p >= 0; p = this.parent[p]!) out.unshift(p);
    return out;
  }

  isAncestorOrSelf(a: number, i: number): boolean {
    return a <= i && i < this.end[a]!;
  }
}

/** Rectangles drawn in one frame, in CSS px, reused between frames for hit testing. */
export class DrawnRects {
  node = new Int32Array(1024);
  x = new Float32Array(1024);
  w = new Float32Array(1024);
  row = new Int32Array(1024);
  length = 0;

  push(node: number, x: number, w: number, row: number): void {
    if (this.length === this.node.length) {
      const grow = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T) => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.node = grow(this.node, (n) => new Int32Array(n));
      this.x = grow(this.x, (n) => new Float32Array(n));
      this.w = grow(this.w, (n) => new Float32Array(n));
      this.row = grow(this.row, (n) => new Int32Array(n));
    }
    const k = this.length++;
    this.node[k] = node;
    this.x[k] = x;
    this.w[k] = w;
    this.row[k] = row;
  }

  hit(x: number, row: number): number {
    for (let k = 0; k < this.length; k++) {
      if (this.row[k] === row && x >= this.x[k]! && x < this.x[k]! + this.w[k]!) return this.node[k]!;
    }
    return -1;
  }
}

/**
 * Lays out the frame zoomed into `focus` for a width in px: calls `draw` for
 * every visible node (ancestors of the focus full width, then its subtree)
 * at least `minPx` wide.
 */
export function layoutFrame(
  m: FlameModel,
  focus: number,
  widthPx: number,
  minPx: number,
  draw: (node: number, xPx: number, wPx: number, row: number) => void,
): void {
  for (const a of m.ancestors(focus)) draw(a, 0, widthPx, m.depth[a]!);
  const total = m.totalNs[focus]!;
  if (total <= 0) {
    draw(focus, 0, widthPx, m.depth[focus]!);
    return;
  }
  const scale = widthPx / total;
  const origin = m.offsetNs[focus]!;
  let i = focus;
  const stop = m.end[focus]!;
  while (i < stop) {
    const w = m.totalNs[i]! * scale;
    if (w < minPx) {
      i = m.end[i]!;
      continue;
    }
    draw(i, (m.offsetNs[i]! - origin) * scale, w, m.depth[i]!);
    i++;
  }
}

/** A stable warm colour for a function name (flame graphs' convention), by a string hash. */
export function frameColor(func: string): string {
  let h = 2166136261;
  for (let i = 0; i < func.length; i++) h = Math.imul(h ^ func.charCodeAt(i), 16777619);
  const u = (h >>> 0) / 2 ** 32;
  const hue = 10 + Math.floor(u * 40);
  const light = 55 + Math.floor(((h >>> 8) & 0xff) / 25);
  return `hsl(${hue}, 85%, ${light}%)`;
}

/** The deepest row `layoutFrame` draws for this focus and width: the graph is as tall as what shows. */
export function visibleDepth(m: FlameModel, focus: number, widthPx: number, minPx: number): number {
  let deepest = 0;
  layoutFrame(m, focus, widthPx, minPx, (_i, _x, _w, row) => {
    if (row > deepest) deepest = row;
  });
  return deepest;
}
