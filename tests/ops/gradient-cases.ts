/**
 * The gradient cases of every differentiable op, checked against finite differences by
 * gradients.test.ts; registry-completeness.test.ts requires one for every op that does not
 * declare itself non-differentiable.
 */
import type { Attrs, RunContext } from '../../src/ops/op.js';

export interface GradientCase {
  readonly name: string;
  readonly op: string;
  readonly attrs: Attrs;
  readonly shapes: number[][];
  readonly weights?: [string, number[]][];
  /** `0`, `1`: an input by position; otherwise a weight role. */
  readonly wrt: number | string;
  readonly context?: Partial<RunContext>;
  readonly epsilon?: number;
}

const conv3: [string, number[]][] = [
  ['kernel', [3, 3, 2, 3]],
  ['bias', [3]],
];

export const CASES: GradientCase[] = [
  {
    name: 'conv x, stride 2, relu',
    op: 'conv',
    attrs: { filters: 3, stride: [2, 2], activation: 'relu' },
    shapes: [[1, 7, 7, 2]],
    weights: conv3,
    wrt: 0,
  },
  {
    name: 'conv kernel, explicit pad',
    op: 'conv',
    attrs: { filters: 3, pad: [1, 1] },
    shapes: [[1, 6, 6, 2]],
    weights: conv3,
    wrt: 'kernel',
  },
  {
    name: 'conv x, dilation 2 (atrous)',
    op: 'conv',
    attrs: { filters: 3, dilation: [2, 2] },
    shapes: [[1, 9, 9, 2]],
    weights: conv3,
    wrt: 0,
  },
  {
    name: 'conv kernel, dilation 2 (atrous), valid',
    op: 'conv',
    attrs: { filters: 3, dilation: [2, 2], padding: 'valid', activation: 'tanh' },
    shapes: [[1, 9, 8, 2]],
    weights: conv3,
    wrt: 'kernel',
  },
  {
    name: 'conv bias, sigmoid (unfused)',
    op: 'conv',
    attrs: { filters: 3, activation: 'sigmoid' },
    shapes: [[1, 5, 5, 2]],
    weights: conv3,
    wrt: 'bias',
  },
  {
    name: 'dwconv x, dilation 2',
    op: 'dwconv',
    attrs: { dilation: [2, 2], multiplier: 2 },
    shapes: [[1, 9, 9, 2]],
    weights: [
      ['depthwiseKernel', [3, 3, 2, 2]],
      ['bias', [4]],
    ],
    wrt: 0,
  },
  {
    name: 'dwconv kernel, dilation [2, 3]',
    op: 'dwconv',
    attrs: { dilation: [2, 3], activation: 'relu6' },
    shapes: [[1, 9, 10, 2]],
    weights: [
      ['depthwiseKernel', [3, 3, 2, 1]],
      ['bias', [2]],
    ],
    wrt: 'depthwiseKernel',
  },
  {
    name: 'sepconv x, dilation 2',
    op: 'sepconv',
    attrs: { filters: 3, dilation: [2, 2] },
    shapes: [[1, 8, 8, 2]],
    weights: [
      ['depthwiseKernel', [3, 3, 2, 1]],
      ['pointwiseKernel', [1, 1, 2, 3]],
      ['bias', [3]],
    ],
    wrt: 0,
  },
  {
    name: 'sepconv pointwise, stride 2',
    op: 'sepconv',
    attrs: { filters: 3, stride: [2, 2], activation: 'leakyRelu' },
    shapes: [[1, 8, 8, 2]],
    weights: [
      ['depthwiseKernel', [3, 3, 2, 1]],
      ['pointwiseKernel', [1, 1, 2, 3]],
      ['bias', [3]],
    ],
    wrt: 'pointwiseKernel',
  },
  {
    name: 'convTranspose x',
    op: 'convTranspose',
    attrs: { filters: 2, kernel: [3, 3], padding: 'valid' },
    shapes: [[1, 4, 4, 3]],
    weights: [
      ['kernel', [3, 3, 2, 3]],
      ['bias', [2]],
    ],
    wrt: 0,
  },
  {
    name: 'convTranspose kernel',
    op: 'convTranspose',
    attrs: { filters: 2 },
    shapes: [[1, 4, 4, 3]],
    weights: [
      ['kernel', [2, 2, 2, 3]],
      ['bias', [2]],
    ],
    wrt: 'kernel',
  },
  {
    name: 'dense x, sigmoid',
    op: 'dense',
    attrs: { units: 4, activation: 'sigmoid' },
    shapes: [[3, 5]],
    weights: [
      ['kernel', [5, 4]],
      ['bias', [4]],
    ],
    wrt: 0,
  },
  {
    name: 'dense kernel, relu',
    op: 'dense',
    attrs: { units: 4, activation: 'relu' },
    shapes: [[3, 5]],
    weights: [
      ['kernel', [5, 4]],
      ['bias', [4]],
    ],
    wrt: 'kernel',
  },
  {
    name: 'bn x, training',
    op: 'bn',
    attrs: {},
    shapes: [[2, 3, 3, 2]],
    weights: bnWeights(2),
    wrt: 0,
    context: { training: true },
  },
  {
    name: 'bn gamma, training',
    op: 'bn',
    attrs: {},
    shapes: [[2, 3, 3, 2]],
    weights: bnWeights(2),
    wrt: 'gamma',
    context: { training: true },
  },
  { name: 'bn x, inference', op: 'bn', attrs: {}, shapes: [[2, 3, 3, 2]], weights: bnWeights(2), wrt: 0 },
  { name: 'relu', op: 'relu', attrs: {}, shapes: [[2, 4, 4, 2]], wrt: 0 },
  { name: 'relu6', op: 'relu6', attrs: {}, shapes: [[2, 4, 4, 2]], wrt: 0 },
  { name: 'leakyRelu', op: 'leakyRelu', attrs: {}, shapes: [[2, 4, 4, 2]], wrt: 0 },
  { name: 'sigmoid', op: 'sigmoid', attrs: {}, shapes: [[2, 4, 4, 2]], wrt: 0 },
  { name: 'tanh', op: 'tanh', attrs: {}, shapes: [[2, 4, 4, 2]], wrt: 0 },
  { name: 'softmax last axis', op: 'softmax', attrs: {}, shapes: [[3, 5]], wrt: 0 },
  { name: 'softmax axis 1', op: 'softmax', attrs: { axis: 1 }, shapes: [[1, 4, 3, 2]], wrt: 0 },
  { name: 'hardSwish', op: 'hardSwish', attrs: {}, shapes: [[2, 4, 4, 2]], wrt: 0 },
  { name: 'prelu x', op: 'prelu', attrs: {}, shapes: [[2, 4, 4, 3]], weights: [['alpha', [3]]], wrt: 0 },
  { name: 'prelu alpha', op: 'prelu', attrs: {}, shapes: [[2, 4, 4, 3]], weights: [['alpha', [3]]], wrt: 'alpha' },
  { name: 'hardSigmoid', op: 'hardSigmoid', attrs: { alpha: 0.8, beta: 0.4 }, shapes: [[2, 4, 4, 2]], wrt: 0 },
  {
    name: 'maxpool explicit pad',
    op: 'maxpool',
    attrs: { size: [3, 3], stride: [2, 2], pad: [1, 1] },
    shapes: [[1, 6, 6, 2]],
    wrt: 0,
  },
  {
    name: 'avgpool same',
    op: 'avgpool',
    attrs: { size: [3, 3], stride: [2, 2], padding: 'same' },
    shapes: [[1, 6, 6, 2]],
    wrt: 0,
  },
  { name: 'avgpool explicit pad', op: 'avgpool', attrs: { size: [3, 3], pad: [1, 1] }, shapes: [[1, 6, 6, 2]], wrt: 0 },
  { name: 'gap', op: 'gap', attrs: { keep: true }, shapes: [[2, 4, 4, 3]], wrt: 0 },
  { name: 'gmp', op: 'gmp', attrs: {}, shapes: [[2, 4, 4, 3]], wrt: 0 },
  {
    name: 'upsample bilinear, half pixel',
    op: 'upsample',
    attrs: { factor: [2, 2], mode: 'bilinear' },
    shapes: [[1, 4, 5, 2]],
    wrt: 0,
  },
  {
    name: 'upsample bilinear, align corners',
    op: 'upsample',
    attrs: { size: [7, 6], mode: 'bilinear', alignCorners: true, halfPixel: false },
    shapes: [[1, 4, 5, 2]],
    wrt: 0,
  },
  {
    name: 'upsample nearest like',
    op: 'upsample',
    attrs: {},
    shapes: [
      [1, 3, 3, 2],
      [1, 6, 7, 1],
    ],
    wrt: 0,
  },
  {
    name: 'concat second input',
    op: 'concat',
    attrs: {},
    shapes: [
      [1, 3, 3, 2],
      [1, 3, 3, 3],
    ],
    wrt: 1,
  },
  {
    name: 'add',
    op: 'add',
    attrs: {},
    shapes: [
      [1, 3, 3, 2],
      [1, 3, 3, 2],
    ],
    wrt: 0,
  },
  {
    name: 'mul broadcast gate',
    op: 'mul',
    attrs: {},
    shapes: [
      [1, 1, 1, 3],
      [1, 4, 4, 3],
    ],
    wrt: 0,
  },
  {
    name: 'max',
    op: 'max',
    attrs: {},
    shapes: [
      [1, 4, 4, 3],
      [1, 4, 4, 3],
    ],
    wrt: 1,
  },
  {
    name: 'dropout, training',
    op: 'dropout',
    attrs: { rate: 0.4 },
    shapes: [[1, 4, 4, 3]],
    wrt: 0,
    context: { training: true, seed: 3 },
  },
  { name: 'flatten', op: 'flatten', attrs: {}, shapes: [[2, 3, 3, 2]], wrt: 0 },
  { name: 'reshape', op: 'reshape', attrs: { shape: [-1, 2] }, shapes: [[2, 3, 3, 2]], wrt: 0 },
  { name: 'pad reflect', op: 'pad', attrs: { amount: [1, 2], mode: 'reflect' }, shapes: [[1, 4, 4, 2]], wrt: 0 },
  { name: 'pad constant', op: 'pad', attrs: { amount: [1], value: 2 }, shapes: [[1, 3, 3, 2]], wrt: 0 },
  {
    name: 'crop like',
    op: 'crop',
    attrs: {},
    shapes: [
      [1, 6, 7, 2],
      [1, 3, 4, 1],
    ],
    wrt: 0,
  },
  { name: 'channels', op: 'channels', attrs: { start: 1, end: 3 }, shapes: [[1, 3, 3, 4]], wrt: 0 },
  {
    name: 'erase x (predicted class)',
    op: 'erase',
    attrs: {},
    shapes: [
      [2, 4, 4, 3],
      [2, 4, 4, 5],
    ],
    wrt: 0,
  },
];

function bnWeights(channels: number): [string, number[]][] {
  return [
    ['gamma', [channels]],
    ['beta', [channels]],
    ['movingMean', [channels]],
    ['movingVariance', [channels]],
  ];
}
