/**
 * Resizing as two matrix products, rows then columns: y = R · x · Cᵀ per image and channel,
 * with R and C the interpolation weights tfjs's resize kernels use. tfjs's own resize
 * gradients mix up rows and columns on non-square inputs (a shape error) or sum into the
 * wrong pixels; matrix products differentiate correctly on every backend. Used only when a
 * gradient is needed, so inference keeps the fast kernels; the same matrices, transposed, are
 * the gradients the runtime registers for tfjs's resize kernels.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Tfjs } from './op.js';

export interface Sampling {
  readonly bilinear: boolean;
  readonly alignCorners: boolean;
  readonly halfPixel: boolean;
}

/** The [out, in] weights of one axis, following tfjs's cpu kernels index for index. */
export function interpolationWeights(from: number, to: number, sampling: Sampling): Float32Array {
  const weights = new Float32Array(to * from);
  const ratio = sampling.alignCorners && to > 1 ? (from - 1) / (to - 1) : from / to;
  for (let i = 0; i < to; i++) {
    if (sampling.bilinear) {
      const source = sampling.halfPixel ? ratio * (i + 0.5) - 0.5 : ratio * i;
      const low = Math.max(0, Math.floor(source));
      const high = Math.min(from - 1, Math.ceil(source));
      const fraction = source - low;
      weights[i * from + low]! += 1 - fraction;
      weights[i * from + high]! += fraction;
    } else {
      const source = ratio * (sampling.halfPixel ? i + 0.5 : i);
      const nearest = Math.min(from - 1, sampling.alignCorners ? Math.round(source) : Math.floor(source));
      weights[i * from + Math.max(0, nearest)] = 1;
    }
  }
  return weights;
}

/** Applies `weights` [out, in] along `axis` (1 rows, 2 columns) of an NHWC tensor. */
function alongAxis(tf: Tfjs, x: tf.Tensor4D, weights: tf.Tensor2D, axis: 1 | 2): tf.Tensor4D {
  const [order, inverse] =
    axis === 1
      ? [
          [1, 0, 2, 3],
          [1, 0, 2, 3],
        ]
      : [
          [2, 0, 1, 3],
          [1, 2, 0, 3],
        ];
  const moved = tf.transpose(x, order);
  const [size, ...rest] = moved.shape;
  const mixed = tf.matMul(weights, tf.reshape(moved, [size, rest.reduce((p, v) => p * v, 1)]));
  const back = tf.reshape(mixed, [weights.shape[0], ...rest]);
  return tf.transpose(back, inverse) as tf.Tensor4D;
}

export function resizeByMatrices(
  tf: Tfjs,
  x: tf.Tensor4D,
  size: readonly [number, number],
  sampling: Sampling,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, rows, columns] = x.shape;
    const rowWeights = tf.tensor2d(interpolationWeights(rows, size[0], sampling), [size[0], rows]);
    const columnWeights = tf.tensor2d(interpolationWeights(columns, size[1], sampling), [size[1], columns]);
    return alongAxis(tf, alongAxis(tf, x, rowWeights, 1), columnWeights, 2);
  });
}

/**
 * The gradient of a resize from `inputSize` to `dy`'s size with respect to its input: with
 * y = R · x · Cᵀ, dx = Rᵀ · dy · C. The runtime registers this as the gradient of tfjs's own
 * resize kernels (runtime/resize-gradients.ts), so both paths share one set of weights.
 */
export function resizeGradientByMatrices(
  tf: Tfjs,
  dy: tf.Tensor4D,
  inputSize: readonly [number, number],
  sampling: Sampling,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, rows, columns] = dy.shape;
    const rowWeights = tf.tensor2d(interpolationWeights(inputSize[0], rows, sampling), [rows, inputSize[0]]);
    const columnWeights = tf.tensor2d(interpolationWeights(inputSize[1], columns, sampling), [columns, inputSize[1]]);
    return alongAxis(tf, alongAxis(tf, dy, tf.transpose(rowWeights), 1), tf.transpose(columnWeights), 2);
  });
}
