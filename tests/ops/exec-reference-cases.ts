/**
 * The execution cases exec-reference.test.ts runs: each op against a plain reference (loops
 * over arrays, in plain.ts) or a composition of tfjs-layers layers. registry-completeness.test.ts
 * reads them to require an execution case for every op.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import type { Attrs } from '../../src/ops/op.js';
import type { runContext } from './helpers.js';
import {
  type PlainTensor,
  type Sampling,
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
import { layerOutput } from './reference.js';

export interface PlainCase {
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

/** Every case exec-reference.test.ts runs, on every test backend. */
export const PLAIN_CASES: PlainCase[] = [
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
    name: 'hardSigmoid, clipped on both sides',
    op: 'hardSigmoid',
    attrs: { alpha: 1.2, beta: 0.5 },
    shapes: [[1, 9, 9, 3]],
    reference: ([x]) => plainHardSigmoid(x!, 1.2, 0.5),
  },
  {
    name: 'hardSigmoid, a negative slope',
    op: 'hardSigmoid',
    attrs: { alpha: -0.7, beta: 0.3 },
    shapes: [[2, 5, 5, 2]],
    reference: ([x]) => plainHardSigmoid(x!, -0.7, 0.3),
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
  {
    name: 'argmax over channels',
    op: 'argmax',
    attrs: {},
    shapes: [[2, 9, 9, 5]],
    reference: ([x]) => {
      const { shape, values } = plainArgmaxChannels(x!);
      return { shape, values: Float32Array.from(values) };
    },
  },
  {
    name: 'dropout at inference is the identity',
    op: 'dropout',
    attrs: { rate: 0.3 },
    shapes: [[2, 6, 7, 3]],
    reference: ([x]) => x!,
  },
];

/** Guards the erase cases against a mask that keeps or erases everything. */
function nonTrivial(erased: PlainTensor): PlainTensor {
  const zeros = erased.values.filter((v) => v === 0).length;
  expect(zeros).toBeGreaterThan(0);
  expect(zeros).toBeLessThan(erased.values.length);
  return erased;
}

/** ONNX's HardSigmoid, max(0, min(1, αx + β)), in float32 steps. */
function plainHardSigmoid(x: PlainTensor, alpha: number, beta: number): PlainTensor {
  const f = Math.fround;
  return { shape: x.shape, values: x.values.map((v) => Math.max(0, Math.min(1, f(f(f(alpha) * v) + f(beta))))) };
}

export function scaled(x: PlainTensor, factor: number): PlainTensor {
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
