/**
 * Weak-supervision training pieces against values worked out by hand: label smoothing, GCE and
 * SCE (and GCE's gradient), the image-level loss on pooled segmentation logits, masks from
 * boxes, and the seeded choice of which images keep their masks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/data/sample.js';
import { imageLevelLoss, positionLosses, robustPixelLoss, smoothBinaryTargets } from '../../src/train/losses.js';
import { batchTensors, disposeBatch } from '../../src/train/inputs.js';
import { taskLoss } from '../../src/train/step.js';
import {
  corruptsLabels,
  isMaskless,
  keepsMask,
  masksFromBoxes,
  maskClassTargets,
  otherClass,
  withNoisyLabels,
  withoutMask,
} from '../../src/train/weak.js';
import { useBackend } from '../ops/backends.js';
import { registerGradients } from '../../src/runtime/gradients.js';

beforeAll(async () => {
  await useBackend('cpu');
  registerGradients();
});

/** Logits (0, ln 3): softmax (1/4, 3/4). */
const LOGITS = [0, Math.log(3)];

function lossOf(labels: number[], options: Parameters<typeof positionLosses>[2]): number[] {
  return tf.tidy(() =>
    Array.from(
      positionLosses(
        tf.tensor2d(
          labels.flatMap(() => LOGITS),
          [labels.length, 2],
        ),
        tf.tensor1d(labels, 'int32'),
        options,
      ).dataSync(),
    ),
  );
}

describe('losses for noisy labels', () => {
  it('cross-entropy, with and without label smoothing', () => {
    const [right, wrong] = lossOf([1, 0], { kind: 'ce' });
    expect(right).toBeCloseTo(-Math.log(0.75), 6);
    expect(wrong).toBeCloseTo(Math.log(4), 6);
    // ε = 0.2, C = 2: targets (0.1, 0.9) for class 1.
    expect(lossOf([1], { kind: 'ce', smoothing: 0.2 })[0]).toBeCloseTo(
      -(0.1 * Math.log(0.25) + 0.9 * Math.log(0.75)),
      6,
    );
  });

  it('GCE is (1 − p_y^q)/q: MAE at q = 1, bounded by 1/q', () => {
    expect(lossOf([1], { kind: 'gce', q: 0.5 })[0]).toBeCloseTo((1 - Math.sqrt(0.75)) / 0.5, 6);
    expect(lossOf([0], { kind: 'gce', q: 1 })[0]).toBeCloseTo(0.75, 6);
    // A hopeless label (p_y ≈ e^−20) costs at most 1/q, where cross-entropy costs 20.
    const hopeless = tf.tidy(
      () =>
        positionLosses(tf.tensor2d([20, 0], [1, 2]), tf.tensor1d([1], 'int32'), { kind: 'gce', q: 0.7 }).dataSync()[0]!,
    );
    expect(hopeless).toBeLessThanOrEqual(1 / 0.7);
    expect(hopeless).toBeCloseTo(1 / 0.7, 4);
  });

  it("GCE's gradient in the logits is −p_y^q (e_y − p)", () => {
    const gradient = tf.tidy(() =>
      Array.from(
        tf
          .grad((z: tf.Tensor) => tf.sum(positionLosses(z, tf.tensor1d([1], 'int32'), { kind: 'gce', q: 0.5 })))(
            tf.tensor2d(LOGITS, [1, 2]),
          )
          .dataSync(),
      ),
    );
    const scale = Math.sqrt(0.75);
    expect(gradient[0]).toBeCloseTo(-scale * (0 - 0.25), 5);
    expect(gradient[1]).toBeCloseTo(-scale * (1 - 0.75), 5);
  });

  it('SCE is α·CE + β·4(1 − p_y)', () => {
    expect(lossOf([1], { kind: 'sce' })[0]).toBeCloseTo(0.1 * -Math.log(0.75) + 1 * 4 * 0.25, 6);
    expect(lossOf([0], { kind: 'sce', alpha: 1, beta: 0.5 })[0]).toBeCloseTo(Math.log(4) + 0.5 * 4 * 0.75, 6);
  });

  it('averages over the counted pixels only', () => {
    const value = tf.tidy(
      () =>
        robustPixelLoss(
          tf.tensor4d([...LOGITS, ...LOGITS, ...LOGITS], [1, 1, 3, 2]),
          tf.tensor3d([1, 255, 0], [1, 1, 3], 'int32'),
          { kind: 'gce', q: 1 },
        ).dataSync()[0]!,
    );
    expect(value).toBeCloseTo((0.25 + 0.75) / 2, 6);
  });

  it('smooths multi-hot targets towards 1/2', () => {
    const smoothed = Array.from(tf.tidy(() => smoothBinaryTargets(tf.tensor1d([0, 1]), 0.2).dataSync()));
    expect(smoothed[0]).toBeCloseTo(0.1, 6);
    expect(smoothed[1]).toBeCloseTo(0.9, 6);
  });
});

describe('image-level loss of a segmentation model', () => {
  it('pools each class by log-sum-exp and scores it with sigmoid cross-entropy, on object classes and maskless images only', () => {
    // One image, 1×2 pixels, 2 classes. Class 1's logits (0, ln 3): with r = 1 the pooled logit is
    // log((e^0 + e^ln3) / 2) = log 2, and its target 1 costs log(1 + e^−log 2) = log 1.5.
    // Class 0 (background) is not scored; a second image with weight 0 does not count.
    const value = tf.tidy(() => {
      const logits = tf.tensor4d([5, 0, -5, Math.log(3), 9, 9, 9, 9], [2, 1, 2, 2]);
      return imageLevelLoss(
        logits,
        tf.tensor2d([0, 1, 0, 0], [2, 2]),
        tf.tensor1d([1, 0]),
        tf.tensor1d([0, 1]),
        1,
      ).dataSync()[0]!;
    });
    expect(value).toBeCloseTo(Math.log(1.5), 6);
    // r = 5: s = (1/5) log((1 + 3^5) / 2); target 0 costs log(1 + e^s).
    const sharp = tf.tidy(
      () =>
        imageLevelLoss(
          tf.tensor4d([0, 0, 0, Math.log(3)], [1, 1, 2, 2]),
          tf.tensor2d([0, 0], [1, 2]),
          tf.tensor1d([1]),
          tf.tensor1d([0, 1]),
          5,
        ).dataSync()[0]!,
    );
    expect(sharp).toBeCloseTo(Math.log(1 + Math.exp(Math.log((1 + 3 ** 5) / 2) / 5)), 5);
  });

  it('is added to the pixel loss of the masked images by taskLoss', () => {
    const names = { classes: ['circle', 'square'], maskClasses: ['background', 'circle', 'square'] };
    const image = new Float32Array(2 * 2 * 3);
    const masked: Sample = {
      id: 'a.png',
      image,
      height: 2,
      width: 2,
      mask: Uint8Array.from([0, 1, 1, 0]),
      labels: [0],
    };
    const labelled = withoutMask({
      id: 'b.png',
      image,
      height: 2,
      width: 2,
      mask: Uint8Array.from([0, 2, 2, 0]),
      labels: [1],
    });
    const task = { kind: 'segmentation' as const, outputs: ['logits'], classes: 3 };
    const batch = batchTensors(
      [masked, labelled],
      { name: 'image', channels: 3, height: 2, width: 2 },
      task,
      false,
      names,
    );
    try {
      expect(Array.from(batch.imageLevel!.weights.dataSync())).toEqual([0, 1]);
      expect(Array.from(batch.imageLevel!.targets.dataSync())).toEqual([0, 1, 0, 0, 0, 1]);
      const logits = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 7);
      const total = tf.tidy(() => taskLoss(task, { logits }, batch, { imageLabelWeight: 0.5 }).dataSync()[0]!);
      const pixels = tf.tidy(() => robustPixelLoss(logits, batch.masks!).dataSync()[0]!);
      const images = tf.tidy(
        () =>
          imageLevelLoss(
            logits as tf.Tensor4D,
            batch.imageLevel!.targets,
            batch.imageLevel!.weights,
            batch.imageLevel!.classMask,
          ).dataSync()[0]!,
      );
      expect(total).toBeCloseTo(pixels + 0.5 * images, 5);
      logits.dispose();
    } finally {
      disposeBatch(batch);
    }
  });
});

describe('masks from boxes and the share of masked images', () => {
  const classes = ['circle', 'square'];
  const maskClasses = ['background', 'circle', 'square'];
  const sample: Sample = {
    id: 'x.png',
    image: new Float32Array(8 * 8 * 3),
    height: 8,
    width: 8,
    boxes: [
      [0, 0, 4, 4, 1],
      [2, 2, 4, 4, 0],
    ],
  };
  const row = (mask: Uint8Array, y: number) => Array.from(mask.subarray(y * 8, y * 8 + 8));

  it('fills boxes, larger first so smaller ones stay on top', () => {
    const mask = masksFromBoxes(sample, classes, maskClasses, 'filled').mask!;
    expect(row(mask, 0)).toEqual([2, 2, 2, 2, 0, 0, 0, 0]);
    expect(row(mask, 3)).toEqual([2, 2, 1, 1, 0, 0, 0, 0]);
    expect(row(mask, 4)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('inner: the central half of each side is the object, the rest of the box ignored', () => {
    const mask = masksFromBoxes({ ...sample, boxes: [[0, 0, 4, 4, 1]] }, classes, maskClasses, 'inner').mask!;
    expect(row(mask, 0)).toEqual([255, 255, 255, 255, 0, 0, 0, 0]);
    expect(row(mask, 1)).toEqual([255, 2, 2, 255, 0, 0, 0, 0]);
    expect(row(mask, 2)).toEqual([255, 2, 2, 255, 0, 0, 0, 0]);
    expect(row(mask, 3)).toEqual([255, 255, 255, 255, 0, 0, 0, 0]);
  });

  it('keeps the masks of about the given share of images, the same ones for the same seed', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `images/${i}.png`);
    const kept = ids.filter((id) => keepsMask(id, 0.2, 3));
    expect(kept.length / ids.length).toBeGreaterThan(0.17);
    expect(kept.length / ids.length).toBeLessThan(0.23);
    expect(ids.filter((id) => keepsMask(id, 0.2, 3))).toEqual(kept);
    expect(ids.filter((id) => keepsMask(id, 0.2, 4))).not.toEqual(kept);
    // A larger share keeps a superset (the same hash, a higher cut).
    const more = new Set(ids.filter((id) => keepsMask(id, 0.5, 3)));
    expect(kept.every((id) => more.has(id))).toBe(true);
    expect(ids.every((id) => keepsMask(id, 1, 3))).toBe(true);
    expect(ids.some((id) => keepsMask(id, 0, 3))).toBe(false);
  });

  it('a sample without its mask is all ignored and keeps its image labels as mask-class targets', () => {
    const dropped = withoutMask({ ...sample, mask: new Uint8Array(64), labels: [1, 0] });
    expect(isMaskless(dropped)).toBe(true);
    expect(Array.from(maskClassTargets(dropped, classes, maskClasses))).toEqual([0, 1, 1]);
  });
});

describe('label noise (--label-noise)', () => {
  const ids = Array.from({ length: 3000 }, (_, i) => `images/${i}.png`);

  it('corrupts about the given share of images, the same ones for the same seed, a superset for a larger share', () => {
    const noisy = ids.filter((id) => corruptsLabels(id, 0.2, 7));
    expect(noisy.length / ids.length).toBeGreaterThan(0.18);
    expect(noisy.length / ids.length).toBeLessThan(0.22);
    expect(ids.filter((id) => corruptsLabels(id, 0.2, 7))).toEqual(noisy);
    expect(ids.filter((id) => corruptsLabels(id, 0.2, 8))).not.toEqual(noisy);
    const more = new Set(ids.filter((id) => corruptsLabels(id, 0.4, 7)));
    expect(noisy.every((id) => more.has(id))).toBe(true);
    // Not the images that --mask-share keeps: the two choices are independent.
    const kept = ids.filter((id) => keepsMask(id, 0.2, 7));
    expect(kept).not.toEqual(noisy);
    expect(ids.some((id) => corruptsLabels(id, 0, 7))).toBe(false);
    expect(ids.every((id) => corruptsLabels(id, 1, 7))).toBe(true);
  });

  it('picks another class, uniformly over the others (symmetric noise)', () => {
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[otherClass(2, 0, 4, 1, id)]! += 1;
    expect(counts[2]).toBe(0);
    for (const c of [0, 1, 3]) {
      expect(counts[c]! / ids.length).toBeGreaterThan(0.3);
      expect(counts[c]! / ids.length).toBeLessThan(0.37);
    }
    // Among object classes 1..3 only: never background, never itself.
    const objects = new Set(ids.map((id) => otherClass(1, 1, 4, 1, id)));
    expect([...objects].sort()).toEqual([2, 3]);
    // Nothing to swap with: unchanged.
    expect(otherClass(1, 1, 2, 1, 'a')).toBe(1);
    expect(otherClass(255, 1, 4, 1, 'a')).toBe(255);
  });

  it('makes a corrupted image wrong as a whole: its class, its label set and each object of its mask', () => {
    const mask = Uint8Array.from([0, 1, 1, 2, 255, 0, 2, 1]);
    const noisyId = ids.find((id) => corruptsLabels(id, 0.5, 2))!;
    const cleanId = ids.find((id) => !corruptsLabels(id, 0.5, 2))!;
    const clean: Sample = {
      id: cleanId,
      image: new Float32Array(24),
      height: 2,
      width: 4,
      mask,
      label: 1,
      labels: [1, 2],
    };
    expect(withNoisyLabels(clean, 4, 4, 0.5, 2)).toBe(clean);
    const noisy = withNoisyLabels({ ...clean, id: noisyId }, 4, 4, 0.5, 2);
    expect(noisy.label).not.toBe(1);
    expect(noisy.labels!.length).toBeGreaterThan(0);
    for (const value of [1, 2]) {
      // The pixels of one class all take the same other object class.
      const taken = new Set(
        Array.from(mask.keys())
          .filter((i) => mask[i] === value)
          .map((i) => noisy.mask![i]),
      );
      expect(taken.size).toBe(1);
      const [to] = [...taken];
      expect(to).not.toBe(value);
      expect([1, 2, 3]).toContain(to);
    }
    expect([0, 4, 5].map((i) => noisy.mask![i])).toEqual([0, 255, 0]);
    expect(Array.from(clean.mask!)).toEqual([0, 1, 1, 2, 255, 0, 2, 1]);
  });
});
