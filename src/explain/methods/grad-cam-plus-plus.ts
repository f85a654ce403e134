/**
 * Grad-CAM++ (Chattopadhay et al. 2018), in the paper's closed form for the exponential score
 * Y^c = exp(S^c). With g = ∂S^c/∂A_k(i, j) (first derivatives only: the closed form assumes the
 * higher derivatives of S^c in A vanish, as they do for piecewise-linear networks),
 *
 *   a_k(i, j) = g² / (2 g² + Σ_{a,b} A_k(a, b) · g³)      (0 where the denominator is 0)
 *   w_k       = Σ_{i,j} a_k(i, j) · ReLU(g)
 *   map       = ReLU(Σ_k w_k A_k)
 *
 * The paper's w_k carries a factor exp(S^c), the same for every position and channel of one
 * image; it is left out because per-image normalisation removes it and exp overflows for
 * large scores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { weightedChannelSum } from './grad-cam.js';

/** The weights w_k, [N, K]. */
export function gradCamPlusPlusWeights(activation: tf.Tensor4D, gradient: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const squared = tf.square(gradient);
    const cubed = tf.mul(squared, gradient);
    const activationSum = tf.sum(activation, [1, 2], true);
    const denominator = tf.add(tf.mul(squared, 2), tf.mul(activationSum, cubed));
    const nonZero = tf.notEqual(denominator, 0);
    const safe = tf.where(nonZero, denominator, tf.onesLike(denominator));
    const alpha = tf.where(nonZero, tf.div(squared, safe), tf.zerosLike(squared));
    return tf.sum(tf.mul(alpha, tf.relu(gradient)), [1, 2]) as tf.Tensor2D;
  });
}

export function gradCamPlusPlus(activation: tf.Tensor4D, gradient: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.relu(weightedChannelSum(activation, gradCamPlusPlusWeights(activation, gradient))));
}
