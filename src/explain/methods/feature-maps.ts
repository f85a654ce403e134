/**
 * Feature maps for display: each channel of a tensor min-max normalised per image and channel,
 * so that a grid of channels shows where each one responds whatever its scale.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { normaliseOver } from '../maps.js';

/** [N, h, w, C] → the same shape, each (image, channel) plane in [0, 1]; a constant plane becomes 0. */
export function normaliseChannels(features: tf.Tensor4D): tf.Tensor4D {
  return normaliseOver(features, [1, 2]);
}
