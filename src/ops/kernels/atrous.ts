/**
 * Atrous (dilated) 2-D convolution that tfjs can differentiate. tfjs-core refuses the gradient
 * of conv2d and depthwiseConv2d with dilation > 1, so a dilated convolution is computed the
 * way TensorFlow's `atrous_conv2d` does: `spaceToBatchND` splits the padded input into
 * rate×rate interleaved sub-images, an undilated convolution runs on each, and
 * `batchToSpaceND` interleaves the results back. All three have gradients on every backend.
 *
 * Why it is exact: the sub-image at phase (i, j) holds x[i + rate·u, j + rate·v], so an
 * undilated tap offset of 1 inside it is an offset of `rate` in the original input.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Span } from '../../diagnostics/diagnostic.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';
import type { Tfjs } from '../op.js';

export type Padding = 'same' | 'valid' | readonly [readonly [number, number], readonly [number, number]];

type Pair = readonly [number, number];
type AxisPads = [[number, number], [number, number]];

/** TensorFlow's padding for stride 1: 'same' splits extent-1, putting the odd one at the end. */
function basePads(padding: Padding, kernel: Pair, dilations: Pair): AxisPads {
  if (padding === 'valid')
    return [
      [0, 0],
      [0, 0],
    ];
  if (padding === 'same') {
    return [0, 1].map((axis) => {
      const total = (kernel[axis]! - 1) * dilations[axis]!;
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    }) as AxisPads;
  }
  return [
    [padding[0][0], padding[0][1]],
    [padding[1][0], padding[1][1]],
  ];
}

function tfjsPadding(
  padding: Padding,
): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  if (typeof padding === 'string') return padding;
  return [
    [0, 0],
    [padding[0][0], padding[0][1]],
    [padding[1][0], padding[1][1]],
    [0, 0],
  ];
}

function checkArguments(
  x: tf.Tensor4D,
  kernel: Pair,
  strides: Pair,
  dilations: Pair,
  pads: AxisPads,
  span?: Span,
): void {
  const dilated = dilations[0] > 1 || dilations[1] > 1;
  if (dilated && (strides[0] > 1 || strides[1] > 1)) {
    throw diagnosticError(
      codes.strideWithDilation,
      `atrous convolution with dilation [${dilations.join(', ')}] cannot also have stride [${strides.join(', ')}]`,
      { span, hint: 'use stride 1 with the dilation and downsample before or after, as TensorFlow requires' },
    );
  }
  for (const axis of [0, 1]) {
    const extent = (kernel[axis]! - 1) * dilations[axis]! + 1;
    const padded = x.shape[axis + 1]! + pads[axis]![0] + pads[axis]![1];
    if (padded < extent) {
      throw diagnosticError(
        codes.inputSmallerThanKernel,
        `the ${axis === 0 ? 'height' : 'width'} ${x.shape[axis + 1]} (padded: ${padded}) is smaller than the dilated kernel extent ${extent}`,
        { span, hint: "use 'same' padding, a smaller dilation, or a larger input" },
      );
    }
  }
}

/**
 * Runs `convolve` (an undilated, 'valid', stride-1 convolution) as a dilated one by
 * interleaving. Padding at the end rounds each padded axis up to a multiple of the rate; the
 * outputs that extra padding creates are cropped off again.
 */
function throughSpaceToBatch(
  tf: Tfjs,
  x: tf.Tensor4D,
  dilations: Pair,
  pads: AxisPads,
  convolve: (sub: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const extra = [0, 1].map((axis) => {
      const padded = x.shape[axis + 1]! + pads[axis]![0] + pads[axis]![1];
      return (dilations[axis]! - (padded % dilations[axis]!)) % dilations[axis]!;
    });
    const paddings = pads.map(([before, after], axis) => [before, after + extra[axis]!]);
    const interleaved = tf.spaceToBatchND(x, [...dilations], paddings) as tf.Tensor4D;
    const convolved = convolve(interleaved);
    return tf.batchToSpaceND(
      convolved,
      [...dilations],
      [
        [0, extra[0]!],
        [0, extra[1]!],
      ],
    ) as tf.Tensor4D;
  });
}

/**
 * `x`: [N, H, W, Cin], `filter`: [kh, kw, Cin, Cout]. Same result as
 * `tf.conv2d(x, filter, strides, padding, 'NHWC', dilations)`, differentiable in `x` and
 * `filter` for any dilation. `span` (optional) locates errors in the `.seg` source.
 */
export function atrousConv2d(
  tf: Tfjs,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: readonly [number, number],
  dilations: readonly [number, number],
  padding: Padding,
  span?: Span,
): tf.Tensor4D {
  const kernel: Pair = [filter.shape[0], filter.shape[1]];
  const pads = basePads(padding, kernel, dilations);
  checkArguments(x, kernel, strides, dilations, pads, span);
  if (dilations[0] === 1 && dilations[1] === 1) {
    return tf.conv2d(x, filter, [strides[0], strides[1]], tfjsPadding(padding), 'NHWC', 1);
  }
  return throughSpaceToBatch(tf, x, dilations, pads, (sub) => tf.conv2d(sub, filter, 1, 'valid'));
}

/**
 * Depthwise counterpart (`filter`: [kh, kw, C, multiplier]); DeepLabv3+ uses atrous
 * depthwise-separable convolutions. Same result as `tf.depthwiseConv2d` with dilation.
 */
export function atrousDepthwiseConv2d(
  tf: Tfjs,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: readonly [number, number],
  dilations: readonly [number, number],
  padding: Padding,
  span?: Span,
): tf.Tensor4D {
  const kernel: Pair = [filter.shape[0], filter.shape[1]];
  const pads = basePads(padding, kernel, dilations);
  checkArguments(x, kernel, strides, dilations, pads, span);
  if (dilations[0] === 1 && dilations[1] === 1) {
    return tf.depthwiseConv2d(x, filter, [strides[0], strides[1]], tfjsPadding(padding), 'NHWC', 1);
  }
  return throughSpaceToBatch(tf, x, dilations, pads, (sub) => tf.depthwiseConv2d(sub, filter, 1, 'valid'));
}
