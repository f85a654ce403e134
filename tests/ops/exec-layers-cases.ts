/**
 * The execution cases exec-layers.test.ts runs: each op against the tfjs-layers layer that
 * computes the same thing. registry-completeness.test.ts reads them to require an execution
 * case for every op.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Attrs, RunContext } from '../../src/ops/op.js';
import { type Layer, layerOutput } from './reference.js';

export interface LayerCase {
  readonly op: string;
  readonly attrs: Attrs;
  readonly shapes: number[][];
  readonly layer: () => Layer;
  /** Weights by role, with their shapes, in the order the layer's setWeights wants them. */
  readonly weights?: [string, number[]][];
  /** Adjusts the reference output (e.g. gap with `keep`). */
  readonly reshape?: number[];
  readonly context?: Partial<RunContext>;
}

/** Every case exec-layers.test.ts runs, on every test backend. */
export const LAYER_CASES: LayerCase[] = [
  { op: 'relu', attrs: {}, shapes: [[2, 9, 9, 3]], layer: () => tfl.layers.reLU() },
  { op: 'relu6', attrs: {}, shapes: [[1, 9, 9, 3]], layer: () => tfl.layers.reLU({ maxValue: 6 }) },
  { op: 'leakyRelu', attrs: {}, shapes: [[1, 9, 9, 3]], layer: () => tfl.layers.leakyReLU({ alpha: 0.01 }) },
  { op: 'leakyRelu', attrs: { alpha: 0.2 }, shapes: [[3, 5]], layer: () => tfl.layers.leakyReLU({ alpha: 0.2 }) },
  { op: 'sigmoid', attrs: {}, shapes: [[1, 9, 9, 3]], layer: () => tfl.layers.activation({ activation: 'sigmoid' }) },
  { op: 'tanh', attrs: {}, shapes: [[1, 9, 9, 3]], layer: () => tfl.layers.activation({ activation: 'tanh' }) },
  // Rank 2, where tfjs-layers' PReLU holds one slope per channel, [C], as segc does (rank 4 is checked
  // against tfjs-converter's Prelu by the graph-model import tests).
  { op: 'prelu', attrs: {}, shapes: [[6, 5]], layer: () => tfl.layers.prelu(), weights: [['alpha', [5]]] },
  { op: 'softmax', attrs: {}, shapes: [[4, 10]], layer: () => tfl.layers.softmax() },
  { op: 'softmax', attrs: { axis: 1 }, shapes: [[2, 6, 5, 3]], layer: () => softmaxByTransposing(1) },
  {
    op: 'bn',
    attrs: { epsilon: 1e-3 },
    shapes: [[2, 9, 9, 4]],
    layer: () => tfl.layers.batchNormalization({ epsilon: 1e-3 }),
    weights: [
      ['gamma', [4]],
      ['beta', [4]],
      ['movingMean', [4]],
      ['movingVariance', [4]],
    ],
  },
  {
    op: 'bn',
    attrs: {},
    shapes: [[5, 6]],
    layer: () => tfl.layers.batchNormalization({ epsilon: 1e-5 }),
    weights: [
      ['gamma', [6]],
      ['beta', [6]],
      ['movingMean', [6]],
      ['movingVariance', [6]],
    ],
  },
  { op: 'maxpool', attrs: {}, shapes: [[2, 10, 9, 3]], layer: () => tfl.layers.maxPooling2d({ poolSize: 2 }) },
  {
    op: 'maxpool',
    attrs: { size: [3, 3], stride: [2, 2], padding: 'same' },
    shapes: [[1, 11, 12, 3]],
    layer: () => tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
  },
  {
    op: 'avgpool',
    attrs: { size: [3, 2], stride: [1, 2] },
    shapes: [[1, 9, 9, 2]],
    layer: () => tfl.layers.averagePooling2d({ poolSize: [3, 2], strides: [1, 2] }),
  },
  {
    op: 'avgpool',
    attrs: { size: [3, 3], stride: [2, 2], padding: 'same' },
    shapes: [[1, 12, 11, 2]],
    layer: () => tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
  },
  {
    op: 'avgpool',
    attrs: { size: [3, 3], stride: [2, 2], padding: 'same' },
    shapes: [[2, 12, 11, 2]],
    layer: () => tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    context: { needsGradient: true },
  },
  { op: 'gap', attrs: {}, shapes: [[2, 9, 7, 5]], layer: () => tfl.layers.globalAveragePooling2d({}) },
  {
    op: 'gap',
    attrs: { keep: true },
    shapes: [[2, 9, 7, 5]],
    layer: () => tfl.layers.globalAveragePooling2d({}),
    reshape: [2, 1, 1, 5],
  },
  { op: 'gmp', attrs: {}, shapes: [[2, 9, 7, 5]], layer: () => tfl.layers.globalMaxPooling2d({}) },
  {
    op: 'upsample',
    attrs: { factor: [2, 3] },
    shapes: [[1, 5, 4, 3]],
    layer: () => tfl.layers.upSampling2d({ size: [2, 3] }),
  },
  {
    op: 'upsample',
    attrs: { factor: [2, 2], halfPixel: false },
    shapes: [[1, 5, 4, 3]],
    layer: () => tfl.layers.upSampling2d({ size: [2, 2] }),
  },
  {
    op: 'upsample',
    attrs: { factor: [2, 2], mode: 'bilinear', halfPixel: false },
    shapes: [[2, 5, 6, 2]],
    layer: () => tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
  },
  {
    op: 'upsample',
    attrs: { factor: [3, 2], mode: 'bilinear', halfPixel: false },
    shapes: [[2, 5, 6, 2]],
    layer: () => tfl.layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear' }),
    context: { needsGradient: true },
  },
  {
    op: 'concat',
    attrs: {},
    shapes: [
      [1, 9, 9, 3],
      [1, 9, 9, 5],
    ],
    layer: () => tfl.layers.concatenate(),
  },
  {
    op: 'concat',
    attrs: { axis: 1 },
    shapes: [
      [1, 4, 9, 3],
      [1, 6, 9, 3],
      [1, 1, 9, 3],
    ],
    layer: () => tfl.layers.concatenate({ axis: 1 }),
  },
  {
    op: 'add',
    attrs: {},
    shapes: [
      [1, 9, 9, 3],
      [1, 9, 9, 3],
      [1, 9, 9, 3],
    ],
    layer: () => tfl.layers.add(),
  },
  {
    op: 'mul',
    attrs: {},
    shapes: [
      [2, 9, 9, 4],
      [2, 9, 9, 4],
    ],
    layer: () => tfl.layers.multiply(),
  },
  {
    op: 'max',
    attrs: {},
    shapes: [
      [2, 9, 9, 4],
      [2, 9, 9, 4],
    ],
    layer: () => tfl.layers.maximum(),
  },
  { op: 'flatten', attrs: {}, shapes: [[2, 3, 4, 5]], layer: () => tfl.layers.flatten() },
  {
    op: 'reshape',
    attrs: { shape: [-1, 5] },
    shapes: [[2, 3, 4, 5]],
    layer: () => tfl.layers.reshape({ targetShape: [12, 5] }),
  },
  {
    op: 'pad',
    attrs: { amount: [1, 2, 3, 0] },
    shapes: [[1, 9, 9, 2]],
    layer: () =>
      tfl.layers.zeroPadding2d({
        padding: [
          [1, 2],
          [3, 0],
        ],
      }),
  },
  {
    op: 'crop',
    attrs: { amount: [1, 2] },
    shapes: [[1, 9, 10, 2]],
    layer: () =>
      tfl.layers.cropping2D({
        cropping: [
          [1, 1],
          [2, 2],
        ],
      }),
  },
  {
    op: 'crop',
    attrs: { amount: [0, 2, 3, 1] },
    shapes: [[1, 9, 10, 2]],
    layer: () =>
      tfl.layers.cropping2D({
        cropping: [
          [0, 2],
          [3, 1],
        ],
      }),
  },
];

/** tfjs-layers' Softmax only takes the last axis: move the axis there, apply it, move it back. */
function softmaxByTransposing(axis: number): Layer {
  const order = [0, 2, 3, axis];
  const back = [0, 3, 1, 2];
  return {
    apply: (x) =>
      tf.tidy(() =>
        tf.transpose(layerOutput(tfl.layers.softmax({ axis: 3 }), tf.transpose(x as tf.Tensor, order)), back),
      ),
    setWeights: () => undefined,
    dispose: () => undefined,
  };
}
