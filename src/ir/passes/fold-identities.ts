/**
 * Folds nodes whose compile-time attributes make them the identity at inference: dropout, an
 * upsample by factor 1, and a pad or crop of zero. Their readers read the input directly.
 */
import type { IRNode } from '../graph.js';
import type { Pass } from './pass.js';
import { rebuild } from './pass.js';

function isIdentity(node: IRNode): boolean {
  const zeros = (v: unknown) => Array.isArray(v) && v.every((x) => x === 0);
  switch (node.op) {
    case 'dropout':
      return true;
    case 'upsample':
      return Array.isArray(node.attrs.factor) && node.attrs.factor.every((f) => f === 1);
    case 'pad':
      return zeros(node.attrs.amount);
    case 'crop':
      return zeros(node.attrs.amount);
    default:
      return false;
  }
}

export const foldIdentities: Pass = {
  name: 'fold-identities',
  modes: ['inference'],
  run(graph) {
    const outputs = new Set(graph.outputs.map((o) => o.node));
    const replace = new Map<number, number>();
    for (const node of graph.nodes)
      if (isIdentity(node) && !outputs.has(node.id)) replace.set(node.id, node.inputs[0]!);
    return replace.size === 0 ? graph : rebuild(graph, (n) => !replace.has(n.id), replace);
  },
};
