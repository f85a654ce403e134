/**
 * Boxes are half-open pixel rectangles `[x0, y0, x1, y1]`: pixel (x, y) covers
 * [x, x+1) × [y, y+1), so a box holds the pixels x0 ≤ x < x1, y0 ≤ y < y1 and its area is
 * (x1 − x0)(y1 − y0). The tight box of a single pixel (3, 4) is [3, 4, 4, 5]. Data-set boxes
 * (`[x0, y0, x1, y1, class]`) use the same convention, so they can be passed as they are.
 */

export type Box = readonly [x0: number, y0: number, x1: number, y1: number];

/** Anything whose first four entries are x0, y0, x1, y1 (a data-set box with its class is fine). */
export type BoxLike = Readonly<ArrayLike<number>>;

export function boxArea(box: BoxLike): number {
  return Math.max(0, box[2]! - box[0]!) * Math.max(0, box[3]! - box[1]!);
}

/** Intersection over union; 0 when both boxes are empty. */
export function boxIoU(a: BoxLike, b: BoxLike): number {
  const width = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
  const height = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
  const intersection = width > 0 && height > 0 ? width * height : 0;
  const union = boxArea(a) + boxArea(b) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** The best IoU of `box` against any of `truths`; 0 when `box` is null or there are no truths. */
export function bestIoU(box: BoxLike | null, truths: readonly BoxLike[]): number {
  if (box === null) return 0;
  let best = 0;
  for (const truth of truths) best = Math.max(best, boxIoU(box, truth));
  return best;
}

/** The tight box of the pixels of a `[height, width]` mask that equal `value` (any non-zero when omitted); null when there are none. */
export function maskBox(mask: ArrayLike<number>, width: number, value?: number): Box | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let index = 0; index < mask.length; index++) {
    const pixel = mask[index]!;
    if (value === undefined ? pixel === 0 : pixel !== value) continue;
    const x = index % width;
    const y = (index - x) / width;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + 1);
    y1 = Math.max(y1, y + 1);
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}
