/**
 * Gradients for the ops that only select or rearrange elements and that tfjs-core leaves
 * without one. Each routes the output gradient back to where the elements came from; nothing
 * here depends on a backend's integer kernels (wasm returns float32 from an int32
 * `StridedSlice`, and `depthToSpace` refuses int32 altogether).
 */
import * as tf from '@tensorflow/tfjs-core';

type StridedSliceAttrs = tf.StridedSliceAttrs;

/** Flat source index of every output element, in output order. */
function stridedSliceSources(shape: readonly number[], a: StridedSliceAttrs): Int32Array {
  const info = tf.slice_util.sliceInfo(
    [...shape],
    a.begin,
    a.end,
    a.strides,
    a.beginMask,
    a.endMask,
    a.ellipsisMask,
    a.newAxisMask,
    a.shrinkAxisMask,
  );
  // Per input axis (shrunk axes count 1); new axes do not change the element order.
  const counts = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
  const elementStrides = shape.map((_, axis) => shape.slice(axis + 1).reduce((p, d) => p * d, 1));
  const sources = new Int32Array(counts.reduce((p, d) => p * d, 1));
  const position = counts.map(() => 0);
  for (let index = 0; index < sources.length; index++) {
    sources[index] = position.reduce(
      (sum, at, axis) => sum + (info.begin[axis]! + at * info.strides[axis]!) * elementStrides[axis]!,
      0,
    );
    for (let axis = counts.length - 1; axis >= 0 && ++position[axis]! === counts[axis]; axis--) position[axis] = 0;
  }
  return sources;
}

export const stridedSliceGradient: tf.GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const shape = saved[0]!.shape;
    const sources = stridedSliceSources(shape, attrs as unknown as StridedSliceAttrs);
    return {
      x: () => {
        const size = shape.reduce((p, d) => p * d, 1);
        const indices = tf.tensor2d(sources, [sources.length, 1], 'int32');
        return tf.reshape(tf.scatterND(indices, tf.reshape(dy as tf.Tensor, [-1]), [size]), shape);
      },
    };
  },
};

/**
 * depthToSpace (NHWC) is reshape [N,H,W,b,b,C] → swap the H/b and W/b axes → reshape; its
 * gradient undoes the same steps. NCHW is handled by viewing it as NHWC.
 */
function depthToSpaceBackward(dy: tf.Tensor4D, blockSize: number): tf.Tensor4D {
  const [batch, height, width, depth] = dy.shape;
  const blocks = tf.reshape(dy, [batch, height / blockSize, blockSize, width / blockSize, blockSize, depth]);
  const swapped = tf.transpose(blocks, [0, 1, 3, 2, 4, 5]);
  return tf.reshape(swapped, [batch, height / blockSize, width / blockSize, blockSize * blockSize * depth]);
}

export const depthToSpaceGradient: tf.GradConfig = {
  kernelName: 'DepthToSpace',
  gradFunc: (dy, _saved, attrs) => {
    const { blockSize, dataFormat } = attrs as unknown as tf.DepthToSpaceAttrs;
    const gradient = dy as tf.Tensor4D;
    if (dataFormat === 'NCHW') {
      const channelsLast = tf.transpose(gradient, [0, 2, 3, 1]);
      return { x: () => tf.transpose(depthToSpaceBackward(channelsLast, blockSize), [0, 3, 1, 2]) };
    }
    return { x: () => depthToSpaceBackward(gradient, blockSize) };
  },
};

/** gatherND reads params at `indices`; its gradient adds dy there (repeats add up). */
export const gatherNdGradient: tf.GradConfig = {
  kernelName: 'GatherNd',
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved as [tf.Tensor, tf.Tensor];
    return {
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      indices: () => tf.zeros(indices.shape),
    };
  },
};
