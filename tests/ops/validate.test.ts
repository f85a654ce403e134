/**
 * Attribute range checks (`validate`): the exact message for each value out of range.
 */
import { describe, expect, test } from 'vitest';
import { findOp } from '../../src/ops/registry.js';

describe('attribute checks', () => {
  test.each([
    ['conv', { filters: 0 }, '`filters` must be at least 1, got 0'],
    ['conv', { filters: 4, kernel: [3, 0] }, '`kernel` must be at least 1, got 0'],
    ['conv', { filters: 4, pad: [-1, 1] }, '`pad` must be at least 0, got -1'],
    [
      'conv',
      { filters: 4, stride: [2, 2], dilation: [2, 2] },
      '`stride` and `dilation` cannot both be above 1 (TensorFlow and tfjs support one or the other)',
    ],
    ['dwconv', { multiplier: 0 }, '`multiplier` must be at least 1, got 0'],
    ['maxpool', { size: [3, 3], pad: [2, 1] }, '`pad` must be at most half of `size`, got pad 2 for size 3'],
    ['avgpool', { stride: [0, 1] }, '`stride` must be at least 1, got 0'],
    ['dropout', { rate: 1 }, '`rate` must be at least 0 and below 1, got 1'],
    ['bn', { momentum: 1.5 }, '`momentum` must be between 0 and 1, got 1.5'],
    ['bn', { epsilon: 0 }, '`epsilon` must be positive, got 0'],
    [
      'upsample',
      { factor: [2, 2], alignCorners: true },
      '`alignCorners` and `halfPixel` cannot both be true: set `halfPixel: false` with `alignCorners: true`',
    ],
    ['upsample', { factor: [0, 2] }, '`factor` must be at least 1, got 0'],
    ['reshape', { shape: [-1, -1] }, '`shape` may have only one -1, got [-1, -1]'],
    ['reshape', { shape: [0, 4] }, '`shape` entries must be positive or -1, got [0, 4]'],
    ['pad', { amount: [1, 2, 3] }, '`amount` takes 1, 2 or 4 values ([top, bottom, left, right]), got 3'],
    ['crop', { amount: [-1] }, '`amount` must not be negative, got -1'],
    ['leakyRelu', { alpha: -0.1 }, '`alpha` must not be negative, got -0.1'],
    ['erase', { threshold: 1.5 }, '`threshold` must be between 0 and 1, got 1.5'],
    ['dense', { units: 0 }, '`units` must be at least 1, got 0'],
  ] as const)('%s %j', (name, attrs, message) => {
    expect(findOp(name)!.validate!(attrs)).toBe(message);
  });

  test('defaults pass validation', () => {
    expect(findOp('conv')!.validate!({ filters: 8 })).toBeUndefined();
    expect(findOp('upsample')!.validate!({ factor: [2, 2], alignCorners: true, halfPixel: false })).toBeUndefined();
    expect(findOp('maxpool')!.validate!({ size: [3, 3], stride: [2, 2], pad: [1, 1] })).toBeUndefined();
  });
});
