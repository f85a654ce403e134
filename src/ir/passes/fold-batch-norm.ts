/**
 * Folds an inference-mode batch norm (an op with `foldableBatchNorm`) into the layer that feeds
 * it, where that layer's op declares `foldsBatchNorm`: W' = W·γ/√(σ²+ε) per output channel,
 * b' = (b − μ)·γ/√(σ²+ε) + β. The graph keeps the batch norm's weights on the layer (roles
 * prefixed `bn.`) and an attribute `foldedBatchNorm` with its epsilon; the executor computes W'
 * and b' once when weights are loaded, so weight files stay the same with and without folding.
 */
import { BATCH_NORM_PREFIX, FOLDED_BATCH_NORM_ATTRIBUTE } from '../../ops/op.js';
import { findOp } from '../../ops/registry.js';
import type { IRNode } from '../graph.js';
import type { Pass } from './pass.js';
import { mergeIntoProducers } from './pass.js';

function folded(producer: IRNode, batchNorm: IRNode): IRNode {
  return {
    ...producer,
    // The folded layer always has a bias (b' above), whatever the source said.
    attrs: { ...producer.attrs, bias: true, [FOLDED_BATCH_NORM_ATTRIBUTE]: batchNorm.attrs.epsilon ?? 1e-5 },
    weights: [...producer.weights, ...batchNorm.weights.map((w) => ({ ...w, role: `${BATCH_NORM_PREFIX}${w.role}` }))],
    annotations: [...producer.annotations, ...batchNorm.annotations],
    ...(batchNorm.binding !== undefined ? { binding: batchNorm.binding } : {}),
  };
}

export const foldBatchNorm: Pass = {
  name: 'fold-batch-norm',
  modes: ['inference'],
  run(graph) {
    return mergeIntoProducers(graph, (node, producer) => {
      const plain = producer.attrs.activation === 'none' || producer.attrs.activation === undefined;
      const foldable =
        findOp(node.op)?.foldableBatchNorm === true &&
        findOp(producer.op)?.foldsBatchNorm !== undefined &&
        plain &&
        producer.attrs[FOLDED_BATCH_NORM_ATTRIBUTE] === undefined;
      return foldable ? folded(producer, node) : undefined;
    });
  },
};
