/**
 * The average-pool gradient, corrected. tfjs's forward average pool (cpu, wasm) divides each
 * window by the number of input elements it covers, leaving out padding as TensorFlow does,
 * but every backend's `AvgPoolGrad` divides by the full window size, so gradients at the
 * borders of a 'same'-padded pool come out too small. Scaling the output gradient by
 * (window size / covered count) first and then running the backend's own `AvgPoolGrad` gives
 * the gradient of the forward that actually ran.
 */
import * as tf from '@tensorflow/tfjs-core';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** How many of `extent` taps starting at `start` fall inside [0, size). */
function covered(start: number, extent: number, size: number): number {
  return Math.max(0, Math.min(start + extent, size) - Math.max(start, 0));
}

/** (window size / covered count) for every output position, as [1, outHeight, outWidth, 1]. */
function borderScale(shape: [number, number, number, number], attrs: PoolAttrs): tf.Tensor4D {
  const info = tf.backend_util.computePool2DInfo(
    shape,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const scale = new Float32Array(info.outHeight * info.outWidth);
  const window = info.filterHeight * info.filterWidth;
  for (let row = 0; row < info.outHeight; row++) {
    const rows = covered(row * info.strideHeight - info.padInfo.top, info.filterHeight, info.inHeight);
    for (let column = 0; column < info.outWidth; column++) {
      const columns = covered(column * info.strideWidth - info.padInfo.left, info.filterWidth, info.inWidth);
      scale[row * info.outWidth + column] = rows * columns > 0 ? window / (rows * columns) : 0;
    }
  }
  return tf.tensor4d(scale, [1, info.outHeight, info.outWidth, 1]);
}

export const averagePoolGradient: tf.GradConfig = {
  kernelName: 'AvgPool',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]! as tf.Tensor4D;
    const pool = attrs as unknown as PoolAttrs;
    return {
      x: () => {
        const scaled = tf.mul(dy as tf.Tensor4D, borderScale(x.shape, pool));
        return tf
          .engine()
          .runKernel('AvgPoolGrad', { dy: scaled, input: x }, { ...pool } as unknown as tf.NamedAttrMap) as tf.Tensor;
      },
    };
  },
};
