/**
 * Grad-CAM (Selvaraju et al. 2017): α_k = mean over (x, y) of ∂y^c/∂A_k(x, y) for a
 * pre-softmax score y^c and a target feature map A with K channels; the map is
 * ReLU(Σ_k α_k A_k) at A's resolution.
 */
import * as tf from '@tensorflow/tfjs-core';

/** α: the spatial mean of the gradient, [N, K]. */
export function gradCamWeights(gradient: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(gradient, [1, 2]) as tf.Tensor2D;
}

/** Σ_k weights[n, k] · A_k for [N, h, w, K] maps and [N, K] weights, before any ReLU. */
export function weightedChannelSum(activation: tf.Tensor4D, weights: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [count, , , channels] = activation.shape;
    return tf.sum(tf.mul(activation, tf.reshape(weights, [count, 1, 1, channels])), 3) as tf.Tensor3D;
  });
}

export function gradCam(activation: tf.Tensor4D, gradient: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.relu(weightedChannelSum(activation, gradCamWeights(gradient))));
}
