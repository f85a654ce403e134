/**
 * Folds an inference-mode batch norm into the convolution (or dense layer) that feeds it:
 * W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β. The graph keeps the batch
 * norm's weights on the convolution (roles prefixed `bn.`) and an attribute `foldedBatchNorm`
 * with its epsilon; the executor computes W' and b' once when weights are loaded, so weight
 * files stay the same with and without folding.
 */
import type { IRNode } from '../graph.js';
import type { Pass } from './pass.js';
import { readers, rebuild } from './pass.js';

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
    const readersOf = readers(graph);
    const replace = new Map<number, number>();
    const merged = new Map<number, IRNode>();
    for (const node of graph.nodes) {
      if (node.op !== 'bn') continue;
      const producer = graph.nodes[node.inputs[0]!]!;
      const exclusive = readersOf.get(producer.id)!.length === 1;
      const plain = producer.attrs.activation === 'none' || producer.attrs.activation === undefined;
      if (!FOLDABLE.has(producer.op) || !exclusive || !plain || producer.attrs.foldedBatchNorm !== undefined) continue;
      merged.set(producer.id, folded(producer, node));
      replace.set(node.id, producer.id);
    }
    if (replace.size === 0) return graph;
    return rebuild(graph, (n) => !replace.has(n.id), replace, (n) => merged.get(n.id) ?? n);
  },
};
