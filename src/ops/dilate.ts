/**
 * A dilated convolution equals an undilated one whose kernel has `rate - 1` zeros between taps
 * (same extent, so same padding under every mode). tfjs refuses the gradient of depthwise
 * convolutions with dilation > 1; spreading the kernel with pad/reshape/slice keeps every step
 * differentiable, at the price of multiplying by the inserted zeros.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Pair } from './attributes.js';
import type { Tfjs } from './op.js';

/** Spreads the first axis; stays at rank ≤ 4 because webgpu kernels stop at rank 4. */
function spreadRows(tf: Tfjs, kernel: tf.Tensor4D, rate: number): tf.Tensor4D {
  if (rate === 1) return kernel;
  const [taps, ...rest] = kernel.shape;
  const width = rest.reduce((p, v) => p * v, 1);
  const spaced = tf.pad(tf.reshape(kernel, [taps, 1, width]), [
    [0, 0],
    [0, rate - 1],
    [0, 0],
  ]);
  const extent = (taps - 1) * rate + 1;
  const rows = tf.slice(tf.reshape(spaced, [taps * rate, width]), [0, 0], [extent, width]);
  return tf.reshape(rows, [extent, ...rest]);
}

/** The kernel [kh, kw, a, b] spread to [eh, ew, a, b] with zeros between taps. */
export function spreadKernel(tf: Tfjs, kernel: tf.Tensor4D, dilation: Pair): tf.Tensor4D {
  const rows = spreadRows(tf, kernel, dilation[0]);
  if (dilation[1] === 1) return rows;
  const swapped = tf.transpose(rows, [1, 0, 2, 3]);
  return tf.transpose(spreadRows(tf, swapped, dilation[1]), [1, 0, 2, 3]);
}
