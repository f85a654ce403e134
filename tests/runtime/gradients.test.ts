import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerGradients, REPLACED_GRADIENT_KERNELS, SUPPLIED_GRADIENTS } from '../../src/runtime/gradients.js';
import { expectClose, finiteDifferences, seededTensor, useBackend, withoutLeaks } from './helpers.js';

beforeAll(() => registerGradients());

/** Linear in the op's output, so central differences are exact wherever the op is smooth. */
function checkAgainstFiniteDifferences(
  op: (x: tf.Tensor4D) => tf.Tensor,
  shape: [number, number, number, number],
  tolerance: number,
  epsilon = 1e-2,
) {
  return withoutLeaks(() =>
    tf.tidy(() => {
      const x = seededTensor<tf.Rank.R4>(shape, 21);
      const weights = seededTensor(op(x).shape, 22);
      const loss = (input: tf.Tensor) => tf.sum(tf.mul(op(input as tf.Tensor4D), weights)) as tf.Scalar;
      expectClose(tf.grad(loss)(x), finiteDifferences(x, loss, epsilon), tolerance);
    }),
  );
}

const RESIZE_MODES = [
  { name: 'plain', alignCorners: false, halfPixelCenters: false },
  { name: 'alignCorners', alignCorners: true, halfPixelCenters: false },
  { name: 'halfPixelCenters', alignCorners: false, halfPixelCenters: true },
] as const;
const RESIZE_SIZES: [number, number][] = [
  [13, 8],
  [3, 2],
  [5, 5],
];

describe.each(['cpu', 'wasm'] as const)('gradients on %s against finite differences', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(RESIZE_MODES)('resize, $name', (mode) => {
    it.each(RESIZE_SIZES)('bilinear from 5×4 to %i×%i', (height, width) =>
      checkAgainstFiniteDifferences(
        (x) => tf.image.resizeBilinear(x, [height, width], mode.alignCorners, mode.halfPixelCenters),
        [2, 5, 4, 2],
        2e-3,
      ),
    );
    it.each(RESIZE_SIZES)('nearest from 5×4 to %i×%i', (height, width) =>
      checkAgainstFiniteDifferences(
        (x) => tf.image.resizeNearestNeighbor(x, [height, width], mode.alignCorners, mode.halfPixelCenters),
        [2, 5, 4, 2],
        2e-3,
      ),
    );
  });

  it('maxPool 3×3 stride 2 same', () =>
    checkAgainstFiniteDifferences((x) => tf.maxPool(x, 3, 2, 'same'), [2, 7, 6, 2], 2e-3, 1e-3));
  it('maxPool over an all-negative input (every window below zero)', () =>
    checkAgainstFiniteDifferences(
      (x) => tf.maxPool(tf.sub(x, 3) as tf.Tensor4D, 2, 2, 'same'),
      [1, 5, 6, 2],
      2e-3,
      1e-3,
    ));
  it('maxPool 2×3 stride 2 valid', () =>
    checkAgainstFiniteDifferences((x) => tf.maxPool(x, [2, 3], 2, 'valid'), [2, 7, 8, 2], 2e-3, 1e-3));
  it('maxPool 3×3 stride 1, explicit padding 1', () =>
    checkAgainstFiniteDifferences((x) => tf.maxPool(x, 3, 1, 1), [1, 5, 6, 2], 2e-3, 1e-3));
  it('avgPool 2×3 stride 1 valid', () =>
    checkAgainstFiniteDifferences((x) => tf.avgPool(x, [2, 3], 1, 'valid'), [1, 7, 6, 2], 2e-3));
  it('avgPool 3×3 stride 2 same', () =>
    checkAgainstFiniteDifferences((x) => tf.avgPool(x, 3, 2, 'same'), [1, 7, 6, 2], 2e-3));
  it('avgPool 2×2 stride 2 same on an odd size', () =>
    checkAgainstFiniteDifferences((x) => tf.avgPool(x, 2, 2, 'same'), [2, 5, 7, 1], 2e-3));
  it('spaceToBatchND then batchToSpaceND with padding and crops', () =>
    checkAgainstFiniteDifferences(
      (x) =>
        tf.batchToSpaceND(
          tf.mul(
            tf.spaceToBatchND(
              x,
              [2, 3],
              [
                [1, 0],
                [0, 2],
              ],
            ),
            2,
          ),
          [3, 2],
          [
            [0, 1],
            [1, 0],
          ],
        ),
      [1, 5, 4, 2],
      2e-3,
    ));
  it('stridedSlice with strides and masks', () =>
    checkAgainstFiniteDifferences(
      (x) => tf.stridedSlice(x, [0, 1, 0, 1], [2, 7, 6, 2], [1, 2, 3, 1], 1, 4, 0, 0, 0),
      [2, 7, 6, 2],
      2e-3,
    ));
  // tfjs 4.22 computes the forward wrongly when a shrink axis meets a stride other than 1, so
  // shrinking is tested with unit strides.
  it('stridedSlice with a shrink mask', () =>
    checkAgainstFiniteDifferences(
      (x) => tf.stridedSlice(x, [0, 1, 0, 1], [2, 7, 6, 2], [1, 1, 1, 1], 0, 0, 0, 0, 8),
      [2, 7, 6, 2],
      2e-3,
    ));
  it('stridedSlice with ellipsis, new axis and a negative stride', () =>
    checkAgainstFiniteDifferences(
      (x) => tf.stridedSlice(x, [0, 0, 5], [0, 0, 0], [1, 1, -2], 0, 0, 1, 2, 0),
      [1, 3, 2, 7],
      2e-3,
    ));
  it('depthToSpace', () => checkAgainstFiniteDifferences((x) => tf.depthToSpace(x, 2), [1, 3, 2, 8], 2e-3));
  it('gatherND with repeated indices', () =>
    checkAgainstFiniteDifferences(
      (x) =>
        tf.gatherND(
          x,
          tf.tensor2d(
            [
              [0, 1],
              [0, 1],
              [0, 3],
            ],
            [3, 2],
            'int32',
          ),
        ),
      [1, 4, 3, 2],
      2e-3,
    ));
  it('gather with repeated indices', () =>
    checkAgainstFiniteDifferences((x) => tf.gather(x, tf.tensor1d([2, 0, 2], 'int32'), 1), [1, 4, 3, 2], 2e-3));
  it('an ACoL-style erasing mask passes no gradient through the comparison', () =>
    checkAgainstFiniteDifferences(
      (x) => {
        const map = tf.mean(x, 3, true);
        const keep = tf.logicalNot(tf.logicalAnd(tf.greater(map, 0.1), tf.notEqual(map, 0.5)));
        return tf.mul(x, tf.cast(keep, 'float32'));
      },
      [1, 5, 4, 3],
      2e-3,
      1e-3,
    ));
});

describe('registration', () => {
  it('adds only kernels tfjs-core has no gradient for and is idempotent', () => {
    expect(SUPPLIED_GRADIENTS).toEqual([
      'Equal',
      'NotEqual',
      'Greater',
      'Less',
      'LessEqual',
      'LogicalAnd',
      'LogicalOr',
      'LogicalNot',
      'All',
      'Any',
      'StridedSlice',
      'DepthToSpace',
      'GatherNd',
    ]);
    expect(REPLACED_GRADIENT_KERNELS).toEqual(['ResizeBilinear', 'ResizeNearestNeighbor', 'AvgPool']);
    const before = REPLACED_GRADIENT_KERNELS.map((name) => tf.getGradient(name));
    registerGradients();
    expect(REPLACED_GRADIENT_KERNELS.map((name) => tf.getGradient(name))).toEqual(before);
    expect(tf.getGradient('Conv2D')).toBeDefined();
  });
});
