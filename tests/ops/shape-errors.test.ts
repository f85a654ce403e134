/**
 * Shape mistakes and the exact text the user sees: message, the argument it points at and,
 * where there is one, the hint.
 */
import { describe, expect, test } from 'vitest';
import { ceilDiv, dim, floorDiv, mul, sym } from '../../src/shapes/symbolic.js';
import { type Attrs, ShapeError, type TensorType } from '../../src/ops/op.js';
import { findOp } from '../../src/ops/registry.js';
import { CheckingShapeContext } from '../../src/shapes/shape-context.js';
import { H, N, W, divisible, space, type } from './helpers.js';

interface ErrorCase {
  readonly name: string;
  readonly op: string;
  readonly inputs: TensorType[];
  readonly attrs?: Attrs;
  readonly sizes?: ReturnType<typeof space>;
  readonly message: string;
  readonly argument?: string;
  readonly hint?: string;
}

/** The error a shape rule throws, or the too-small window it leaves for the end of the model. */
function shapeErrorOf(c: ErrorCase): ShapeError {
  const context = new CheckingShapeContext(c.sizes ?? space());
  try {
    findOp(c.op)!.shape(c.inputs, c.attrs ?? {}, context);
  } catch (error) {
    if (error instanceof ShapeError) return error;
    throw error;
  }
  const deferred = context.deferred[0]?.error;
  if (deferred) return deferred;
  throw new Error('expected a ShapeError');
}

const upsampledBy4 = mul(ceilDiv(H, 16), dim(4));
const fixed513 = space().withFixed(
  new Map([
    ['H', 513],
    ['W', 513],
  ]),
);

const CASES: ErrorCase[] = [
  {
    name: 'conv on a flat tensor',
    op: 'conv',
    inputs: [type([N, 10])],
    attrs: { filters: 4 },
    message: 'conv: expected a 4-D feature map [N, H, W, C] for `x`, got [N, 10]',
    argument: 'x',
    hint: 'this is a flat [N, C] tensor: apply spatial ops before pool/flatten/dense',
  },
  {
    name: 'dense on a feature map',
    op: 'dense',
    inputs: [type([N, 7, 7, 512])],
    attrs: { units: 10 },
    message: 'dense: expected a flat [N, C] tensor for `x`, got [N, 7, 7, 512]',
    argument: 'x',
    hint: 'pool (gap) or flatten first',
  },
  {
    name: 'concat rows at a fixed input size',
    op: 'concat',
    inputs: [type([N, upsampledBy4, W, 256]), type([N, ceilDiv(H, 4), W, 48])],
    sizes: fixed513,
    message: 'with H = 513 the inputs of concat have 132 and 129 rows',
    argument: 'inputs',
  },
  {
    name: 'concat rows for symbolic sizes, with the constraint that settles it',
    op: 'concat',
    inputs: [type([N, upsampledBy4, W, 256]), type([N, ceilDiv(H, 4), W, 48])],
    message: 'with H = 33 the inputs of concat have 12 and 9 rows',
    argument: 'inputs',
    hint: "the sizes agree when `H % 16 == 0`: add it to the input's `where` clause",
  },
  {
    name: 'concat rows when only some sizes break it',
    op: 'concat',
    inputs: [type([N, upsampledBy4, W, 256]), type([N, ceilDiv(H, 4), W, 48])],
    sizes: space(divisible('H', 4)),
    message: 'with H = 36 the inputs of concat have 12 and 9 rows',
    argument: 'inputs',
    hint: "the sizes agree when `H % 16 == 0`: add it to the input's `where` clause",
  },
  {
    name: 'concat along rows with different channels',
    op: 'concat',
    inputs: [type([N, 8, 8, 3]), type([N, 4, 8, 4])],
    attrs: { axis: 1 },
    message: 'the inputs of concat have 3 and 4 channels',
    argument: 'inputs',
  },
  {
    name: 'concat of tensors of different rank',
    op: 'concat',
    inputs: [type([N, 8, 8, 3]), type([N, 3])],
    message: 'concat: input 2 has rank 2 but input 1 has rank 4',
    argument: 'inputs',
  },
  {
    name: 'add of different channel counts',
    op: 'add',
    inputs: [type([N, H, W, 64]), type([N, H, W, 32])],
    message: 'the inputs of add have 64 and 32 channels',
    argument: 'inputs',
  },
  {
    name: 'mul of maps of different sizes',
    op: 'mul',
    inputs: [type([N, H, W, 8]), type([N, floorDiv(H, 2), W, 8])],
    message: 'with H = 32 the inputs of mul have 32 and 16 rows',
    argument: 'inputs',
  },
  {
    name: 'add with a single input',
    op: 'add',
    inputs: [type([N, H, W, 8])],
    message: 'add: needs at least two inputs, got 1',
    argument: 'inputs',
    hint: 'e.g. `add(a, b)` or `add([a, b, c])`',
  },
  {
    name: 'erase with a class map of another size',
    op: 'erase',
    inputs: [type([N, ceilDiv(H, 8), W, 512]), type([N, ceilDiv(H, 16), W, 10])],
    message: 'with H = 32 the feature map of erase has 4 rows but its class map `by` has 2',
    argument: 'by',
  },
  {
    name: 'erase with concrete sizes',
    op: 'erase',
    inputs: [type([2, 28, 28, 512]), type([2, 28, 14, 10])],
    message: 'the feature map of erase has 28 columns but its class map `by` has 14',
    argument: 'by',
  },
  {
    name: 'upsample with factor and like',
    op: 'upsample',
    inputs: [type([N, 8, 8, 4]), type([N, H, W, 3])],
    attrs: { factor: [2, 2] },
    message: 'upsample: give only one of `factor`, `size` or `like`, got `factor` and `like`',
    argument: 'like',
    hint: 'e.g. `upsample(factor: 2)`, `upsample(size: [64, 64])` or `upsample(like: skip)`',
  },
  {
    name: 'upsample with none of factor, size, like',
    op: 'upsample',
    inputs: [type([N, 8, 8, 4])],
    message: 'upsample: give one of `factor`, `size` or `like`',
    argument: 'factor',
    hint: 'e.g. `upsample(factor: 2)`, `upsample(size: [64, 64])` or `upsample(like: skip)`',
  },
  {
    name: 'upsample like a flat tensor',
    op: 'upsample',
    inputs: [type([N, 8, 8, 4]), type([N, 10])],
    message: 'upsample: `like` must have spatial axes [N, H, W, ...], got [N, 10]',
    argument: 'like',
  },
  {
    name: 'reshape to a different element count',
    op: 'reshape',
    inputs: [type([N, 4, 4, 3])],
    attrs: { shape: [5, 10] },
    message: 'the input of reshape has 48 values per batch item but the target shape [5, 10] holds 50',
    argument: 'shape',
  },
  {
    name: 'reshape with -1 that does not divide',
    op: 'reshape',
    inputs: [type([N, 5, 5, 3])],
    attrs: { shape: [-1, 4] },
    message:
      'the input of reshape has 75 values per batch item, which the target shape [-1, 4] cannot hold (not a multiple of 4)',
    argument: 'shape',
  },
  {
    name: 'reshape with -1 of a symbolic size',
    op: 'reshape',
    inputs: [type([N, H, 3, 1])],
    attrs: { shape: [-1, 2] },
    message:
      'with H = 33 the input of reshape has 99 values per batch item, which the target shape [-1, 2] cannot hold (not a multiple of 2)',
    argument: 'shape',
    hint: "the sizes agree when `H % 2 == 0`: add it to the input's `where` clause",
  },
  {
    name: 'valid conv on an input smaller than the kernel',
    op: 'conv',
    inputs: [type([N, H, 9, 1])],
    attrs: { filters: 1, kernel: [3, 3], dilation: [2, 2], padding: 'valid' },
    message: 'conv: with H = 1 the output would have no rows: the input is smaller than the window extent 5',
    argument: 'x',
    hint: 'use a larger input (constrain its size with `where`), `padding: same`, or a smaller window',
  },
  {
    name: 'maxpool on a 1-pixel-wide map',
    op: 'maxpool',
    inputs: [type([1, 4, 1, 8])],
    message: 'maxpool: the output would have no columns: the input is smaller than the window extent 2',
    argument: 'x',
    hint: 'use a larger input (constrain its size with `where`), `padding: same`, or a smaller window',
  },
  {
    name: 'bn on a rank-3 tensor',
    op: 'bn',
    inputs: [type([N, 5, 3])],
    message: 'bn: expected [N, H, W, C] or [N, C] for `x`, got [N, 5, 3]',
    argument: 'x',
  },
  {
    name: 'softmax over an axis that does not exist',
    op: 'softmax',
    inputs: [type([N, H, W, 21])],
    attrs: { axis: 4 },
    message: 'softmax: axis 4 is out of range for a tensor of rank 4',
    argument: 'axis',
    hint: 'use an axis from -4 to 3',
  },
  {
    name: 'channel range beyond the channel count',
    op: 'channels',
    inputs: [type([N, H, W, 8])],
    attrs: { start: 4, end: 10 },
    message: 'channels: the range [4, 10) does not fit the 8 channels of `x`',
    argument: 'start',
    hint: 'start and end must satisfy -8 ≤ start < end ≤ 8 (negative values count from the end)',
  },
  {
    name: 'reflect padding wider than the map',
    op: 'pad',
    inputs: [type([N, H, W, 3])],
    attrs: { amount: [2], mode: 'reflect' },
    message: 'pad: with H = 1 `reflect` padding by 2 needs at least 3 rows, the input has 1',
    argument: 'x',
  },
  {
    name: 'crop to a larger map',
    op: 'crop',
    inputs: [type([N, 16, 16, 3]), type([N, 20, 20, 8])],
    message: 'crop: `like` has 20 rows but `x` has only 16',
    argument: 'like',
  },
  {
    name: 'crop with both amount and like',
    op: 'crop',
    inputs: [type([N, 16, 16, 3]), type([N, 8, 8, 8])],
    attrs: { amount: [2] },
    message: 'crop: give only one of `amount` and `like`',
    argument: 'amount',
    hint: 'e.g. `crop(amount: [2, 2])` or `crop(like: decoder)`',
  },
  {
    name: 'crop that removes everything',
    op: 'crop',
    inputs: [type([N, 16, 20, 3])],
    attrs: { amount: [8, 2] },
    message: 'crop: the output would have no rows: removing 16 rows leaves nothing',
    argument: 'x',
    hint: 'crop less, or constrain the input size with `where`',
  },
  {
    name: 'conv on class indices',
    op: 'conv',
    inputs: [type([N, H, W, 1], 'i32')],
    attrs: { filters: 4 },
    message: 'conv: expected a float tensor for `x`, got i32',
    argument: 'x',
    hint: 'argmax outputs class indices, not values',
  },
  {
    name: 'dwconv with a symbolic channel count',
    op: 'dwconv',
    inputs: [type([N, H, W, sym('C')])],
    message: 'dwconv: the channel count of `x` is C, which depends on the input size',
    argument: 'x',
    hint: 'fix the input size (`f32[N, 224, 224, 3]`, or `--input 224,224`), or pool to a known channel count first with `gap`',
  },
  {
    name: 'erase with a flat class map',
    op: 'erase',
    inputs: [type([N, H, W, 8]), type([N, 10])],
    message: 'erase: expected a 4-D feature map [N, H, W, C] for `by`, got [N, 10]',
    argument: 'by',
    hint: 'this is a flat [N, C] tensor: apply spatial ops before pool/flatten/dense',
  },
];

describe('shape errors', () => {
  test('there are at least 20 distinct messages', () => {
    expect(new Set(CASES.map((c) => c.message)).size).toBeGreaterThanOrEqual(20);
  });

  test.each(CASES)('$name', (c) => {
    const error = shapeErrorOf(c);
    expect(error.message).toBe(c.message);
    expect(error.argument).toBe(c.argument);
    expect(error.hint).toBe(c.hint);
  });
});
