/**
 * A dilated convolution equals an undilated one whose kernel has `rate - 1` zeros between taps
 * (same extent, so same padding under every mode). tfjs refuses the gradient of depthwise
 * convolutions with dilation > 1; spreading the kernel with pad/reshape/slice keeps every step
 * differentiable, at the price of multiplying by the inserted zeros.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Pair } from './attributes.js';

function spreadAxis(kernel: tf.Tensor4D, axis: 0 | 1, rate: number): tf.Tensor4D {
  if (rate === 1) return kernel;
  const [kh, kw, a, b] = kernel.shape;
  const taps = axis === 0 ? kh : kw;
  const widened = tf.expandDims(kernel, axis + 1);
  const paddings: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]];
  paddings[axis + 1] = [0, rate - 1];
  const spaced = tf.pad(widened, paddings);
  const flat = axis === 0 ? tf.reshape(spaced, [kh * rate, kw, a, b]) : tf.reshape(spaced, [kh, kw * rate, a, b]);
  const extent = (taps - 1) * rate + 1;
  const size: [number, number, number, number] = axis === 0 ? [extent, kw, a, b] : [kh, extent, a, b];
  return tf.slice(flat as tf.Tensor4D, [0, 0, 0, 0], size);
}

/** The kernel [kh, kw, a, b] spread to [eh, ew, a, b] with zeros between taps. */
export function spreadKernel(kernel: tf.Tensor4D, dilation: Pair): tf.Tensor4D {
  return spreadAxis(spreadAxis(kernel, 0, dilation[0]), 1, dilation[1]);
}
