/**
 * Training losses. Each returns a scalar and is differentiable in the logits with tfjs-core
 * ops only (no backend-specific kernels), so it trains on cpu, wasm and WebGPU alike. ACoL's
 * two-branch loss is `acolLoss` in src/explain/acol.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_LABEL } from '../data/sample.js';

/**
 * Pixel-wise softmax cross-entropy: logits [N, H, W, C], labels [N, H, W] (int32) with
 * `ignore` marking pixels that do not count. The mean is over counted pixels only; a batch in
 * which every pixel is ignored gives 0 (and a zero gradient), not NaN.
 */
export function pixelCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, ignore = IGNORE_LABEL): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[logits.rank - 1]!;
    const counted = tf.notEqual(labels, tf.scalar(ignore, 'int32'));
    const safeLabels = tf.where(counted, labels, tf.zerosLike(labels));
    const logProbabilities = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(safeLabels, 'int32'), classes), logProbabilities), -1);
    const weights = tf.cast(counted, 'float32');
    const count = tf.maximum(tf.sum(weights), tf.scalar(1));
    return tf.neg(tf.div(tf.sum(tf.mul(picked, weights)), count)) as tf.Scalar;
  });
}

/** Softmax cross-entropy of per-image logits [N, C] against class indices [N], mean over the batch. */
export function classificationCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[logits.rank - 1]!;
    const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32'), classes), tf.logSoftmax(logits)), -1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * Multi-label (one sigmoid per class) cross-entropy against multi-hot targets [N, C], mean
 * over images and classes; for images with several classes present (image-level labels of a
 * segmentation data set). The stable form max(x, 0) − x·z + log(1 + e^−|x|).
 */
export function multiLabelCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const positive = tf.relu(logits);
    const softplus = tf.log1p(tf.exp(tf.neg(tf.abs(logits))));
    return tf.mean(tf.add(tf.sub(positive, tf.mul(logits, targets)), softplus)) as tf.Scalar;
  });
}

/** Whether a weight is a convolution or dense kernel (the weights L2 weight decay applies to). */
export function isDecayedWeight(name: string): boolean {
  return /(^|\/)(kernel|depthwiseKernel|pointwiseKernel)$/.test(name);
}

/** L2 weight decay: (decay / 2) · Σ w² over the given kernels; its gradient is decay · w. */
export function weightDecayLoss(kernels: readonly tf.Tensor[], decay: number): tf.Scalar {
  return tf.tidy(() => {
    if (decay === 0 || kernels.length === 0) return tf.scalar(0);
    const sums = kernels.map((kernel) => tf.sum(tf.square(kernel)));
    return tf.mul(tf.addN(sums), decay / 2) as tf.Scalar;
  });
}
