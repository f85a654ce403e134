/**
 * Class activation maps, exact where the head is linear after global average pooling (Zhou et
 * al. 2016). GAP → dense: M_c(x, y) = Σ_k w[k, c] · f_k(x, y), with f the pooled features and
 * w the dense kernel [K, classes]; the bias shifts every position equally and is left out.
 * A NIN head or a `@classmap` tensor: channel c is M_c.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pickClassChannels } from '../maps.js';

/** [N, h, w, K] features and a [K, classes] kernel → the map of `classes[n]` for image n. */
export function denseCam(features: tf.Tensor4D, kernel: tf.Tensor2D, classes: readonly number[]): tf.Tensor3D {
  return tf.tidy(() => {
    const columns = tf.transpose(tf.gather(kernel, tf.tensor1d([...classes], 'int32'), 1)); // [N, K]
    const [count, , , channels] = features.shape;
    return tf.sum(tf.mul(features, tf.reshape(columns, [count, 1, 1, channels])), 3) as tf.Tensor3D;
  });
}

/** [N, h, w, classes] class maps → the map of `classes[n]` for image n. */
export function channelCam(maps: tf.Tensor4D, classes: readonly number[]): tf.Tensor3D {
  return pickClassChannels(maps, classes);
}
