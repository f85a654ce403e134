/**
 * Ops and modes without a tfjs-layers counterpart, against plain-loop references written
 * from their definitions; training-mode semantics (batch norm statistics, dropout, erase with
 * labels). Every backend available, leaks checked.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { OpDef } from '../../src/ops/op.js';
import { findOp } from '../../src/ops/registry.js';
import { testBackends, toleranceFor, useBackend } from './backends.js';
import { errorBetween, randomTensor, runContext, withoutLeaks } from './helpers.js';
import { PLAIN_CASES, type PlainCase, scaled } from './exec-reference-cases.js';
import { plain, plainArgmaxChannels } from './plain.js';
import { compareWithReference, errorSummary, executeChecked, layerOutput, recordError } from './reference.js';

const op = (name: string): OpDef => findOp(name)!;

function inputsFor(c: PlainCase): tf.Tensor[] {
  return c.shapes.map((shape, index) =>
    c.op === 'hardSwish' ? randomTensor(shape, 60 + index, 5) : randomTensor(shape, 60 + index),
  );
}

afterAll(() => console.log(`worst errors against plain references:\n${errorSummary()}`));

for (const backend of testBackends()) {
  describe(`plain references on ${backend}`, () => {
    const tolerance = toleranceFor(backend);
    beforeAll(() => useBackend(backend));

    test.each(PLAIN_CASES)('$name', async (c) => {
      const targets = c.context?.training ? tf.tensor1d([3, 1], 'int32') : undefined;
      await compareWithReference(
        c.name,
        op(c.op),
        () => ({
          inputs: inputsFor(c),
          attrs: c.attrs,
          context: { ...c.context, ...(targets ? { targetClasses: targets } : {}) },
        }),
        async (run) => {
          const values = await Promise.all(run.inputs.map((t) => plain(t)));
          return c.reference(c.op === 'hardSwish' ? values.map((v) => scaled(v, 1 / 5)) : values);
        },
        tolerance,
      );
      targets?.dispose();
    });

    test('erase with a flat class map erases nothing', async () => {
      await withoutLeaks(async () => {
        const x = randomTensor([1, 5, 5, 2], 70);
        const by = tf.fill([1, 5, 5, 3], 0.25);
        const y = executeChecked(op('erase'), { inputs: [x, by], attrs: {} });
        expect(errorBetween(await y.data(), await x.data()).abs).toBe(0);
        tf.dispose([x, by, y]);
      });
    });

    test('argmax over channels gives i32 class indices, first maximum on ties', async () => {
      await withoutLeaks(async () => {
        const x = tf.tidy(() => tf.round(tf.mul(randomTensor([2, 9, 9, 5], 71), 2)));
        const y = executeChecked(op('argmax'), { inputs: [x], attrs: {} });
        const expected = plainArgmaxChannels(await plain(x));
        expect(y.dtype).toBe('int32');
        expect(y.shape).toEqual(expected.shape);
        expect(Array.from(await y.data())).toEqual(Array.from(expected.values));
        tf.dispose([x, y]);
      });
    });

    test('dropout: identity at inference; in training zeros or x / (1 - rate), reproducible from the seed', async () => {
      await withoutLeaks(async () => {
        const x = tf.tidy(() => tf.add(tf.abs(randomTensor([4, 16, 16, 8], 72)), 0.1));
        const attrs = { rate: 0.3 };
        const inference = executeChecked(op('dropout'), { inputs: [x], attrs });
        expect(errorBetween(await inference.data(), await x.data()).abs).toBe(0);
        const first = executeChecked(op('dropout'), { inputs: [x], attrs, context: { training: true, seed: 7 } });
        const again = executeChecked(op('dropout'), { inputs: [x], attrs, context: { training: true, seed: 7 } });
        const other = executeChecked(op('dropout'), { inputs: [x], attrs, context: { training: true, seed: 8 } });
        const [values, input] = [await first.data(), await x.data()];
        const kept = values.filter((v) => v !== 0).length / values.length;
        expect(Math.abs(kept - 0.7)).toBeLessThan(0.03);
        values.forEach((v, i) => v !== 0 && expect(Math.abs(v - input[i]! / 0.7)).toBeLessThan(1e-5));
        expect(errorBetween(await again.data(), values).abs).toBe(0);
        expect(errorBetween(await other.data(), values).abs).toBeGreaterThan(0);
        tf.dispose([x, inference, first, again, other]);
      });
    });

    test('bn in training normalises with batch statistics and reports the moving update', async () => {
      await withoutLeaks(async () => {
        const x = tf.tidy(() => tf.add(randomTensor([3, 5, 4, 2], 73, 2), 0.7));
        const weights = {
          gamma: randomTensor([2], 74),
          beta: randomTensor([2], 75),
          movingMean: randomTensor([2], 76),
          movingVariance: tf.tensor1d([0.5, 2]),
        };
        const updates = new Map<string, tf.Tensor>();
        const before = tf.memory().numTensors;
        const context = runContext({ training: true, updateState: (role, value) => void updates.set(role, value) });
        const y = op('bn').execute({ tf, inputs: [x], weights, attrs: { momentum: 0.8, epsilon: 1e-3 }, context });
        // The output and the two moving statistics handed over, nothing else.
        expect(tf.memory().numTensors - before).toBe(3);
        expect([...updates.keys()]).toEqual(['movingMean', 'movingVariance']);
        const layerWeights = [weights.gamma, weights.beta, weights.movingMean, weights.movingVariance];
        const expected = tf.tidy(() =>
          layerOutput(tfl.layers.batchNormalization({ epsilon: 1e-3 }), x, layerWeights, true),
        );
        const error = errorBetween(await y.data(), await expected.data());
        recordError(`bn training on ${tf.getBackend()}`, error);
        expect(error.abs).toBeLessThanOrEqual(tolerance * 10);
        const statistics = await batchStatistics(x);
        const [oldMean, oldVariance] = [await weights.movingMean.data(), await weights.movingVariance.data()];
        const mean = await updates.get('movingMean')!.data();
        const variance = await updates.get('movingVariance')!.data();
        for (let c = 0; c < 2; c++) {
          expect(mean[c]).toBeCloseTo(oldMean[c]! * 0.8 + statistics.mean[c]! * 0.2, 5);
          expect(variance[c]).toBeCloseTo(oldVariance[c]! * 0.8 + statistics.unbiasedVariance[c]! * 0.2, 5);
        }
        tf.dispose([x, y, expected, ...Object.values(weights), ...updates.values()]);
      });
    });
  });
}

/** Per-channel mean and unbiased variance by loops. */
async function batchStatistics(x: tf.Tensor): Promise<{ mean: number[]; unbiasedVariance: number[] }> {
  const values = Array.from(await x.data());
  const channels = x.shape[x.rank - 1]!;
  const count = values.length / channels;
  const mean = Array.from(
    { length: channels },
    (_, c) => values.filter((_, i) => i % channels === c).reduce((s, v) => s + v, 0) / count,
  );
  const unbiasedVariance = mean.map(
    (m, c) => values.filter((_, i) => i % channels === c).reduce((s, v) => s + (v - m) ** 2, 0) / (count - 1),
  );
  return { mean, unbiasedVariance };
}
