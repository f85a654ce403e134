/**
 * The weights of a layer with a batch norm folded into it (see the IR pass fold-batch-norm):
 * per output channel, scale = γ/√(σ²+ε), W' = W·scale, b' = (b − μ)·scale + β. Which kernel
 * holds the output channels, and on which axes, is the op's `foldsBatchNorm`. The generated
 * modules' `foldBatchNorm` helper (codegen/weights.ts) is this function written as code, the
 * same tfjs calls in the same order, and is tested against it bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InternalError } from '../diagnostics/diagnostic.js';
import type { IRNode } from '../ir/graph.js';
import { BATCH_NORM_PREFIX, FOLDED_BATCH_NORM_ATTRIBUTE } from '../ops/op.js';
import { findOp } from '../ops/registry.js';
import type { WeightStore } from './weight-store.js';

/** A batch norm's weights by role. */
export interface BatchNormWeights {
  readonly gamma: tf.Tensor;
  readonly beta: tf.Tensor;
  readonly movingMean: tf.Tensor;
  readonly movingVariance: tf.Tensor;
}

/**
 * The folded kernel and bias. A depthwise kernel [kh, kw, C, m] has output channel c·m + j on
 * axes 2 and 3 together.
 */
export function foldBatchNorm<Kernel extends tf.Tensor>(
  kernel: Kernel,
  bias: tf.Tensor1D | undefined,
  norm: BatchNormWeights,
  epsilon: number,
  depthwise: boolean,
): { kernel: Kernel; bias: tf.Tensor1D } {
  const scale = tf.div(norm.gamma, tf.sqrt(tf.add(norm.movingVariance, epsilon)));
  const perChannel = depthwise ? tf.reshape(scale, [1, 1, kernel.shape[2]!, kernel.shape[3]!]) : scale;
  return {
    kernel: tf.mul(kernel, perChannel) as Kernel,
    bias: tf.add(tf.mul(tf.sub(bias ?? tf.zerosLike(scale), norm.movingMean), scale), norm.beta) as tf.Tensor1D,
  };
}

export function prepareFoldedWeights(node: IRNode, store: WeightStore): Record<string, tf.Tensor> {
  const get = (role: string) => {
    const w = node.weights.find((x) => x.role === role);
    const tensor = w ? store.get(w.name) : undefined;
    if (!tensor) throw new InternalError(`weight ${role} of ${node.name} is not loaded`);
    return tensor;
  };
  const folds = findOp(node.op)?.foldsBatchNorm;
  if (!folds) throw new InternalError(`cannot fold a batch norm into ${node.op}`);
  const norm = (role: string) => get(`${BATCH_NORM_PREFIX}${role}`);
  const hasBias = node.weights.some((w) => w.role === 'bias');
  const result: Record<string, tf.Tensor> = foldBatchNorm(
    get(folds.kernel),
    hasBias ? (get('bias') as tf.Tensor1D) : undefined,
    {
      gamma: norm('gamma'),
      beta: norm('beta'),
      movingMean: norm('movingMean'),
      movingVariance: norm('movingVariance'),
    },
    Number(node.attrs[FOLDED_BATCH_NORM_ATTRIBUTE]),
    folds.depthwise === true,
  );
  result[folds.kernel] = result.kernel!;
  if (folds.kernel !== 'kernel') delete result.kernel;
  for (const w of node.weights)
    if (!w.role.startsWith(BATCH_NORM_PREFIX) && !(w.role in result)) result[w.role] = get(w.role);
  return result;
}
