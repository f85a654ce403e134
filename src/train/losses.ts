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

/**
 * Losses for noisy labels. `ce`: cross-entropy against targets (1 − ε)·onehot + ε/C (label
 * smoothing, Szegedy et al. 2016; ε = 0 is plain cross-entropy). `gce`: generalised
 * cross-entropy (Zhang & Sabuncu 2018), (1 − p_y^q)/q, between cross-entropy (q → 0) and the
 * mean absolute error (q = 1), which bounds how much one wrong label can pull. `sce`: symmetric
 * cross-entropy (Wang et al. 2019), α·CE + β·RCE with the reverse term RCE = −Σ_k p_k log t_k
 * and log 0 taken as A = −4, so RCE = −A·(1 − p_y) = 4(1 − p_y).
 */
export type RobustLossKind = 'ce' | 'gce' | 'sce';

export interface LossOptions {
  readonly kind?: RobustLossKind;
  /** Label smoothing ε ∈ [0, 1) for `ce`; default 0. */
  readonly smoothing?: number;
  /** GCE's q ∈ (0, 1]; default 0.7 (the paper's). */
  readonly q?: number;
  /** SCE's weights; defaults α = 0.1, β = 1 (the paper's CIFAR-10 setting). */
  readonly alpha?: number;
  readonly beta?: number;
}

export const LOSS_DEFAULTS = { kind: 'ce', smoothing: 0, q: 0.7, alpha: 0.1, beta: 1 } as const;

/** log 0 in the reverse cross-entropy of SCE. */
const SCE_LOG_ZERO = -4;

/** The loss of every position (pixel or image): logits [..., C], labels [...] (int32, in range). */
export function positionLosses(logits: tf.Tensor, labels: tf.Tensor, options: LossOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const classes = logits.shape[logits.rank - 1]!;
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), classes);
    const logProbabilities = tf.logSoftmax(logits);
    const kind = options.kind ?? LOSS_DEFAULTS.kind;
    const pickedLog = tf.sum(tf.mul(oneHot, logProbabilities), -1);
    if (kind === 'gce') {
      const q = options.q ?? LOSS_DEFAULTS.q;
      return tf.div(tf.sub(1, tf.exp(tf.mul(pickedLog, q))), q);
    }
    if (kind === 'sce') {
      const cross = tf.neg(pickedLog);
      const reverse = tf.mul(tf.sub(1, tf.exp(pickedLog)), -SCE_LOG_ZERO);
      return tf.add(
        tf.mul(cross, options.alpha ?? LOSS_DEFAULTS.alpha),
        tf.mul(reverse, options.beta ?? LOSS_DEFAULTS.beta),
      );
    }
    const smoothing = options.smoothing ?? 0;
    if (smoothing === 0) return tf.neg(pickedLog);
    const targets = tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / classes);
    return tf.neg(tf.sum(tf.mul(targets, logProbabilities), -1));
  });
}

/** `positionLosses` averaged over the positions whose label is not `ignore` (0 when none is). */
export function robustPixelLoss(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options: LossOptions = {},
  ignore = IGNORE_LABEL,
): tf.Scalar {
  return tf.tidy(() => {
    const counted = tf.notEqual(labels, tf.scalar(ignore, 'int32'));
    const losses = positionLosses(logits, tf.where(counted, labels, tf.zerosLike(labels)), options);
    const weights = tf.cast(counted, 'float32');
    return tf.div(tf.sum(tf.mul(losses, weights)), tf.maximum(tf.sum(weights), tf.scalar(1))) as tf.Scalar;
  });
}

/** Multi-hot targets smoothed towards 1/2: z·(1 − ε) + ε/2 (label smoothing of one sigmoid per class). */
export function smoothBinaryTargets(targets: tf.Tensor, smoothing: number): tf.Tensor {
  return tf.tidy(() => (smoothing === 0 ? tf.clone(targets) : tf.add(tf.mul(targets, 1 - smoothing), smoothing / 2)));
}

/** Exponent r of the log-sum-exp pooling of `imageLevelLoss`. */
export const LSE_POOLING_R = 5;

/**
 * Image-level supervision of a segmentation model (images with labels but no mask): each
 * class's per-pixel logits z_c(x) are pooled to one image logit by log-sum-exp pooling
 * (Pinheiro & Collobert 2015), s_c = (1/r)·log(mean_x exp(r·z_c(x))), between the mean (r → 0)
 * and the maximum (r → ∞), so a small object can raise its class's score. The loss is the
 * sigmoid cross-entropy of s against the multi-hot targets [N, C] over the object classes
 * (`classMask` [C]: 1 for the classes scored, 0 for background), averaged over the scored
 * classes and over the images whose weight is 1 (`weights` [N]); 0 when no image counts.
 */
export function imageLevelLoss(
  logits: tf.Tensor4D,
  targets: tf.Tensor2D,
  weights: tf.Tensor1D,
  classMask: tf.Tensor1D,
  r = LSE_POOLING_R,
): tf.Scalar {
  return tf.tidy(() => {
    const [, height, width] = logits.shape;
    const pooled = tf.div(tf.sub(tf.logSumExp(tf.mul(logits, r), [1, 2]), Math.log(height * width)), r);
    const positive = tf.relu(pooled);
    const softplus = tf.log1p(tf.exp(tf.neg(tf.abs(pooled))));
    const perClass = tf.add(tf.sub(positive, tf.mul(pooled, targets)), softplus);
    const perImage = tf.div(tf.sum(tf.mul(perClass, classMask), 1), tf.maximum(tf.sum(classMask), tf.scalar(1)));
    return tf.div(tf.sum(tf.mul(perImage, weights)), tf.maximum(tf.sum(weights), tf.scalar(1))) as tf.Scalar;
  });
}
