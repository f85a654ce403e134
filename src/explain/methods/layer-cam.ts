/**
 * LayerCAM (Jiang et al. 2021): every position keeps its own weight, the positive part of its
 * gradient: ReLU(Σ_k ReLU(∂y^c/∂A_k) ⊙ A_k). Where the gradient is spatially constant and
 * non-negative this is Grad-CAM; elsewhere it keeps the fine detail that averaging loses.
 */
import * as tf from '@tensorflow/tfjs-core';

export function layerCam(activation: tf.Tensor4D, gradient: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.relu(tf.sum(tf.mul(tf.relu(gradient), activation), 3)) as tf.Tensor3D);
}
