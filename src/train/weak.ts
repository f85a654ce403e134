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

/**
 * Inaccurate supervision made on purpose, for the noise-rate curves: whether the image's labels
 * are corrupted when a share `rate` of the images are, hash(seed, id) / 2³² < rate (the same
 * images every epoch and on resume; a larger rate corrupts a superset).
 */
export function corruptsLabels(id: string, rate: number, seed: number): boolean {
  if (rate <= 0) return false;
  return hashString(`${seed}:label-noise:${id}`) / 2 ** 32 < rate;
}

/**
 * A class other than `label` among `first..count-1`, uniform over the others and fixed by
 * (seed, id, salt): symmetric label noise. `label` itself when it is outside the range or no
 * other class exists.
 */
export function otherClass(label: number, first: number, count: number, seed: number, id: string, salt = 0): number {
  const others = count - first - 1;
  if (others < 1 || label < first || label >= count) return label;
  const step = 1 + (hashString(`${seed}:label-noise-class:${salt}:${id}`) % others);
  return first + ((label - first + step) % (others + 1));
}

/**
 * The sample with wrong labels when it is among the share `rate` of corrupted images
 * (`corruptsLabels`); unchanged otherwise. Its image-level `label` and each of its `labels` take
 * another of the `classes` output classes (`otherClass`; a multi-label set keeps its distinct
 * classes); in its mask, each object class 1..maskClasses−1 is replaced by another object class
 * (one replacement per class and image, so an object changes class as a whole), background (0)
 * and ignored pixels (255) stay. Boxes are left as they are.
 */
export function withNoisyLabels(
  sample: Sample,
  classes: number,
  maskClasses: number,
  rate: number,
  seed: number,
): Sample {
  if (!corruptsLabels(sample.id, rate, seed)) return sample;
  const { id } = sample;
  const label = sample.label !== undefined ? otherClass(sample.label, 0, classes, seed, id) : undefined;
  const labels =
    sample.labels !== undefined
      ? [...new Set(sample.labels.map((value) => otherClass(value, 0, classes, seed, id, value)))].sort((a, b) => a - b)
      : undefined;
  let mask = sample.mask;
  if (mask !== undefined) {
    const mapping = Array.from({ length: 256 }, (_, value) =>
      value === 0 || value === IGNORE_LABEL ? value : otherClass(value, 1, maskClasses, seed, id, value),
    );
    mask = Uint8Array.from(mask, (value) => mapping[value]!);
  }
  return {
    ...sample,
    ...(label !== undefined ? { label } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(mask !== undefined ? { mask } : {}),
  };
}
