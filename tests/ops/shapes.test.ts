/**
 * Shape rules as tables: symbolic and concrete sizes in, the printed output type out, as the
 * checker would show it (`H/2` under `where H % 16 == 0`).
 */
import { describe, expect, test } from 'vitest';
import { type Dim, ceilDiv, evaluate, floorDiv } from '../../src/shapes/symbolic.js';
import type { Attrs, OpDef, TensorType } from '../../src/ops/op.js';
import { findOp } from '../../src/ops/registry.js';
import { H, N, W, divisible, formatType, shapeOf, space, type } from './helpers.js';

const by16 = space(divisible('H', 16), divisible('W', 16));
const op = (name: string): OpDef => findOp(name)!;
const quarter: Dim = floorDiv(H, 4);

interface ShapeCase {
  readonly op: string;
  readonly inputs: TensorType[];
  readonly attrs?: Attrs;
  readonly expected: string;
  readonly sizes?: ReturnType<typeof space>;
}

const CASES: ShapeCase[] = [
  {
    op: 'conv',
    inputs: [type([N, H, W, 3])],
    attrs: { filters: 64, stride: [2, 2] },
    sizes: by16,
    expected: 'f32[N, H/2, W/2, 64]',
  },
  {
    op: 'conv',
    inputs: [type([N, H, W, 3])],
    attrs: { filters: 64, stride: [2, 2] },
    expected: 'f32[N, ceil(H/2), ceil(W/2), 64]',
  },
  {
    op: 'conv',
    inputs: [type([N, H, W, 8])],
    attrs: { filters: 4, dilation: [6, 6] },
    sizes: by16,
    expected: 'f32[N, H, W, 4]',
  },
  {
    op: 'conv',
    inputs: [type([1, 33, 33, 3])],
    attrs: { filters: 8, padding: 'valid' },
    expected: 'f32[1, 31, 31, 8]',
  },
  {
    op: 'conv',
    inputs: [type([1, 33, 33, 3])],
    attrs: { filters: 8, padding: 'valid', dilation: [2, 2] },
    expected: 'f32[1, 29, 29, 8]',
  },
  {
    op: 'conv',
    inputs: [type([1, 33, 32, 3])],
    attrs: { filters: 8, stride: [2, 2], pad: [1, 1] },
    expected: 'f32[1, 17, 16, 8]',
  },
  {
    op: 'conv',
    inputs: [type([1, 33, 33, 3])],
    attrs: { filters: 8, kernel: [7, 1], padding: 'valid' },
    expected: 'f32[1, 27, 33, 8]',
  },
  {
    op: 'conv',
    inputs: [type([N, H, W, 3])],
    attrs: { filters: 8, kernel: [7, 7], stride: [2, 2], pad: [3, 3] },
    sizes: by16,
    expected: 'f32[N, H/2, W/2, 8]',
  },
  { op: 'dwconv', inputs: [type([N, H, W, 3])], attrs: { multiplier: 2 }, expected: 'f32[N, H, W, 6]' },
  {
    op: 'dwconv',
    inputs: [type([1, 17, 17, 4])],
    attrs: { stride: [2, 2], padding: 'valid' },
    expected: 'f32[1, 8, 8, 4]',
  },
  {
    op: 'sepconv',
    inputs: [type([N, H, W, 8])],
    attrs: { filters: 16, stride: [2, 2] },
    sizes: by16,
    expected: 'f32[N, H/2, W/2, 16]',
  },
  {
    op: 'convTranspose',
    inputs: [type([N, floorDiv(H, 16), floorDiv(W, 16), 8])],
    attrs: { filters: 4 },
    sizes: by16,
    expected: 'f32[N, H/8, W/8, 4]',
  },
  {
    op: 'convTranspose',
    inputs: [type([1, 8, 8, 8])],
    attrs: { filters: 4, kernel: [3, 3], padding: 'valid' },
    expected: 'f32[1, 17, 17, 4]',
  },
  { op: 'dense', inputs: [type([N, 512])], attrs: { units: 10 }, expected: 'f32[N, 10]' },
  { op: 'bn', inputs: [type([N, H, W, 16])], expected: 'f32[N, H, W, 16]' },
  { op: 'bn', inputs: [type([N, 16])], expected: 'f32[N, 16]' },
  { op: 'relu6', inputs: [type([N, H, W, 16])], expected: 'f32[N, H, W, 16]' },
  { op: 'softmax', inputs: [type([N, 10])], expected: 'f32[N, 10]' },
  { op: 'maxpool', inputs: [type([N, H, W, 16])], sizes: by16, expected: 'f32[N, H/2, W/2, 16]' },
  {
    op: 'maxpool',
    inputs: [type([1, 112, 112, 64])],
    attrs: { size: [3, 3], stride: [2, 2], pad: [1, 1] },
    expected: 'f32[1, 56, 56, 64]',
  },
  {
    op: 'maxpool',
    inputs: [type([N, H, W, 16])],
    attrs: { size: [3, 3], stride: [2, 2], padding: 'same' },
    expected: 'f32[N, ceil(H/2), ceil(W/2), 16]',
  },
  {
    op: 'avgpool',
    inputs: [type([N, H, W, 16])],
    attrs: { size: [3, 3], stride: [1, 1], padding: 'same' },
    expected: 'f32[N, H, W, 16]',
  },
  { op: 'avgpool', inputs: [type([1, 9, 10, 2])], attrs: { size: [3, 3] }, expected: 'f32[1, 3, 3, 2]' },
  { op: 'gap', inputs: [type([N, H, W, 64])], expected: 'f32[N, 64]' },
  { op: 'gmp', inputs: [type([N, H, W, 64])], attrs: { keep: true }, expected: 'f32[N, 1, 1, 64]' },
  {
    op: 'upsample',
    inputs: [type([N, floorDiv(H, 16), floorDiv(W, 16), 8])],
    attrs: { factor: [4, 4] },
    sizes: by16,
    expected: 'f32[N, H/4, W/4, 8]',
  },
  {
    op: 'upsample',
    inputs: [type([N, 1, 1, 8]), type([N, H, W, 3])],
    attrs: { mode: 'bilinear' },
    expected: 'f32[N, H, W, 8]',
  },
  { op: 'upsample', inputs: [type([N, 7, 7, 8])], attrs: { size: [64, 48] }, expected: 'f32[N, 64, 48, 8]' },
  {
    op: 'concat',
    inputs: [type([N, quarter, W, 48]), type([N, quarter, W, 256])],
    expected: 'f32[N, floor(H/4), W, 304]',
  },
  {
    op: 'concat',
    inputs: [type([N, quarter, 8, 4]), type([N, 3, 8, 4])],
    attrs: { axis: 1 },
    expected: 'f32[N, floor(H/4) + 3, 8, 4]',
  },
  { op: 'add', inputs: [type([N, H, W, 8]), type([N, H, W, 8]), type([N, H, W, 8])], expected: 'f32[N, H, W, 8]' },
  { op: 'mul', inputs: [type([N, 1, 1, 8]), type([N, H, W, 8])], expected: 'f32[N, H, W, 8]' },
  { op: 'mul', inputs: [type([N, H, W, 8]), type([8])], expected: 'f32[N, H, W, 8]' },
  { op: 'max', inputs: [type([N, H, W, 10]), type([N, H, W, 10])], expected: 'f32[N, H, W, 10]' },
  { op: 'dropout', inputs: [type([N, H, W, 8])], attrs: { rate: 0.1 }, expected: 'f32[N, H, W, 8]' },
  { op: 'flatten', inputs: [type([N, 7, 7, 512])], expected: 'f32[N, 25088]' },
  { op: 'flatten', inputs: [type([N, H, W, 8])], expected: 'f32[N, 8*H*W]' },
  { op: 'reshape', inputs: [type([N, 4, 4, 3])], attrs: { shape: [-1, 3] }, expected: 'f32[N, 16, 3]' },
  { op: 'reshape', inputs: [type([N, 48])], attrs: { shape: [4, 4, 3] }, expected: 'f32[N, 4, 4, 3]' },
  { op: 'reshape', inputs: [type([N, H, 4, 2])], attrs: { shape: [-1, 8] }, expected: 'f32[N, H, 8]' },
  { op: 'pad', inputs: [type([N, H, W, 3])], attrs: { amount: [1] }, expected: 'f32[N, H + 2, W + 2, 3]' },
  {
    op: 'pad',
    inputs: [type([N, H, W, 3])],
    attrs: { amount: [1, 2, 3, 4], mode: 'reflect' },
    sizes: by16,
    expected: 'f32[N, H + 3, W + 7, 3]',
  },
  {
    op: 'crop',
    inputs: [type([N, H, W, 3])],
    attrs: { amount: [2] },
    sizes: by16,
    expected: 'f32[N, H - 4, W - 4, 3]',
  },
  { op: 'crop', inputs: [type([N, 64, 64, 3]), type([N, 56, 60, 8])], expected: 'f32[N, 56, 60, 3]' },
  { op: 'channels', inputs: [type([N, H, W, 8])], attrs: { start: 2, end: -2 }, expected: 'f32[N, H, W, 4]' },
  { op: 'channels', inputs: [type([N, 10])], attrs: { start: -3, end: 10 }, expected: 'f32[N, 3]' },
  { op: 'argmax', inputs: [type([N, H, W, 21])], expected: 'i32[N, H, W]' },
  { op: 'argmax', inputs: [type([N, 10])], attrs: { axis: 1 }, expected: 'i32[N]' },
  {
    op: 'erase',
    inputs: [type([N, ceilDiv(H, 8), ceilDiv(W, 8), 512]), type([N, ceilDiv(H, 8), ceilDiv(W, 8), 10])],
    expected: 'f32[N, ceil(H/8), ceil(W/8), 512]',
  },
];

describe('shape rules', () => {
  test.each(CASES.map((c, index) => ({ ...c, index })))('#$index $op → $expected', (c) => {
    const sizes = c.sizes ?? space();
    expect(formatType(shapeOf(op(c.op), c.inputs, c.attrs ?? {}, sizes), sizes)).toBe(c.expected);
  });

  test('symbolic conv output agrees with the concrete rule at sampled sizes', () => {
    const attrs = { filters: 4, kernel: [3, 3], stride: [2, 2], dilation: [1, 1], pad: [1, 1] };
    const output = shapeOf(op('conv'), [type([N, H, W, 3])], attrs);
    for (const size of [1, 2, 3, 16, 17, 513]) {
      const env = new Map([
        ['N', 1],
        ['H', size],
        ['W', size],
      ]);
      const concrete = shapeOf(op('conv'), [type([1, size, size, 3])], attrs);
      expect(evaluate(output.shape[1]!, env)).toBe(evaluate(concrete.shape[1]!, new Map()));
      expect(evaluate(output.shape[1]!, env)).toBe(Math.floor((size + 2 - 3) / 2) + 1);
    }
  });
});

describe('weights', () => {
  test('conv: kernel [kh, kw, Cin, filters] He normal, bias zeros', () => {
    expect(op('conv').weights!([type([N, H, W, 3])], { filters: 64, kernel: [3, 5] })).toEqual([
      { role: 'kernel', shape: [3, 5, 3, 64], init: 'heNormal', trainable: true },
      { role: 'bias', shape: [64], init: 'zeros', trainable: true },
    ]);
    expect(op('conv').weights!([type([N, H, W, 3])], { filters: 64, bias: false }).map((w) => w.role)).toEqual([
      'kernel',
    ]);
  });

  test.each([
    [
      'dwconv',
      { multiplier: 2 },
      [
        ['depthwiseKernel', [3, 3, 4, 2]],
        ['bias', [8]],
      ],
    ],
    [
      'sepconv',
      { filters: 6 },
      [
        ['depthwiseKernel', [3, 3, 4, 1]],
        ['pointwiseKernel', [1, 1, 4, 6]],
        ['bias', [6]],
      ],
    ],
    [
      'convTranspose',
      { filters: 6 },
      [
        ['kernel', [2, 2, 6, 4]],
        ['bias', [6]],
      ],
    ],
    [
      'bn',
      {},
      [
        ['gamma', [4]],
        ['beta', [4]],
        ['movingMean', [4]],
        ['movingVariance', [4]],
      ],
    ],
  ] as const)('%s weight roles and shapes', (name, attrs, expected) => {
    const weights = op(name).weights!([type([N, H, W, 4])], attrs);
    expect(weights.map((w) => [w.role, w.shape])).toEqual(expected);
  });

  test('dense kernel is Glorot uniform; bn moving statistics are not trainable', () => {
    expect(op('dense').weights!([type([N, 12])], { units: 5 })[0]).toEqual({
      role: 'kernel',
      shape: [12, 5],
      init: 'glorotUniform',
      trainable: true,
    });
    const stats = op('bn').weights!([type([N, 4])], {}).map((w) => [w.role, w.init, w.trainable]);
    expect(stats).toEqual([
      ['gamma', 'ones', true],
      ['beta', 'zeros', true],
      ['movingMean', 'zeros', false],
      ['movingVariance', 'ones', false],
    ]);
  });
});

describe('flops', () => {
  const flopsAt = (name: string, inputs: TensorType[], attrs: Attrs, env: [string, number][] = []) => {
    const output = shapeOf(op(name), inputs, attrs);
    return evaluate(op(name).flops!(inputs, output, attrs), new Map(env));
  };

  test.each([
    ['conv', [type([2, 32, 32, 3])], { filters: 8 }, 2 * 9 * 3 * 8 * 2 * 32 * 32],
    ['conv', [type([1, 32, 32, 3])], { filters: 8, stride: [2, 2] }, 2 * 9 * 3 * 8 * 16 * 16],
    ['dwconv', [type([1, 16, 16, 4])], { multiplier: 2 }, 2 * 9 * 8 * 16 * 16],
    ['sepconv', [type([1, 16, 16, 4])], { filters: 6 }, (2 * 9 * 4 + 2 * 4 * 6) * 16 * 16],
    ['convTranspose', [type([1, 8, 8, 4])], { filters: 6 }, 2 * 4 * 4 * 6 * 8 * 8],
    ['dense', [type([3, 512])], { units: 10 }, 2 * 512 * 10 * 3],
    ['maxpool', [type([1, 8, 8, 4])], {}, 4 * 4 * 4 * 4],
    ['gap', [type([1, 8, 8, 4])], {}, 256],
    ['add', [type([1, 8, 8, 4]), type([1, 8, 8, 4]), type([1, 8, 8, 4])], {}, 2 * 256],
    ['upsample', [type([1, 4, 4, 2])], { factor: [2, 2], mode: 'bilinear' }, 8 * 8 * 8 * 2],
    ['upsample', [type([1, 4, 4, 2])], { factor: [2, 2] }, 0],
  ] as const)('%s %j', (name, inputs, attrs, expected) => {
    expect(flopsAt(name, [...inputs], attrs)).toBe(expected);
  });

  test('symbolic conv cost evaluates like the concrete one', () => {
    const symbolic = flopsAt('conv', [type([N, H, W, 3])], { filters: 8, stride: [2, 2] }, [
      ['N', 2],
      ['H', 33],
      ['W', 20],
    ]);
    expect(symbolic).toBe(2 * 9 * 3 * 8 * 2 * 17 * 10);
  });
});

describe('receptive field steps', () => {
  test.each([
    ['conv', { filters: 1, kernel: [3, 3], dilation: [6, 6] }, { extent: 13, stride: 1 }],
    ['conv', { filters: 1, kernel: [7, 7], stride: [2, 2] }, { extent: 7, stride: 2 }],
    ['sepconv', { filters: 1, dilation: [2, 2] }, { extent: 5, stride: 1 }],
    ['maxpool', { size: [3, 3], stride: [2, 2] }, { extent: 3, stride: 2 }],
    ['avgpool', {}, { extent: 2, stride: 2 }],
    ['upsample', { factor: [4, 4] }, { extent: 1, stride: 0.25 }],
    ['convTranspose', { filters: 1 }, { extent: 1, stride: 0.5 }],
  ] as const)('%s %j', (name, attrs, expected) => {
    // Window ops read only their attributes; the types are a placeholder feature map.
    const x = type([N, H, W, 3]);
    expect(op(name).receptiveField!({ attrs, inputs: [x], output: x })).toEqual(expected);
  });

  test('upsample to `like` measures its factor from the sizes', () => {
    const inputs = [type([N, floorDiv(H, 16), floorDiv(W, 16), 8]), type([N, H, W, 3])];
    const output = shapeOf(op('upsample'), inputs, {});
    expect(op('upsample').receptiveField!({ attrs: {}, inputs, output })).toEqual({ extent: 1, stride: 1 / 16 });
  });

  test('upsample to a fixed `size` measures its factor from the sizes', () => {
    const inputs = [type([N, 16, 16, 8])];
    const output = shapeOf(op('upsample'), inputs, { size: [64, 64] });
    expect(op('upsample').receptiveField!({ attrs: { size: [64, 64] }, inputs, output })).toEqual({
      extent: 1,
      stride: 1 / 4,
    });
  });

  test('element-wise ops and global pools declare no step', () => {
    for (const name of ['relu', 'bn', 'add', 'concat', 'gap', 'gmp', 'erase'])
      expect(op(name).receptiveField).toBeUndefined();
  });
});
