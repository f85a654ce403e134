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

function fill(
  mask: ArrayLike<number>,
  labels: Int32Array,
  queue: Int32Array,
  start: number,
  label: number,
  width: number,
  height: number,
): Component {
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  labels[start] = label;
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  while (head < tail) {
    const index = queue[head++]!;
    const x = index % width;
    const y = (index - x) / width;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + 1);
    y1 = Math.max(y1, y + 1);
    for (let dy = -1; dy <= 1; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        if (nx < 0 || nx >= width) continue;
        const neighbour = ny * width + nx;
        if (mask[neighbour] === 0 || labels[neighbour] !== 0) continue;
        labels[neighbour] = label;
        queue[tail++] = neighbour;
      }
    }
  }
  return { area: tail, box: [x0, y0, x1, y1] };
}
