/**
 * Connected components of a binary mask with 8-connectivity (diagonal neighbours touch),
 * found by a breadth-first flood fill over an explicit queue so that large blobs cannot
 * overflow the call stack.
 */
import type { Box } from './boxes.js';

export interface Component {
  /** Number of pixels. */
  readonly area: number;
  readonly box: Box;
}

export interface Components {
  /** Per pixel: 0 for background, k for the k-th component found in raster order. */
  readonly labels: Int32Array;
  readonly components: readonly Component[];
}

export function connectedComponents(mask: ArrayLike<number>, width: number, height: number): Components {
  const labels = new Int32Array(width * height);
  const queue = new Int32Array(width * height);
  const components: Component[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    components.push(fill(mask, labels, queue, start, components.length + 1, width, height));
  }
  return { labels, components };
}

interface Grid {
  readonly mask: ArrayLike<number>;
  readonly labels: Int32Array;
  readonly width: number;
  readonly height: number;
}

/** Labels the unlabelled foreground neighbours of `index` and appends them to the queue; returns the new tail. */
function enqueueNeighbours(grid: Grid, queue: Int32Array, tail: number, index: number, label: number): number {
  const x = index % grid.width;
  const y = (index - x) / grid.width;
  for (let ny = Math.max(0, y - 1); ny <= Math.min(grid.height - 1, y + 1); ny++) {
    for (let nx = Math.max(0, x - 1); nx <= Math.min(grid.width - 1, x + 1); nx++) {
      const neighbour = ny * grid.width + nx;
      if (grid.mask[neighbour] === 0 || grid.labels[neighbour] !== 0) continue;
      grid.labels[neighbour] = label;
      queue[tail++] = neighbour;
    }
  }
  return tail;
}

function fill(
  mask: ArrayLike<number>,
  labels: Int32Array,
  queue: Int32Array,
  start: number,
  label: number,
  width: number,
  height: number,
): Component {
  const grid = { mask, labels, width, height };
  let [head, tail] = [0, 1];
  queue[0] = start;
  labels[start] = label;
  let [x0, y0, x1, y1] = [width, height, 0, 0];
  while (head < tail) {
    const index = queue[head++]!;
    const x = index % width;
    const y = (index - x) / width;
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
    tail = enqueueNeighbours(grid, queue, tail, index, label);
  }
  return { area: tail, box: [x0, y0, x1, y1] };
}
