/**
 * Gradients of every differentiable op against central finite differences on the cpu backend
 * (float32: small inputs, ε = 1e-2, tolerance 1e-2 relative to max(1, |numeric|)). The loss is
 * sum(op(...) · r) with a fixed random r, so every output element matters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { findOp } from '../../src/ops/registry.js';
import { useBackend } from './backends.js';
import { CASES, type GradientCase } from './gradient-cases.js';
import { gradientError, randomTensor, runContext, withoutLeaks } from './helpers.js';

const TOLERANCE = 1e-2;

function makeWeights(specs: [string, number[]][] = []): Record<string, tf.Tensor> {
  return Object.fromEntries(
    specs.map(([role, shape], index) => [
      role,
      role === 'movingVariance'
        ? tf.tidy(() => tf.add(tf.abs(randomTensor(shape, 90 + index)), 0.5))
        : randomTensor(shape, 90 + index, 0.7),
    ]),
  );
}

/** The loss as a function of the differentiated tensor, everything else held fixed. */
function lossFor(c: GradientCase, inputs: tf.Tensor[], weights: Record<string, tf.Tensor>, probe: tf.Tensor) {
  const op = findOp(c.op)!;
  const context = runContext({ needsGradient: true, ...c.context });
  return (value: tf.Tensor): tf.Scalar => {
    const run =
      typeof c.wrt === 'number'
        ? { inputs: inputs.map((input, index) => (index === c.wrt ? value : input)), weights }
        : { inputs, weights: { ...weights, [c.wrt]: value } };
    return tf.sum(tf.mul(op.execute({ tf, ...run, attrs: c.attrs, context }), probe));
  };
}

describe('gradients against finite differences (cpu)', () => {
  beforeAll(() => useBackend('cpu'));

  test.each(CASES)('$name', async (c) => {
    await withoutLeaks(() => {
      const inputs = c.shapes.map((shape, index) => randomTensor(shape, 80 + index));
      const weights = makeWeights(c.weights);
      const op = findOp(c.op)!;
      const context = runContext({ needsGradient: true, ...c.context });
      const probe = tf.tidy(() => randomTensor(op.execute({ tf, inputs, weights, attrs: c.attrs, context }).shape, 99));
      const target = typeof c.wrt === 'number' ? inputs[c.wrt]! : weights[c.wrt]!;
      const error = gradientError(lossFor(c, inputs, weights, probe), target, c.epsilon ?? 1e-2);
      expect(error).toBeLessThanOrEqual(TOLERANCE);
      tf.dispose([...inputs, ...Object.values(weights), probe]);
    });
  });

  test('erase passes no gradient to the class map', async () => {
    await withoutLeaks(() => {
      const [x, by] = [randomTensor([2, 4, 4, 3], 85), randomTensor([2, 4, 4, 5], 86)];
      const erase = findOp('erase')!;
      const gradient = tf.grad((map: tf.Tensor) =>
        tf.sum(
          erase.execute({ tf, inputs: [x, map], weights: {}, attrs: {}, context: runContext({ needsGradient: true }) }),
        ),
      )(by);
      const values = Array.from(gradient.dataSync());
      expect(values.every((v) => v === 0)).toBe(true);
      tf.dispose([x, by, gradient]);
    });
  });

  test('erase gradient to x is the keep mask', async () => {
    await withoutLeaks(() => {
      const [x, by] = [randomTensor([1, 4, 4, 2], 87), randomTensor([1, 4, 4, 3], 88)];
      const erase = findOp('erase')!;
      const run = (value: tf.Tensor) =>
        erase.execute({
          tf,
          inputs: [value, by],
          weights: {},
          attrs: { threshold: 0.5 },
          context: runContext({ needsGradient: true }),
        });
      const gradient = tf.grad((value: tf.Tensor) => tf.sum(run(value)))(x);
      const kept = tf.tidy(() => tf.cast(tf.notEqual(run(tf.onesLike(x)), 0), 'float32'));
      const [g, k] = [Array.from(gradient.dataSync()), Array.from(kept.dataSync())];
      expect(g).toEqual(k);
      expect(k.some((v) => v === 0) && k.some((v) => v === 1)).toBe(true);
      tf.dispose([x, by, gradient, kept]);
    });
  });
});
