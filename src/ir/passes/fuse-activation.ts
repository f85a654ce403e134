/**
 * Fuses an activation into the convolution or dense layer before it, so tfjs runs one fused
 * kernel (conv + bias + activation) at inference.
 */
import type { Pass } from './pass.js';
import { mergeIntoProducers } from './pass.js';
import type { AttrValue } from '../../ops/op.js';

const PRODUCERS = new Set(['conv', 'dwconv', 'sepconv', 'dense']);
const ACTIVATIONS = new Set(['relu', 'relu6', 'sigmoid', 'tanh', 'leakyRelu']);

export const fuseActivation: Pass = {
  name: 'fuse-activation',
  modes: ['inference'],
  run(graph) {
    return mergeIntoProducers(graph, (node, producer) => {
      if (!ACTIVATIONS.has(node.op) || !PRODUCERS.has(producer.op)) return undefined;
      if (producer.attrs.activation !== 'none' || producer.annotations.length > 0) return undefined;
      const alpha: Record<string, AttrValue> = node.op === 'leakyRelu' ? { alpha: node.attrs.alpha ?? 0.01 } : {};
      return {
        ...producer,
        attrs: { ...producer.attrs, activation: node.op, ...alpha },
        annotations: [...node.annotations],
        ...(node.binding !== undefined ? { binding: node.binding } : {}),
      };
    });
  },
};
