/**
 * An image becomes a model input's tensor the way the input declares (`@preprocess`, see
 * ir/preprocessing.ts): resized to the input size, channels ordered or made grey, then
 * (pixel × scale − mean) / std per channel. The CLI, the page and the generated modules all
 * call this, so a model sees the same tensor wherever it runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_PREPROCESSING,
  LUMA_WEIGHTS,
  preprocessingOf,
  type Preprocessing,
  type ResizeCentres,
} from '../ir/preprocessing.js';
import type { Graph } from '../ir/graph.js';
import type { RgbImage } from './image.js';

/** tfjs's (alignCorners, halfPixelCenters) for each convention. */
const CENTRES: Record<ResizeCentres, [boolean, boolean]> = {
  'half-pixel': [false, true],
  legacy: [false, false],
  corners: [true, false],
};

/**
 * `image` ([1, H, W, 3], RGB in [0, 1] as decoded) → [1, height, width, channels], a new tensor;
 * channels is 1 (grey) or 3. The defaults give exactly what segc always gave: no arithmetic is
 * done for a step left at its default.
 */
export function prepareImage(
  image: RgbImage,
  height: number,
  width: number,
  channels: number,
  preprocessing: Preprocessing = DEFAULT_PREPROCESSING,
): tf.Tensor4D {
  return tf.tidy(() => {
    const resized = resizeAs(image, height, width, preprocessing);
    const coloured = channels === 1 ? toGrey(resized, preprocessing) : inOrder(resized, preprocessing);
    return normalise(coloured, preprocessing);
  });
}

/** The resize step alone (for showing the image the model saw). */
export function resizeAs(image: RgbImage, height: number, width: number, preprocessing: Preprocessing): RgbImage {
  const [, imageHeight, imageWidth] = image.shape;
  if (imageHeight === height && imageWidth === width) return tf.clone(image);
  const [alignCorners, halfPixelCenters] = CENTRES[preprocessing.centres];
  return preprocessing.resize === 'nearest'
    ? tf.image.resizeNearestNeighbor(image, [height, width], alignCorners, halfPixelCenters)
    : tf.image.resizeBilinear(image, [height, width], alignCorners, halfPixelCenters);
}

function toGrey(image: tf.Tensor4D, preprocessing: Preprocessing): tf.Tensor4D {
  if (preprocessing.grey === 'mean') return tf.mean(image, 3, true);
  return tf.sum(tf.mul(image, tf.tensor1d([...LUMA_WEIGHTS])), 3, true);
}

function inOrder(image: tf.Tensor4D, preprocessing: Preprocessing): tf.Tensor4D {
  return preprocessing.order === 'bgr' ? tf.reverse(image, 3) : image;
}

/** Pixels are in [0, 1] here (pixel / 255), so pixel × scale is value × 255·scale. */
function normalise(image: tf.Tensor4D, preprocessing: Preprocessing): tf.Tensor4D {
  const { scale, mean, std } = preprocessing;
  let result: tf.Tensor4D = image;
  if (scale !== DEFAULT_PREPROCESSING.scale) result = tf.mul(result, 255 * scale);
  if (mean.some((m) => m !== 0)) result = tf.sub(result, tf.tensor1d([...mean]));
  if (std.some((s) => s !== 1)) result = tf.div(result, tf.tensor1d([...std]));
  return result;
}

/** The image as the tensor of the graph's first input, with that input's preprocessing. */
export function prepareModelInput(graph: Graph, image: RgbImage, height: number, width: number): tf.Tensor4D {
  const input = graph.inputs[0]!;
  const channels = graph.nodes[input.node]!.type.shape[3];
  const grey = channels?.kind === 'const' && channels.value === 1;
  return prepareImage(image, height, width, grey ? 1 : 3, preprocessingOf(input));
}
