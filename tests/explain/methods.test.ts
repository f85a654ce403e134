/**
 * The map formulas on given activations and gradients, against plain loops written from the
 * papers: Grad-CAM++ (Chattopadhay et al., closed form for the exponential score), LayerCAM,
 * Grad-CAM, and CAM from a dense kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseCam } from '../../src/explain/methods/cam.js';
import { gradCamPlusPlus, gradCamPlusPlusWeights } from '../../src/explain/methods/grad-cam-plus-plus.js';
import { gradCam } from '../../src/explain/methods/grad-cam.js';
import { layerCam } from '../../src/explain/methods/layer-cam.js';
import { relativeError, values, withoutLeaks } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE: [number, number, number, number] = [2, 3, 4, 5];
const [COUNT, HEIGHT, WIDTH, CHANNELS] = SHAPE;
const PIXELS = HEIGHT * WIDTH;
const at = (n: number, p: number, k: number) => (n * PIXELS + p) * CHANNELS + k;

/** Deterministic values with both signs (activations after a ReLU are made non-negative). */
const seeded = (seed: number, nonNegative: boolean) =>
  Float32Array.from({ length: COUNT * PIXELS * CHANNELS }, (_, i) => {
    const v = Math.sin(i * 12.9898 + seed * 78.233) * 0.8;
    return nonNegative ? Math.abs(v) : v;
  });

function gradCamPlusPlusReference(activation: Float32Array, gradient: Float32Array): Float32Array {
  const map = new Float32Array(COUNT * PIXELS);
  for (let n = 0; n < COUNT; n++) {
    for (let k = 0; k < CHANNELS; k++) {
      let activationSum = 0;
      for (let p = 0; p < PIXELS; p++) activationSum += activation[at(n, p, k)]!;
      let weight = 0;
      for (let p = 0; p < PIXELS; p++) {
        const g = gradient[at(n, p, k)]!;
        const denominator = 2 * g * g + activationSum * g * g * g;
        const alpha = denominator !== 0 ? (g * g) / denominator : 0;
        weight += alpha * Math.max(g, 0);
      }
      for (let p = 0; p < PIXELS; p++) map[n * PIXELS + p]! += weight * activation[at(n, p, k)]!;
    }
  }
  return map.map((v) => Math.max(v, 0));
}

function layerCamReference(activation: Float32Array, gradient: Float32Array): Float32Array {
  const map = new Float32Array(COUNT * PIXELS);
  for (let n = 0; n < COUNT; n++)
    for (let p = 0; p < PIXELS; p++)
      for (let k = 0; k < CHANNELS; k++)
        map[n * PIXELS + p]! += Math.max(gradient[at(n, p, k)]!, 0) * activation[at(n, p, k)]!;
  return map.map((v) => Math.max(v, 0));
}

function gradCamReference(activation: Float32Array, gradient: Float32Array): Float32Array {
  const map = new Float32Array(COUNT * PIXELS);
  for (let n = 0; n < COUNT; n++) {
    for (let k = 0; k < CHANNELS; k++) {
      let alpha = 0;
      for (let p = 0; p < PIXELS; p++) alpha += gradient[at(n, p, k)]! / PIXELS;
      for (let p = 0; p < PIXELS; p++) map[n * PIXELS + p]! += alpha * activation[at(n, p, k)]!;
    }
  }
  return map.map((v) => Math.max(v, 0));
}

describe('map formulas against plain loops', () => {
  const activationValues = seeded(1, true);
  const gradientValues = seeded(2, false);

  it.each([
    ['Grad-CAM++', gradCamPlusPlus, gradCamPlusPlusReference],
    ['LayerCAM', layerCam, layerCamReference],
    ['Grad-CAM', gradCam, gradCamReference],
  ] as const)('%s', (_name, method, reference) =>
    withoutLeaks(() => {
      const [activation, gradient] = [tf.tensor4d(activationValues, SHAPE), tf.tensor4d(gradientValues, SHAPE)];
      const map = method(activation, gradient);
      expect(map.shape).toEqual([COUNT, HEIGHT, WIDTH]);
      expect(relativeError(values(map), reference(activationValues, gradientValues))).toBeLessThan(1e-5);
      tf.dispose([activation, gradient, map]);
    }),
  );

  it('Grad-CAM++ defines α = 0 where the gradient is zero: no NaN from 0/0', () =>
    withoutLeaks(() => {
      const [activation, gradient] = [tf.tensor4d(activationValues, SHAPE), tf.zeros(SHAPE) as tf.Tensor4D];
      const weights = gradCamPlusPlusWeights(activation, gradient);
      expect(Array.from(values(weights))).toEqual(new Array(COUNT * CHANNELS).fill(0));
      tf.dispose([activation, gradient, weights]);
    }));

  it('Grad-CAM++ with a constant non-negative gradient g_k: w_k = H·W·g_k / (2 + g_k Σ A_k)', () =>
    withoutLeaks(() => {
      const perChannel = [0.5, 0, 1.5, 0.25, 2];
      const gradientValues = Float32Array.from(
        { length: COUNT * PIXELS * CHANNELS },
        (_, i) => perChannel[i % CHANNELS]!,
      );
      const [activation, gradient] = [tf.tensor4d(activationValues, SHAPE), tf.tensor4d(gradientValues, SHAPE)];
      const weightTensor = gradCamPlusPlusWeights(activation, gradient);
      const weights = values(weightTensor);
      const expected = Array.from({ length: COUNT * CHANNELS }, (_, index) => {
        const [n, k] = [Math.floor(index / CHANNELS), index % CHANNELS];
        let sum = 0;
        for (let p = 0; p < PIXELS; p++) sum += activationValues[at(n, p, k)]!;
        const g = perChannel[k]!;
        return g === 0 ? 0 : (PIXELS * g) / (2 + g * sum);
      });
      expect(relativeError(weights, expected)).toBeLessThan(1e-5);
      tf.dispose([activation, gradient, weightTensor]);
    }));

  it("CAM from a dense kernel: Σ_k w[k, c] f_k for each image's class", () =>
    withoutLeaks(() => {
      const kernelValues = Float32Array.from({ length: CHANNELS * 3 }, (_, i) => Math.cos(i * 0.7));
      const [features, kernel] = [tf.tensor4d(gradientValues, SHAPE), tf.tensor2d(kernelValues, [CHANNELS, 3])];
      const classes = [2, 0];
      const map = denseCam(features, kernel, classes);
      const expected = new Float32Array(COUNT * PIXELS);
      for (let n = 0; n < COUNT; n++)
        for (let p = 0; p < PIXELS; p++)
          for (let k = 0; k < CHANNELS; k++)
            expected[n * PIXELS + p]! += kernelValues[k * 3 + classes[n]!]! * gradientValues[at(n, p, k)]!;
      expect(relativeError(values(map), expected)).toBeLessThan(1e-5);
      tf.dispose([features, kernel, map]);
    }));
});
