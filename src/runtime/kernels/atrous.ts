/**
 * Atrous (dilated) 2-D convolution that tfjs can differentiate. tfjs-core refuses the gradient
 * of conv2d with dilation > 1; this formulation keeps the gradient available.
 * PLACEHOLDER BODY: replaced by the runtime work; the signature is the contract.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Padding = 'same' | 'valid' | readonly [readonly [number, number], readonly [number, number]];

/**
 * `x`: [N, H, W, Cin], `filter`: [kh, kw, Cin, Cout]. Same result as
 * `tf.conv2d(x, filter, strides, padding, 'NHWC', dilations)`, differentiable in `x` and
 * `filter` for any dilation.
 */
export function atrousConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: readonly [number, number],
  dilations: readonly [number, number],
  padding: Padding,
): tf.Tensor4D {
  const pad = typeof padding === 'string' ? padding : [[0, 0], [padding[0][0], padding[0][1]], [padding[1][0], padding[1][1]], [0, 0]];
  return tf.conv2d(x, filter, [strides[0], strides[1]], pad as 'same', 'NHWC', [dilations[0], dilations[1]]);
}
