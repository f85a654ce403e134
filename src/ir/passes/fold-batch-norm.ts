/**
 * Folds an inference-mode batch norm into the convolution (or dense layer) that feeds it:
 * W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β. The graph keeps the batch
 * norm's weights on the convolution (roles prefixed `bn.`) and an attribute `foldedBatchNorm`
 * with its epsilon; the executor computes W' and b' once when weights are loaded, so weight
 * files stay the same with and without folding.
 */
import type { IRNode } from '../graph.js';
import type { Pass } from './pass.js';
import { mergeIntoProducers } from './pass.js';

const FOLDABLE = new Set(['conv', 'dwconv', 'sepconv', 'dense']);

export const BATCH_NORM_PREFIX = 'bn.';

function folded(producer: IRNode, batchNorm: IRNode): IRNode {
  return {
    ...producer,
    // The folded layer always has a bias (b' above), whatever the source said.
    attrs: { ...producer.attrs, bias: true, foldedBatchNorm: batchNorm.attrs.epsilon ?? 1e-5 },
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
        node.op === 'bn' && FOLDABLE.has(producer.op) && plain && producer.attrs.foldedBatchNorm === undefined;
      return foldable ? folded(producer, node) : undefined;
    });
  },
};
