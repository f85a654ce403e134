/**
 * The weights of a convolution or dense layer with a batch norm folded into it (see the IR pass
 * fold-batch-norm): per output channel, scale = γ/√(σ²+ε), W' = W·scale, b' = (b − μ)·scale + β.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InternalError } from '../diagnostics/diagnostic.js';
import type { IRNode } from '../ir/graph.js';
import { BATCH_NORM_PREFIX } from '../ir/passes/fold-batch-norm.js';
import type { WeightStore } from './weight-store.js';

/** The kernel role whose last axis is the output channel, per op. */
const OUTPUT_KERNEL: Readonly<Record<string, string>> = {
  conv: 'kernel',
  dense: 'kernel',
  sepconv: 'pointwiseKernel',
  dwconv: 'depthwiseKernel',
};

export function prepareFoldedWeights(node: IRNode, store: WeightStore): Record<string, tf.Tensor> {
  const get = (role: string) => {
    const w = node.weights.find((x) => x.role === role);
    const tensor = w ? store.get(w.name) : undefined;
    if (!tensor) throw new InternalError(`weight ${role} of ${node.name} is not loaded`);
    return tensor;
  };
  const kernelRole = OUTPUT_KERNEL[node.op];
  if (!kernelRole) throw new InternalError(`cannot fold a batch norm into ${node.op}`);
  const epsilon = Number(node.attrs.foldedBatchNorm);
  const scale = tf.div(
    get(`${BATCH_NORM_PREFIX}gamma`),
    tf.sqrt(tf.add(get(`${BATCH_NORM_PREFIX}movingVariance`), epsilon)),
  );
  const kernel = get(kernelRole);
  // dwconv kernels are [kh, kw, C, multiplier]: output channel c·m + j is axis 2 and 3 flattened.
  const scaledKernel =
    node.op === 'dwconv'
      ? tf.mul(kernel, tf.reshape(scale, [1, 1, kernel.shape[2]!, kernel.shape[3]!]))
      : tf.mul(kernel, scale);
  const hasBias = node.weights.some((w) => w.role === 'bias');
  const bias = hasBias ? get('bias') : tf.zerosLike(scale);
  const foldedBias = tf.add(
    tf.mul(tf.sub(bias, get(`${BATCH_NORM_PREFIX}movingMean`)), scale),
    get(`${BATCH_NORM_PREFIX}beta`),
  );
  const result: Record<string, tf.Tensor> = { [kernelRole]: scaledKernel, bias: foldedBias };
  for (const w of node.weights)
    if (!w.role.startsWith(BATCH_NORM_PREFIX) && !(w.role in result)) result[w.role] = get(w.role);
  return result;
}
