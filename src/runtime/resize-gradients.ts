/**
 * Gradients of bilinear and nearest-neighbour resizing that are right on every backend.
 *
 * tfjs 4.22's own are not: every backend's `ResizeBilinearGrad` and `ResizeNearestNeighborGrad`
 * ignores `halfPixelCenters` (so the gradient of a half-pixel resize is taken at the wrong
 * sample points), and the cpu `ResizeBilinearGrad` returns a [batch, width, height, depth]
 * shape, which fails for any non-square image. Segmentation decoders train through these
 * resizes, so segc replaces both gradients.
 *
 * Both resizes are separable, and each output row (column) reads at most two input rows
 * (columns) with known weights. The gradient therefore scatter-adds the weighted output
 * gradient back along the height axis, then along the width axis, with ops every backend has.
 * The sample positions follow the forward kernels of tfjs (which follow TensorFlow). The
 * resize ops always hand their kernels 4-D images, so the gradients see NHWC tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Per output index: the input indices read and the weight of the upper one. */
interface AxisTaps {
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  readonly upperWeight: Float32Array;
}

function scaleOf(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

function bilinearTaps(inSize: number, outSize: number, attrs: ResizeAttrs): AxisTaps {
  const scale = scaleOf(inSize, outSize, attrs.alignCorners);
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const upperWeight = new Float32Array(outSize);
  for (let index = 0; index < outSize; index++) {
    const source = attrs.halfPixelCenters ? scale * (index + 0.5) - 0.5 : scale * index;
    lower[index] = Math.max(0, Math.floor(source));
    upper[index] = Math.min(inSize - 1, Math.ceil(source));
    upperWeight[index] = source - lower[index]!;
  }
  return { lower, upper, upperWeight };
}

function nearestTaps(inSize: number, outSize: number, attrs: ResizeAttrs): Int32Array {
  const scale = scaleOf(inSize, outSize, attrs.alignCorners);
  return Int32Array.from({ length: outSize }, (_, index) => {
    const source = attrs.halfPixelCenters ? scale * (index + 0.5) : scale * index;
    const nearest = Math.min(inSize - 1, attrs.alignCorners ? Math.round(source) : Math.floor(source));
    return attrs.halfPixelCenters ? Math.max(0, nearest) : nearest;
  });
}

const TO_FRONT: Record<1 | 2, number[]> = { 1: [1, 0, 2, 3], 2: [2, 0, 1, 3] };
const FROM_FRONT: Record<1 | 2, number[]> = { 1: [1, 0, 2, 3], 2: [1, 2, 0, 3] };

/** `result[target[k]] += weight[k] · gradient[k]` along `axis` of an NHWC tensor. */
function scatterAlong(
  gradient: tf.Tensor4D,
  axis: 1 | 2,
  target: Int32Array,
  weight: Float32Array | undefined,
  inSize: number,
): tf.Tensor4D {
  const front = tf.transpose(gradient, TO_FRONT[axis]);
  const weighted = weight ? tf.mul(front, tf.tensor4d(weight, [weight.length, 1, 1, 1])) : front;
  const indices = tf.tensor2d(target, [target.length, 1], 'int32');
  const summed = tf.scatterND(indices, weighted, [inSize, ...front.shape.slice(1)]);
  return tf.transpose(summed, FROM_FRONT[axis]) as tf.Tensor4D;
}

function bilinearAlong(gradient: tf.Tensor4D, axis: 1 | 2, inSize: number, attrs: ResizeAttrs): tf.Tensor4D {
  const taps = bilinearTaps(inSize, gradient.shape[axis], attrs);
  const lowerWeight = taps.upperWeight.map((weight) => 1 - weight);
  return tf.add(
    scatterAlong(gradient, axis, taps.lower, lowerWeight, inSize),
    scatterAlong(gradient, axis, taps.upper, taps.upperWeight, inSize),
  );
}

export const resizeBilinearGradient: tf.GradConfig = {
  kernelName: 'ResizeBilinear',
  inputsToSave: ['images'],
  gradFunc: (dy, saved, attrs) => {
    const images = saved[0]!;
    const resize = attrs as unknown as ResizeAttrs;
    return {
      images: () =>
        tf.tidy(() => {
          const rows = bilinearAlong(dy as tf.Tensor4D, 1, images.shape[1]!, resize);
          return bilinearAlong(rows, 2, images.shape[2]!, resize);
        }),
    };
  },
};

export const resizeNearestNeighborGradient: tf.GradConfig = {
  kernelName: 'ResizeNearestNeighbor',
  inputsToSave: ['images'],
  gradFunc: (dy, saved, attrs) => {
    const images = saved[0]!;
    const resize = attrs as unknown as ResizeAttrs;
    return {
      images: () =>
        tf.tidy(() => {
          const gradient = dy as tf.Tensor4D;
          const [, height, width] = images.shape as [number, number, number, number];
          const rows = scatterAlong(gradient, 1, nearestTaps(height, gradient.shape[1], resize), undefined, height);
          return scatterAlong(rows, 2, nearestTaps(width, gradient.shape[2], resize), undefined, width);
        }),
    };
  },
};
