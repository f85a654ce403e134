/**
 * The losses against plain-loop references written from the formulas, on cpu and wasm:
 * pixel cross-entropy with ignored pixels, an all-ignored batch, classification and
 * multi-label cross-entropy, and L2 weight decay with its gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from '../../src/runtime/gradients.js';
import {
  classificationCrossEntropy,
  isDecayedWeight,
  multiLabelCrossEntropy,
  pixelCrossEntropy,
  weightDecayLoss,
} from '../../src/train/losses.js';
import { testBackends, useBackend } from '../ops/backends.js';
import { seededValues } from '../runtime/helpers.js';

const TOLERANCE = 1e-5;

/** −log softmax(row)[label], in double precision. */
function negativeLogLikelihood(row: ArrayLike<number>, label: number): number {
  const values = Array.from(row);
  const top = Math.max(...values);
  const logSum = top + Math.log(values.reduce((sum, v) => sum + Math.exp(v - top), 0));
  return logSum - values[label]!;
}

function referencePixelLoss(logits: Float32Array, labels: Int32Array, classes: number, ignore: number): number {
  let sum = 0;
  let counted = 0;
  labels.forEach((label, pixel) => {
    if (label === ignore) return;
    sum += negativeLogLikelihood(logits.subarray(pixel * classes, (pixel + 1) * classes), label);
    counted += 1;
  });
  return counted === 0 ? 0 : sum / counted;
}

beforeAll(() => registerGradients());
afterAll(() => useBackend('cpu'));

describe.each(testBackends().filter((b) => b !== 'webgpu'))('losses on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('pixel cross-entropy averages over counted pixels only', () => {
    const before = tf.memory().numTensors;
    const classes = 3;
    const logits = seededValues(2 * 3 * 4 * classes, 7).map((v) => 3 * v);
    const labels = Int32Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? 255 : i % classes));
    const loss = pixelCrossEntropy(tf.tensor4d(logits, [2, 3, 4, classes]), tf.tensor3d(labels, [2, 3, 4], 'int32'));
    expect(Math.abs(loss.dataSync()[0]! - referencePixelLoss(logits, labels, classes, 255))).toBeLessThan(TOLERANCE);
    tf.disposeVariables();
    tf.dispose(loss);
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2); // the two inputs above
  });

  it('a hand-computed case: two pixels, one ignored', () => {
    // Pixel 1: logits (0, ln 3), label 1 → −log(3/4). Pixel 2 is ignored.
    const loss = tf.tidy(() =>
      pixelCrossEntropy(tf.tensor4d([0, Math.log(3), 5, -5], [1, 1, 2, 2]), tf.tensor3d([1, 255], [1, 1, 2], 'int32')),
    );
    expect(Math.abs(loss.dataSync()[0]! - -Math.log(3 / 4))).toBeLessThan(TOLERANCE);
    loss.dispose();
  });

  it('an all-ignored batch gives 0 and a zero gradient, no NaN', () => {
    const before = tf.memory().numTensors;
    const labels = tf.fill([1, 2, 2], 255, 'int32');
    const logits = tf.tensor4d(seededValues(8, 3), [1, 2, 2, 2]);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => pixelCrossEntropy(x, labels))(logits);
    expect(Math.abs(value.dataSync()[0]!)).toBe(0);
    expect(Array.from(grad.dataSync()).every((g) => g === 0 && !Number.isNaN(g))).toBe(true);
    tf.dispose([labels, logits, value, grad]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the pixel loss gradient matches finite differences', () => {
    const labels = tf.tensor3d([0, 2, 255, 1], [1, 2, 2], 'int32');
    const values = seededValues(12, 11);
    const gradient = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => pixelCrossEntropy(x, labels))(tf.tensor4d(values, [1, 2, 2, 3]))
        .dataSync(),
    );
    const step = 1e-3;
    const labelArray = Int32Array.from([0, 2, 255, 1]);
    for (const index of [0, 4, 7, 9]) {
      const plus = Float32Array.from(values);
      const minus = Float32Array.from(values);
      plus[index]! += step;
      minus[index]! -= step;
      const numeric =
        (referencePixelLoss(plus, labelArray, 3, 255) - referencePixelLoss(minus, labelArray, 3, 255)) / (2 * step);
      expect(Math.abs(gradient[index]! - numeric)).toBeLessThan(1e-3);
    }
    expect(Math.abs(gradient[6]!)).toBe(0); // the ignored pixel's logits get no gradient
    labels.dispose();
  });

  it('classification cross-entropy is the mean negative log-likelihood', () => {
    const logits = seededValues(4 * 5, 5).map((v) => 2 * v);
    const labels = [4, 0, 2, 2];
    const loss = tf.tidy(() => classificationCrossEntropy(tf.tensor2d(logits, [4, 5]), tf.tensor1d(labels, 'int32')));
    const expected =
      labels.reduce((sum, label, row) => sum + negativeLogLikelihood(logits.subarray(row * 5, row * 5 + 5), label), 0) /
      4;
    expect(Math.abs(loss.dataSync()[0]! - expected)).toBeLessThan(TOLERANCE);
    loss.dispose();
  });

  it('multi-label cross-entropy is the mean binary cross-entropy of sigmoids', () => {
    const logits = seededValues(2 * 4, 9).map((v) => 4 * v);
    const targets = [1, 0, 0, 1, 0, 1, 1, 0];
    const loss = tf.tidy(() => multiLabelCrossEntropy(tf.tensor2d(logits, [2, 4]), tf.tensor2d(targets, [2, 4])));
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const expected =
      -targets.reduce(
        (sum, z, i) => sum + z * Math.log(sigmoid(logits[i]!)) + (1 - z) * Math.log(1 - sigmoid(logits[i]!)),
        0,
      ) / 8;
    expect(Math.abs(loss.dataSync()[0]! - expected)).toBeLessThan(TOLERANCE);
    loss.dispose();
  });

  it('weight decay is (λ/2)·Σw² with gradient λ·w', () => {
    const kernel = tf.tensor2d([1, -2, 3, 0.5], [2, 2]);
    const { value, grad } = tf.valueAndGrad((w: tf.Tensor) => weightDecayLoss([w], 0.1))(kernel);
    expect(Math.abs(value.dataSync()[0]! - 0.05 * (1 + 4 + 9 + 0.25))).toBeLessThan(TOLERANCE);
    Array.from(grad.dataSync()).forEach((g, i) =>
      expect(Math.abs(g - 0.1 * [1, -2, 3, 0.5][i]!)).toBeLessThan(TOLERANCE),
    );
    tf.dispose([kernel, value, grad]);
  });
});

describe('isDecayedWeight', () => {
  it('takes convolution and dense kernels, not biases or batch-norm weights', () => {
    expect(
      ['enc/conv/kernel', 'head/dense/kernel', 'dec/sepconv/depthwiseKernel', 'dec/sepconv/pointwiseKernel'].every(
        isDecayedWeight,
      ),
    ).toBe(true);
    expect(
      ['enc/conv/bias', 'enc/bn/gamma', 'enc/bn/beta', 'enc/bn/movingMean', 'kernelish'].some(isDecayedWeight),
    ).toBe(false);
  });
});
