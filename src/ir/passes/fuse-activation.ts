/**
 * Fuses an activation into the convolution or dense layer before it, so tfjs runs one fused
 * kernel (conv + bias + activation) at inference.
 */
import type { Pass } from './pass.js';
import { readers, rebuild } from './pass.js';
import type { IRNode } from '../graph.js';
import type { AttrValue } from '../../ops/op.js';

const PRODUCERS = new Set(['conv', 'dwconv', 'sepconv', 'dense']);
const ACTIVATIONS = new Set(['relu', 'relu6', 'sigmoid', 'tanh', 'leakyRelu']);

export const fuseActivation: Pass = {
  name: 'fuse-activation',
  modes: ['inference'],
  run(graph) {
    const readersOf = readers(graph);
    const replace = new Map<number, number>();
    const merged = new Map<number, IRNode>();
    for (const node of graph.nodes) {
      if (!ACTIVATIONS.has(node.op)) continue;
      const producer = merged.get(node.inputs[0]!) ?? graph.nodes[node.inputs[0]!]!;
      if (!PRODUCERS.has(producer.op) || readersOf.get(producer.id)!.length !== 1) continue;
      if (producer.attrs.activation !== 'none' || producer.annotations.length > 0) continue;
      const alpha: Record<string, AttrValue> = node.op === 'leakyRelu' ? { alpha: node.attrs.alpha ?? 0.01 } : {};
      merged.set(producer.id, {
        ...producer,
        attrs: { ...producer.attrs, activation: node.op, ...alpha },
        annotations: [...node.annotations],
        ...(node.binding !== undefined ? { binding: node.binding } : {}),
      });
      replace.set(node.id, producer.id);
    }
    if (replace.size === 0) return graph;
    return rebuild(graph, (n) => !replace.has(n.id), replace, (n) => merged.get(n.id) ?? n);
  },
};
