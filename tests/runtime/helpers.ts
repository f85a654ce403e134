/** Shared test utilities for the runtime: seeded data, tolerances, leak checks, backends. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';

/** Deterministic uniform values in [-1, 1) (mulberry32), independent of tfjs. */
export function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[index] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

export function seededTensor<R extends tf.Rank>(shape: number[], seed: number): tf.Tensor<R> {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(seededValues(size, seed), shape) as unknown as tf.Tensor<R>;
}

/** max |a - b| / max(1, max |b|): a relative error that stays meaningful near zero. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1;
  for (let index = 0; index < expected.length; index++) {
    worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!));
    scale = Math.max(scale, Math.abs(expected[index]!));
  }
  return worst / scale;
}

export function expectClose(
  actual: tf.Tensor | ArrayLike<number>,
  expected: tf.Tensor | ArrayLike<number>,
  tolerance: number,
): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const b = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) expect(actual.shape).toEqual(expected.shape);
  expect(relativeError(a, b)).toBeLessThanOrEqual(tolerance);
}

/**
 * Runs `body` and asserts that it leaves the number of live tensors unchanged. Tests of
 * expected errors catch them inside `body`, so the count is checked after the error too; an
 * unexpected error is rethrown as it is rather than hidden behind a count mismatch.
 */
export async function withoutLeaks<T>(body: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await body();
  expect(tf.memory().numTensors, 'live tensors after the test body').toBe(before);
  return result;
}

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} did not start`);
}

/**
 * Central finite differences of a scalar function of `input` (float64 arithmetic on the
 * perturbation, float32 evaluation by tfjs). Exact for quadratics up to rounding.
 */
export function finiteDifferences(input: tf.Tensor, loss: (x: tf.Tensor) => tf.Scalar, epsilon: number): Float32Array {
  const base = input.dataSync().slice();
  const gradient = new Float32Array(base.length);
  for (let index = 0; index < base.length; index++) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const values = base.slice();
        values[index] = values[index]! + delta;
        return loss(tf.tensor(values, input.shape)).dataSync()[0]!;
      });
    gradient[index] = (at(epsilon) - at(-epsilon)) / (2 * epsilon);
  }
  return gradient;
}
