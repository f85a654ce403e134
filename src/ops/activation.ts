/**
 * The `activation:` attribute of conv-like ops and dense: which part tfjs can fuse into the
 * kernel, and how to apply the rest. tfjs differentiates a fused activation only when it is
 * `linear` or `relu`, so with a gradient the others run as separate ops.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Attrs, Tfjs } from './op.js';
import type { ActivationName } from './params.js';

/** PyTorch's default slope for negative inputs (Keras uses 0.2 or 0.3 depending on version). */
export const LEAKY_RELU_ALPHA = 0.01;

/** The slope of a fused leaky ReLU: the `alpha` the fuse-activation pass copied, else the default. */
export function leakyAlpha(attrs: Attrs): number {
  return typeof attrs.alpha === 'number' ? attrs.alpha : LEAKY_RELU_ALPHA;
}

export function applyActivation(tf: Tfjs, x: tf.Tensor, name: ActivationName, alpha = LEAKY_RELU_ALPHA): tf.Tensor {
  switch (name) {
    case 'none':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, alpha);
  }
}

const FUSABLE: Partial<Record<ActivationName, tf.fused.Activation>> = {
  none: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  leakyRelu: 'leakyrelu',
};

export interface ActivationPlan {
  /** What the fused kernel applies. */
  readonly fused: tf.fused.Activation;
  /** What must be applied after it. */
  readonly after: ActivationName;
}

export function planActivation(name: ActivationName, needsGradient: boolean): ActivationPlan {
  const fused = FUSABLE[name];
  const differentiable = name === 'none' || name === 'relu';
  if (fused === undefined || (needsGradient && !differentiable)) return { fused: 'linear', after: name };
  return { fused, after: 'none' };
}

/** Adds a bias (when given) and applies an activation, for kernels that cannot fuse them. */
export function finishOutput(
  tf: Tfjs,
  y: tf.Tensor,
  bias: tf.Tensor | undefined,
  name: ActivationName,
  alpha = LEAKY_RELU_ALPHA,
): tf.Tensor {
  return applyActivation(tf, bias ? tf.add(y, bias) : y, name, alpha);
}

/** `applyActivation` as code, for the part of an activation a kernel could not fuse. */
export function emitActivation(x: string, name: ActivationName, alpha = LEAKY_RELU_ALPHA): string {
  if (name === 'none') return x;
  if (name === 'leakyRelu') return `tf.leakyRelu(${x}, ${alpha})`;
  return `tf.${name}(${x})`;
}

/**
 * The fields a fused tfjs kernel takes for an activation at inference (none for `linear`, its
 * default) and what must be applied after the kernel, as `planActivation` decides.
 */
export function emitFusedActivation(
  name: ActivationName,
  alpha = LEAKY_RELU_ALPHA,
): { readonly fields: string[]; readonly after: ActivationName } {
  const plan = planActivation(name, false);
  const fields = plan.fused === 'linear' ? [] : [`activation: '${plan.fused}'`];
  if (plan.fused === 'leakyrelu') fields.push(`leakyreluAlpha: ${alpha}`);
  return { fields, after: plan.after };
}
