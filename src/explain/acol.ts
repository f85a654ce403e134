/**
 * ACoL's training objective (Zhang et al. 2018): both branches are classifiers of the same
 * image-level label, trained jointly, loss = CE(logitsA, y) + CE(logitsB, y), each the mean
 * softmax cross-entropy over the batch. Branch B's logits come from erased features, so its
 * term pushes it towards object parts that branch A did not use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** Mean over the batch of log Σ exp(z) − z_y, computed stably by logSumExp. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, oneHot), 1))) as tf.Scalar);
}

function checkShapes(logitsA: tf.Tensor, logitsB: tf.Tensor, labels: tf.Tensor): void {
  const fits =
    logitsA.rank === 2 &&
    logitsA.shape.every((size, axis) => size === logitsB.shape[axis]) &&
    logitsB.rank === 2 &&
    (labels.rank === 1
      ? labels.shape[0] === logitsA.shape[0]
      : labels.rank === 2 && labels.shape.every((size, axis) => size === logitsA.shape[axis]));
  if (!fits) {
    throw diagnosticError(
      codes.explainShapeMismatch,
      `ACoL loss: logits [${logitsA.shape.join(', ')}] and [${logitsB.shape.join(', ')}] with labels [${labels.shape.join(', ')}] do not fit`,
      { hint: 'both logits are [N, classes]; labels are class indices [N] or one-hot [N, classes]', file: '<explain>' },
    );
  }
}

/** labels: class indices [N] (int) or one-hot / soft targets [N, classes]. */
export function acolLoss(logitsA: tf.Tensor, logitsB: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  checkShapes(logitsA, logitsB, labels);
  return tf.tidy(() => {
    const targets =
      labels.rank === 1 ? tf.oneHot(tf.cast(labels, 'int32'), logitsA.shape[1]!) : tf.cast(labels, 'float32');
    return tf.add(
      softmaxCrossEntropy(logitsA as tf.Tensor2D, targets as tf.Tensor2D),
      softmaxCrossEntropy(logitsB as tf.Tensor2D, targets as tf.Tensor2D),
    );
  });
}
