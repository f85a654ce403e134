/**
 * Weak supervision of segmentation models from what a data set holds besides masks:
 * - incomplete: only a share of the images keep their masks (chosen per image by a seeded hash
 *   of its id, so the same images every epoch and on resume); the others keep their image-level
 *   labels, which `imageLevelLoss` turns into a loss on the pooled logits;
 * - inexact: masks made from boxes, `filled` (the whole box is the object, the "filled
 *   rectangles" baseline of Khoreva et al. 2017) or `inner` (the box's central part, a given
 *   fraction of its width and height, is the object and the rest of the box is ignored, so the
 *   corners a box adds around a round or pointed object do not count; in the spirit of their
 *   Box^i).
 * Noisy labels (inaccurate supervision) are handled by the loss (src/train/losses.ts).
 */
import { hashString } from '../data/random.js';
import { IGNORE_LABEL, type Sample } from '../data/sample.js';
import { maskClassOf } from './pseudo-masks.js';

export type BoxMaskMode = 'filled' | 'inner';

/** Default side fraction of the `inner` box masks. */
export const INNER_BOX_FRACTION = 0.5;

/** Whether the image keeps its mask when only `share` of the images do: hash(seed, id) / 2³² < share. */
export function keepsMask(id: string, share: number, seed: number): boolean {
  if (share >= 1) return true;
  return hashString(`${seed}:mask-share:${id}`) / 2 ** 32 < share;
}

/** The sample with every mask pixel ignored: it then trains through its image-level labels only. */
export function withoutMask(sample: Sample): Sample {
  return { ...sample, mask: new Uint8Array(sample.height * sample.width).fill(IGNORE_LABEL) };
}

/** Whether every pixel of the mask is ignored (a sample trained by its image-level labels). */
export function isMaskless(sample: Sample): boolean {
  return sample.mask !== undefined && sample.mask.every((value) => value === IGNORE_LABEL);
}

/**
 * A mask from the sample's boxes: background outside every box; larger boxes painted first so
 * smaller ones stay visible where boxes overlap. Box classes are image classes, mapped to mask
 * classes by name (or to 1 with two mask classes).
 */
export function masksFromBoxes(
  sample: Sample,
  classes: readonly string[],
  maskClasses: readonly string[],
  mode: BoxMaskMode,
  fraction = INNER_BOX_FRACTION,
): Sample {
  const { width, height } = sample;
  const mask = new Uint8Array(width * height);
  const boxes = [...(sample.boxes ?? [])].sort((a, b) => (b[2] - b[0]) * (b[3] - b[1]) - (a[2] - a[0]) * (a[3] - a[1]));
  const paint = (x0: number, y0: number, x1: number, y1: number, value: number) => {
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) mask[y * width + x] = value;
    }
  };
  for (const [x0, y0, x1, y1, label] of boxes) {
    const value = maskClassOf(label, classes, maskClasses);
    if (mode === 'filled') {
      paint(x0, y0, x1, y1, value);
      continue;
    }
    paint(x0, y0, x1, y1, IGNORE_LABEL);
    const [marginX, marginY] = [((x1 - x0) * (1 - fraction)) / 2, ((y1 - y0) * (1 - fraction)) / 2];
    paint(x0 + marginX, y0 + marginY, x1 - marginX, y1 - marginY, value);
  }
  return { ...sample, mask };
}

/** Multi-hot over mask classes of the sample's image-level labels (its `labels`, else its `label`). */
export function maskClassTargets(
  sample: Sample,
  classes: readonly string[],
  maskClasses: readonly string[],
): Float32Array {
  const targets = new Float32Array(maskClasses.length);
  for (const label of sample.labels ?? (sample.label !== undefined ? [sample.label] : []))
    targets[maskClassOf(label, classes, maskClasses)] = 1;
  return targets;
}
