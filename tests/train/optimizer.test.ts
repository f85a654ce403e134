/**
 * The optimizers against tfjs-core's own (tf.train.momentum, tf.train.adam) as independent
 * references, exact restoring of their state, and the poly learning-rate schedule.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Optimizer } from '../../src/train/optimizer.js';
import { learningRateAt, polyLearningRate } from '../../src/train/schedule.js';
import { useBackend } from '../ops/backends.js';
import { seededValues } from '../runtime/helpers.js';

const STEPS = 5;

/** Gradient of Σ (w · target)² + Σ w³ / 3: non-trivial and different every step. */
function lossOf(weight: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.add(tf.sum(tf.square(tf.mul(weight, target))), tf.div(tf.sum(tf.pow(weight, 3)), 3)) as tf.Scalar;
}

/** A variable holding `values`, without leaving the initial tensor behind. */
function variableOf(values: Float32Array): tf.Variable {
  const initial = tf.tensor1d(values);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

function trainOurs(
  options: ConstructorParameters<typeof Optimizer>[0],
  rate: number,
  initial: Float32Array,
  target: tf.Tensor,
): Float32Array {
  const weight = variableOf(initial);
  const optimizer = new Optimizer(options, new Map([['w', weight]]));
  for (let step = 0; step < STEPS; step++) {
    const gradient = tf.tidy(() => tf.grad((w: tf.Tensor) => lossOf(w, target))(weight));
    optimizer.apply(new Map([['w', gradient]]), rate);
    gradient.dispose();
  }
  const result = weight.dataSync() as Float32Array;
  optimizer.dispose();
  weight.dispose();
  return Float32Array.from(result);
}

function trainReference(optimizer: tf.Optimizer, initial: Float32Array, target: tf.Tensor): Float32Array {
  const weight = variableOf(initial);
  for (let step = 0; step < STEPS; step++) optimizer.minimize(() => lossOf(weight, target));
  const result = Float32Array.from(weight.dataSync());
  optimizer.dispose();
  weight.dispose();
  return result;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - b[index]!)), 0);
}

beforeAll(() => useBackend('cpu'));
afterAll(() => tf.disposeVariables());

describe('optimizers against tf.train', () => {
  const initial = seededValues(16, 21);

  it('SGD with momentum follows tf.train.momentum', () => {
    const target = tf.tensor1d(seededValues(16, 4));
    const before = tf.memory().numTensors;
    const ours = trainOurs({ name: 'sgd', momentum: 0.9 }, 0.05, initial, target);
    expect(tf.memory().numTensors).toBe(before);
    const theirs = trainReference(tf.train.momentum(0.05, 0.9), initial, target);
    expect(maxDifference(ours, theirs)).toBeLessThan(1e-6);
    expect(maxDifference(ours, initial)).toBeGreaterThan(1e-2);
    target.dispose();
  });

  it('Adam follows tf.train.adam', () => {
    const target = tf.tensor1d(seededValues(16, 8));
    const before = tf.memory().numTensors;
    const ours = trainOurs({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, 0.01, initial, target);
    expect(tf.memory().numTensors).toBe(before);
    const theirs = trainReference(tf.train.adam(0.01, 0.9, 0.999, 1e-7), initial, target);
    expect(maxDifference(ours, theirs)).toBeLessThan(1e-6);
    target.dispose();
  });

  it('restoring saved state continues exactly as without interruption', () => {
    const target = tf.tensor1d(seededValues(16, 2));
    const straight = trainOurs({ name: 'adam' }, 0.01, initial, target);
    // Three steps, save the state and the weight, then two more steps on a fresh optimizer.
    const weight = variableOf(initial);
    const first = new Optimizer({ name: 'adam' }, new Map([['w', weight]]));
    const stepOnce = (optimizer: Optimizer) => {
      const gradient = tf.tidy(() => tf.grad((w: tf.Tensor) => lossOf(w, target))(weight));
      optimizer.apply(new Map([['w', gradient]]), 0.01);
      gradient.dispose();
    };
    for (let step = 0; step < 3; step++) stepOnce(first);
    const saved = new Map([...first.state()].map(([name, slot]) => [name, tf.tensor(slot.dataSync(), slot.shape)]));
    const savedStep = first.step;
    first.dispose();
    const second = new Optimizer({ name: 'adam' }, new Map([['w', weight]]));
    second.restore(saved, savedStep);
    for (let step = 3; step < STEPS; step++) stepOnce(second);
    expect(Array.from(weight.dataSync())).toEqual(Array.from(straight));
    second.dispose();
    tf.dispose([weight, target, ...saved.values()]);
  });

  it('refuses an unknown optimizer with a diagnostic', () => {
    expect(() => new Optimizer({ name: 'rmsprop' as 'sgd' }, new Map())).toThrow(/unknown optimizer `rmsprop`/);
  });
});

describe('poly learning rate', () => {
  it('is base · (1 − step/total)^0.9', () => {
    expect(polyLearningRate(0.01, 0, 100)).toBe(0.01);
    expect(polyLearningRate(0.01, 50, 100)).toBeCloseTo(0.01 * 0.5 ** 0.9, 15);
    expect(polyLearningRate(0.01, 99, 100)).toBeCloseTo(0.01 * 0.01 ** 0.9, 15);
    expect(polyLearningRate(0.01, 100, 100)).toBe(0);
    expect(polyLearningRate(1, 25, 100, 2)).toBeCloseTo(0.5625, 15);
  });

  it('decreases monotonically, and the constant schedule does not', () => {
    const rates = Array.from({ length: 10 }, (_, step) => learningRateAt('poly', 0.1, step, 10));
    rates.slice(1).forEach((rate, index) => expect(rate).toBeLessThan(rates[index]!));
    expect(learningRateAt('constant', 0.1, 7, 10)).toBe(0.1);
  });
});
