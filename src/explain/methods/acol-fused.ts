/**
 * ACoL's localisation map at inference (Zhang et al. 2018): the class maps of both branches,
 * each min-max normalised per image, fused by the element-wise maximum, so that the parts
 * branch B found after erasing add to what branch A found. (The model's own `max(mapA, mapB)`
 * fuses raw maps; normalising first keeps one branch's larger scale from hiding the other.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { normalisePerImage, pickClassChannels } from '../maps.js';

export function acolFusedMap(first: tf.Tensor4D, second: tf.Tensor4D, classes: readonly number[]): tf.Tensor3D {
  return tf.tidy(
    () =>
      tf.maximum(
        normalisePerImage(pickClassChannels(first, classes)),
        normalisePerImage(pickClassChannels(second, classes)),
      ) as tf.Tensor3D,
  );
}
