/**
 * Shared test helpers: building symbolic input types, running shape rules under a size space,
 * executing ops, deterministic data, error measures, leak checks and finite differences.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { CheckingShapeContext } from '../../src/shapes/shape-context.js';
import { SizeSpace, type SizeConstraint } from '../../src/shapes/sizes.js';
import { type Dim, dim, sym } from '../../src/shapes/symbolic.js';
import type { Attrs, DType, OpDef, RunContext, TensorType } from '../../src/ops/op.js';

export const N = sym('N');
export const H = sym('H');
export const W = sym('W');

/** A type from a list of sizes: numbers are concrete, strings are symbols. */
export function type(shape: readonly (number | string | Dim)[], dtype: DType = 'f32'): TensorType {
  return { dtype, shape: shape.map((d) => (typeof d === 'number' ? dim(d) : typeof d === 'string' ? sym(d) : d)) };
}

export function divisible(symbol: string, by: number): SizeConstraint {
  return { text: `${symbol} % ${by} == 0`, symbols: [symbol], holds: (env) => env.get(symbol)! % by === 0 };
}

export function space(...constraints: SizeConstraint[]): SizeSpace {
  return new SizeSpace(['N', 'H', 'W'], constraints);
}

/** Validates the attributes, then applies the shape rule; returns the output type. */
export function shapeOf(
  op: OpDef,
  inputs: readonly TensorType[],
  attrs: Attrs = {},
  sizes: SizeSpace = space(),
): TensorType {
  const problem = op.validate?.(attrs);
  if (problem) throw new Error(`validate: ${problem}`);
  return op.shape(inputs, attrs, new CheckingShapeContext(sizes));
}

export function formatType(t: TensorType, sizes: SizeSpace = space()): string {
  return `${t.dtype}[${t.shape.map((d) => sizes.format(d)).join(', ')}]`;
}

export function runContext(overrides: Partial<RunContext> = {}): RunContext {
  return { training: false, seed: 1, needsGradient: false, ...overrides };
}

/** Deterministic values in [-1, 1) (mulberry32). */
export function seeded(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tidy(() =>
    tf.mul(
      tf.tensor(
        seeded(
          shape.reduce((p, v) => p * v, 1),
          seed,
        ),
        shape,
      ),
      scale,
    ),
  );
}

export interface ErrorMeasure {
  readonly abs: number;
  readonly rel: number;
}

/** Max absolute error, and max error relative to max(1, |expected|). */
export function errorBetween(actual: ArrayLike<number>, expected: ArrayLike<number>): ErrorMeasure {
  expect(actual.length).toBe(expected.length);
  let [abs, rel] = [0, 0];
  for (let i = 0; i < actual.length; i++) {
    const difference = Math.abs(actual[i]! - expected[i]!);
    abs = Math.max(abs, difference);
    rel = Math.max(rel, difference / Math.max(1, Math.abs(expected[i]!)));
  }
  return { abs, rel };
}

/** Asserts same shape and values within `tolerance` (absolute and relative); returns the error. */
export async function expectClose(
  actual: tf.Tensor,
  expected: tf.Tensor | { shape: number[]; values: ArrayLike<number> },
  tolerance: number,
): Promise<ErrorMeasure> {
  const expectedShape = expected instanceof tf.Tensor ? expected.shape : expected.shape;
  expect(actual.shape).toEqual(expectedShape);
  const values = expected instanceof tf.Tensor ? await expected.data() : expected.values;
  const error = errorBetween(await actual.data(), values);
  expect(error.abs).toBeLessThanOrEqual(tolerance);
  expect(error.rel).toBeLessThanOrEqual(tolerance);
  return error;
}

/** Runs `body` and asserts it leaves no tensor behind. */
export async function withoutLeaks<T>(body: () => Promise<T> | T): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await body();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/**
 * Compares tf.grad of `loss` at `x` with central differences on up to `samples` elements.
 * An element whose one-sided differences disagree sits within ε of a kink (relu at 0, a max
 * changing winner), where a central difference means nothing; it is skipped, and at most a
 * quarter of the samples may be. Returns the largest error relative to max(1, |numeric|).
 */
export function gradientError(loss: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, epsilon = 1e-2, samples = 24): number {
  return tf.tidy(() => {
    const analytic = tf.grad(loss)(x).dataSync();
    const base = x.dataSync().slice();
    const at = (i: number, delta: number) => {
      const shifted = base.slice();
      shifted[i]! += delta;
      return tf.tidy(() => loss(tf.tensor(shifted, x.shape)).dataSync()[0]!);
    };
    const centre = tf.tidy(() => loss(tf.tensor(base, x.shape)).dataSync()[0]!);
    const step = Math.max(1, Math.floor(base.length / samples));
    let [worst, checked, skipped] = [0, 0, 0];
    for (let i = 0; i < base.length; i += step) {
      const [forward, backward] = [(at(i, epsilon) - centre) / epsilon, (centre - at(i, -epsilon)) / epsilon];
      const numeric = (forward + backward) / 2;
      const scale = Math.max(1, Math.abs(numeric));
      if (Math.abs(forward - backward) > 0.01 * scale) {
        skipped++;
        continue;
      }
      checked++;
      worst = Math.max(worst, Math.abs(numeric - analytic[i]!) / scale);
    }
    expect(skipped).toBeLessThanOrEqual(checked / 3);
    return worst;
  });
}
