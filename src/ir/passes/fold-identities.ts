/**
 * Folds nodes whose op says (`identityWhen`) that their compile-time attributes make them the
 * identity at inference: dropout, an upsample by factor 1, a pad or crop of zero. Their readers
 * read the input directly, and the folded node maps to that input.
 */
import { findOp } from '../../ops/registry.js';
import type { Graph, IRNode } from '../graph.js';
import type { Pass } from './pass.js';
import { rebuild, unchanged } from './pass.js';

function isIdentity(node: IRNode, graph: Graph): boolean {
  const op = node.op === 'input' ? undefined : findOp(node.op);
  if (!op?.identityWhen || node.inputs.length === 0) return false;
  return op.identityWhen(
    node.attrs,
    node.inputs.map((i) => graph.nodes[i]!.type),
  );
}

export const foldIdentities: Pass = {
  name: 'fold-identities',
  modes: ['inference'],
  run(graph) {
    const outputs = new Set(graph.outputs.map((o) => o.node));
    const replace = new Map<number, number>();
    for (const node of graph.nodes)
      if (isIdentity(node, graph) && !outputs.has(node.id)) replace.set(node.id, node.inputs[0]!);
    return replace.size === 0 ? unchanged(graph) : rebuild(graph, (n) => !replace.has(n.id), replace);
  },
};
