/**
 * Gradients of bilinear and nearest-neighbour resizing that are right on every backend.
 *
 * tfjs 4.22's own are not: every backend's `ResizeBilinearGrad` and `ResizeNearestNeighborGrad`
 * ignores `halfPixelCenters` (so the gradient of a half-pixel resize is taken at the wrong
 * sample points), and the cpu `ResizeBilinearGrad` returns a [batch, width, height, depth]
 * shape, which fails for any non-square image. Segmentation decoders train through these
 * resizes (and generated modules differentiate them for Grad-CAM), so segc replaces both.
 *
 * Both resizes are separable, y = R · x · Cᵀ with the interpolation weights of ops/resize.ts
 * (which follow tfjs's forward kernels index for index), so the gradient is Rᵀ · dy · C: the
 * same weights the interpreter's differentiable resize uses, transposed. The resize ops always
 * hand their kernels 4-D images, so the gradients see NHWC tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resizeGradientByMatrices } from '../ops/resize.js';

interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

function gradient(bilinear: boolean): tf.GradConfig['gradFunc'] {
  return (dy, saved, attrs) => {
    const images = saved[0]!;
    const resize = attrs as unknown as ResizeAttrs;
    const sampling = { bilinear, alignCorners: resize.alignCorners, halfPixel: resize.halfPixelCenters };
    const size: [number, number] = [images.shape[1]!, images.shape[2]!];
    return { images: () => resizeGradientByMatrices(tf, dy as tf.Tensor4D, size, sampling) };
  };
}

export const resizeBilinearGradient: tf.GradConfig = {
  kernelName: 'ResizeBilinear',
  inputsToSave: ['images'],
  gradFunc: gradient(true),
};

export const resizeNearestNeighborGradient: tf.GradConfig = {
  kernelName: 'ResizeNearestNeighbor',
  inputsToSave: ['images'],
  gradFunc: gradient(false),
};
