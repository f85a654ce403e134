/**
 * Which class each image is explained for, and the score that is differentiated.
 *
 * Classification: the class is the top-scoring one unless given, and the score is y^c.
 * Segmentation: the class is the one predicted on the most pixels unless given (ties go to the
 * lower index), and the score is the sum of class-c scores over a region: the pixels predicted
 * as c by default (the whole image when there are none), or a given box or mask.
 * A class-map output of an ACoL head (the fused `max` of both branches' maps): the class branch
 * A predicts, argmax of gap(branch A's map) (its logits, the class erasing used at inference), so
 * the fused output is explained for the same class as `--method acol`. Any other class-map output
 * follows the segmentation rule.
 * One channel is a foreground score (sigmoid): its class is 0, and the default region is the
 * foreground, the pixels whose score reaches the cut (0.5 for probabilities, 0 for logits).
 * Both are written as Σ selector ⊙ scores with a constant selector, so one gradient serves.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Span } from '../diagnostics/diagnostic.js';
import type { ExplanationPlan } from '../ir/analysis/explanations/plan.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** Half-open pixel box `[x0, y0, x1, y1]` or a 0/1 mask ([H, W] or [N, H, W]) in the output's pixels. */
export type Region = { readonly box: readonly [number, number, number, number] } | { readonly mask: tf.Tensor };

function argmaxRow(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let index = 1; index < length; index++) if (values[offset + index]! > values[offset + best]!) best = index;
  return best;
}

/** The predicted class per image, from the score tensor's values. */
export function predictedClasses(plan: ExplanationPlan, scores: ArrayLike<number>, batch: number): number[] {
  const classes = plan.classes;
  const perImage = scores.length / batch;
  return Array.from({ length: batch }, (_, image) => {
    if (plan.kind === 'classification') return argmaxRow(scores, image * perImage, classes);
    const counts = new Array<number>(classes).fill(0);
    for (let pixel = image * perImage; pixel < (image + 1) * perImage; pixel += classes)
      counts[argmaxRow(scores, pixel, classes)]!++;
    return argmaxRow(counts, 0, classes);
  });
}

/** Per image, the class whose map has the largest spatial mean (ties go to the lower index): gap(map)'s argmax. */
export async function classesOfClassMap(map: tf.Tensor4D): Promise<number[]> {
  const classes = map.shape[3];
  const means = tf.tidy(() => tf.mean(map, [1, 2]));
  const values = await means.data();
  means.dispose();
  return Array.from({ length: map.shape[0] }, (_, image) => argmaxRow(values, image * classes, classes));
}

/** The class per image: the requested one(s), checked, or the predicted ones. */
export function chooseClasses(
  plan: ExplanationPlan,
  requested: number | readonly number[] | undefined,
  predicted: readonly number[],
  span?: Span,
): number[] {
  if (requested === undefined) return [...predicted];
  const list = typeof requested === 'number' ? predicted.map(() => requested) : [...requested];
  if (list.length !== predicted.length) {
    throw diagnosticError(codes.explainClassOutOfRange, `${list.length} class indices for ${predicted.length} images`, {
      hint: 'give one class, or one per image',
      span,
      file: '<explain>',
    });
  }
  for (const value of list) {
    if (!Number.isInteger(value) || value < 0 || value >= plan.classes) {
      throw diagnosticError(
        codes.explainClassOutOfRange,
        `class ${value} is out of range: the output \`${plan.output}\` has ${plan.classes} classes (0 to ${plan.classes - 1})`,
        { hint: 'pick a class index in range', span, file: '<explain>' },
      );
    }
  }
  return list;
}

function checkBox(box: readonly number[], height: number, width: number, span?: Span): void {
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  const valid =
    box.length === 4 &&
    box.every(Number.isInteger) &&
    x0 >= 0 &&
    y0 >= 0 &&
    x1 <= width &&
    y1 <= height &&
    x0 < x1 &&
    y0 < y1;
  if (!valid) {
    throw diagnosticError(
      codes.badRegion,
      `the region box [${box.join(', ')}] is not a non-empty box inside the ${width}×${height} output`,
      { hint: 'give integers x0 < x1 ≤ width and y0 < y1 ≤ height (half-open pixel box)', span, file: '<explain>' },
    );
  }
}

/** Validates a region against the score's shape [N, H, W, C] before any gradient is taken. */
export function checkRegion(
  plan: ExplanationPlan,
  region: Region | undefined,
  scoreShape: readonly number[],
  span?: Span,
): void {
  if (!region) return;
  if (plan.kind === 'classification') {
    throw diagnosticError(
      codes.badRegion,
      `the output \`${plan.output}\` is a classification; a region applies only to per-pixel outputs`,
      { hint: 'leave the region out', span, file: '<explain>' },
    );
  }
  const [batch, height, width] = scoreShape as [number, number, number];
  if ('box' in region) return checkBox(region.box, height, width, span);
  const shape = region.mask.shape;
  const fits =
    (shape.length === 2 && shape[0] === height && shape[1] === width) ||
    (shape.length === 3 && shape[0] === batch && shape[1] === height && shape[2] === width);
  if (!fits) {
    throw diagnosticError(
      codes.badRegion,
      `the region mask has shape [${shape.join(', ')}] but the output's pixels are ${height}×${width} for ${batch} image(s)`,
      { hint: `give a mask [${height}, ${width}] or [${batch}, ${height}, ${width}]`, span, file: '<explain>' },
    );
  }
}

/** A given region as a [N, H, W] 0/1 float mask over the output's pixels. */
export function regionPixels(region: Region, [batch, height, width]: readonly number[]): tf.Tensor3D {
  return tf.tidy(() => {
    if ('box' in region) {
      const [x0, y0, x1, y1] = region.box;
      const box = tf.pad(tf.ones([y1 - y0, x1 - x0]), [
        [y0, height! - y1],
        [x0, width! - x1],
      ]);
      return tf.broadcastTo(box, [batch!, height!, width!]) as tf.Tensor3D;
    }
    return tf.broadcastTo(tf.cast(tf.notEqual(region.mask, 0), 'float32'), [batch!, height!, width!]) as tf.Tensor3D;
  });
}

/** The region as a [N, H, W] float mask; the default is the pixels predicted as the class (all pixels when none are). */
function regionMask(
  scores: tf.Tensor4D,
  classes: readonly number[],
  region: Region | undefined,
  foregroundCut: number,
): tf.Tensor3D {
  if (region) return regionPixels(region, scores.shape);
  const batch = scores.shape[0];
  const predicted =
    scores.shape[3] === 1
      ? tf.cast(tf.greaterEqual(tf.squeeze(scores, [3]), foregroundCut), 'float32')
      : tf.cast(
          tf.equal(tf.argMax(scores, 3), tf.reshape(tf.tensor1d([...classes], 'int32'), [batch, 1, 1])),
          'float32',
        );
  const empty = tf.equal(tf.sum(predicted, [1, 2], true), 0);
  return tf.where(tf.broadcastTo(empty, predicted.shape), tf.onesLike(predicted), predicted) as tf.Tensor3D;
}

/** The constant weights w with score = Σ w ⊙ scores, same shape as the scores. */
export function scoreSelector(
  scores: tf.Tensor,
  classes: readonly number[],
  region: Region | undefined,
  foregroundCut = 0,
): tf.Tensor {
  return tf.tidy(() => {
    const count = scores.shape[scores.rank - 1]!;
    // tf.oneHot refuses depth 1; one channel has one class, selected whole.
    const oneHot = count === 1 ? tf.ones([classes.length, 1]) : tf.oneHot(tf.tensor1d([...classes], 'int32'), count);
    if (scores.rank === 2) return oneHot;
    const mask = regionMask(scores as tf.Tensor4D, classes, region, foregroundCut);
    return tf.mul(tf.expandDims(mask, 3), tf.reshape(oneHot, [classes.length, 1, 1, count]));
  });
}
