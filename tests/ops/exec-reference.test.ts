/**
 * Ops and modes without a tfjs-layers counterpart, against plain-loop references written
 * from their definitions; training-mode semantics (batch norm statistics, dropout, erase with
 * labels). Every backend available, leaks checked.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Attrs, OpDef } from '../../src/ops/op.js';
import { findOp } from '../../src/ops/registry.js';
import { testBackends, toleranceFor, useBackend } from './backends.js';
import { errorBetween, randomTensor, runContext, withoutLeaks } from './helpers.js';
import {
  type PlainTensor,
  type Sampling,
  plain,
  plainArgmaxChannels,
  plainBilinear,
  plainChannels,
  plainCrop,
  plainErase,
  plainHardSwish,
  plainMaxPool,
  plainNearest,
  plainPad,
} from './plain.js';
import { compareWithReference, errorSummary, executeChecked, layerOutput, recordError } from './reference.js';

const op = (name: string): OpDef => findOp(name)!;

interface PlainCase {
  readonly name: string;
  readonly op: string;
  readonly attrs: Attrs;
  readonly shapes: number[][];
  readonly context?: Parameters<typeof runContext>[0];
  readonly reference: (inputs: PlainTensor[]) => PlainTensor | tf.Tensor;
}

function resizeCase(
  mode: 'nearest' | 'bilinear',
  sampling: Sampling,
  shapes: number[][],
  attrs: Attrs,
  size: [number, number],
  needsGradient = false,
): PlainCase {
  const flags = { alignCorners: sampling === 'alignCorners', halfPixel: sampling === 'halfPixel' };
  const resize = mode === 'bilinear' ? plainBilinear : plainNearest;
  const name = `${mode} ${sampling} → ${size}${needsGradient ? ' (differentiable form)' : ''}`;
  return {
    name,
    op: 'upsample',
    attrs: { mode, ...flags, ...attrs },
    shapes,
    context: { needsGradient },
    reference: ([x]) => resize(x!, ...size, sampling),
  };
}

/** Feature maps and class maps whose classes have distinct mean activations. */
const CASES: PlainCase[] = [
  resizeCase('bilinear', 'halfPixel', [[2, 5, 6, 3]], { factor: [2, 2] }, [10, 12]),
  resizeCase('bilinear', 'halfPixel', [[1, 5, 6, 2]], { size: [7, 13] }, [7, 13]),
  resizeCase('bilinear', 'alignCorners', [[1, 5, 6, 2]], { factor: [3, 2] }, [15, 12]),
  resizeCase('bilinear', 'legacy', [[1, 6, 6, 2]], { size: [9, 4] }, [9, 4]),
  resizeCase(
    'bilinear',
    'halfPixel',
    [
      [1, 4, 5, 2],
      [1, 9, 11, 1],
    ],
    {},
    [9, 11],
  ),
  resizeCase('nearest', 'halfPixel', [[1, 5, 6, 2]], { size: [7, 13] }, [7, 13]),
  resizeCase('nearest', 'legacy', [[1, 5, 6, 2]], { size: [7, 13] }, [7, 13]),
  resizeCase('nearest', 'alignCorners', [[1, 5, 6, 2]], { size: [9, 11] }, [9, 11]),
  resizeCase('bilinear', 'halfPixel', [[1, 5, 6, 2]], { size: [7, 13] }, [7, 13], true),
  resizeCase('bilinear', 'alignCorners', [[2, 5, 6, 2]], { factor: [3, 2] }, [15, 12], true),
  resizeCase('bilinear', 'legacy', [[1, 6, 6, 2]], { size: [9, 4] }, [9, 4], true),
  resizeCase(
    'nearest',
    'halfPixel',
    [
      [1, 5, 6, 2],
      [1, 7, 13, 1],
    ],
    {},
    [7, 13],
    true,
  ),
  resizeCase('nearest', 'legacy', [[1, 5, 6, 2]], { size: [7, 13] }, [7, 13], true),
  resizeCase('nearest', 'alignCorners', [[1, 5, 6, 2]], { size: [9, 11] }, [9, 11], true),
  {
    name: 'maxpool with explicit padding',
    op: 'maxpool',
    attrs: { size: [3, 3], stride: [2, 2], pad: [1, 1] },
    shapes: [[1, 11, 12, 3]],
    reference: ([x]) => plainMaxPool(x!, [3, 3], [2, 2], [1, 1]),
  },
  {
    name: 'maxpool 2x1 windows',
    op: 'maxpool',
    attrs: { size: [2, 1], pad: [1, 0] },
    shapes: [[1, 9, 9, 2]],
    reference: ([x]) => plainMaxPool(x!, [2, 1], [2, 1], [1, 0]),
  },
  {
    name: 'avgpool with explicit padding counts the zeros',
    op: 'avgpool',
    attrs: { size: [3, 3], stride: [2, 2], pad: [1, 1] },
    shapes: [[1, 11, 12, 3]],
    reference: ([x]) => plainAveragePadded(x!),
  },
  {
    name: 'mul broadcasting [N,1,1,C]',
    op: 'mul',
    attrs: {},
    shapes: [
      [2, 1, 1, 4],
      [2, 5, 6, 4],
    ],
    reference: ([a, b]) => broadcastProduct(b!, a!),
  },
  {
    name: 'pad constant 0.5',
    op: 'pad',
    attrs: { amount: [2, 1], value: 0.5 },
    shapes: [[1, 9, 9, 2]],
    reference: ([x]) => plainPad(x!, [2, 2, 1, 1], 'constant', 0.5),
  },
  {
    name: 'pad reflect',
    op: 'pad',
    attrs: { amount: [2, 1, 3, 0], mode: 'reflect' },
    shapes: [[1, 9, 9, 2]],
    reference: ([x]) => plainPad(x!, [2, 1, 3, 0], 'reflect', 0),
  },
  {
    name: 'pad symmetric',
    op: 'pad',
    attrs: { amount: [3], mode: 'symmetric' },
    shapes: [[1, 9, 9, 2]],
    reference: ([x]) => plainPad(x!, [3, 3, 3, 3], 'symmetric', 0),
  },
  {
    name: 'crop like, odd difference',
    op: 'crop',
    attrs: {},
    shapes: [
      [1, 12, 13, 2],
      [1, 7, 10, 5],
    ],
    reference: ([x]) => plainCrop(x!, 2, 1, 7, 10),
  },
  {
    name: 'channels [1, -1)',
    op: 'channels',
    attrs: { start: 1, end: -1 },
    shapes: [[1, 9, 9, 5]],
    reference: ([x]) => plainChannels(x!, 1, 4),
  },
  {
    name: 'channels [-2, 5)',
    op: 'channels',
    attrs: { start: -2, end: 5 },
    shapes: [[2, 9, 9, 5]],
    reference: ([x]) => plainChannels(x!, 3, 5),
  },
  {
    name: 'hardSwish',
    op: 'hardSwish',
    attrs: {},
    shapes: [[1, 9, 9, 3]],
    reference: ([x]) => plainHardSwish(scaled(x!, 5)),
  },
  {
    name: 'erase, predicted class',
    op: 'erase',
    attrs: { threshold: 0.6 },
    shapes: [
      [2, 9, 9, 3],
      [2, 9, 9, 4],
    ],
    reference: ([x, by]) => nonTrivial(plainErase(x!, by!, 0.6)),
  },
  {
    name: 'erase, threshold 0.3',
    op: 'erase',
    attrs: { threshold: 0.3 },
    shapes: [
      [2, 9, 11, 3],
      [2, 9, 11, 4],
    ],
    reference: ([x, by]) => nonTrivial(plainErase(x!, by!, 0.3)),
  },
  {
    name: 'erase, target classes while training',
    op: 'erase',
    attrs: {},
    shapes: [
      [2, 9, 9, 3],
      [2, 9, 9, 4],
    ],
    context: { training: true },
    reference: ([x, by]) => nonTrivial(plainErase(x!, by!, 0.6, [3, 1])),
  },
];

/** Guards the erase cases against a mask that keeps or erases everything. */
function nonTrivial(erased: PlainTensor): PlainTensor {
  const zeros = erased.values.filter((v) => v === 0).length;
  expect(zeros).toBeGreaterThan(0);
  expect(zeros).toBeLessThan(erased.values.length);
  return erased;
}

function scaled(x: PlainTensor, factor: number): PlainTensor {
  return { shape: x.shape, values: x.values.map((v) => v * factor) };
}

function plainAveragePadded(x: PlainTensor): tf.Tensor {
  return tf.tidy(() => {
    const padded = layerOutput(
      tfl.layers.zeroPadding2d({
        padding: [
          [1, 1],
          [1, 1],
        ],
      }),
      tf.tensor(x.values, x.shape),
    );
    return layerOutput(tfl.layers.averagePooling2d({ poolSize: 3, strides: 2 }), padded);
  });
}

function broadcastProduct(map: PlainTensor, weights: PlainTensor): PlainTensor {
  const channels = map.shape[3]!;
  const perImage = map.shape[1]! * map.shape[2]! * channels;
  return {
    shape: map.shape,
    values: map.values.map((v, i) => v * weights.values[Math.floor(i / perImage) * channels + (i % channels)]!),
  };
}

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

    test.each(CASES)('$name', async (c) => {
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
