/**
 * Fuses an activation (an op with `fusableActivation`) into the layer before it, where that
 * layer's op declares `fusesActivation` and its `activation` attribute takes the activation by
 * name, so tfjs runs one fused kernel (conv + bias + activation) at inference. The activation's
 * own attributes (a leaky ReLU's `alpha`) are copied onto the layer.
 */
import type { AttrValue, OpDef } from '../../ops/op.js';
import { attributeParams } from '../../ops/op.js';
import { findOp } from '../../ops/registry.js';
import type { IRNode } from '../graph.js';
import type { Pass } from './pass.js';
import { mergeIntoProducers } from './pass.js';

/** Whether `producer`'s `activation` attribute can name `activation`. */
function accepts(producer: OpDef, activation: OpDef): boolean {
  const type = producer.params.find((p) => p.name === 'activation')?.type;
  return typeof type === 'object' && type.enum.includes(activation.name);
}

function fused(producer: IRNode, node: IRNode, activation: OpDef): IRNode {
  const copied: Record<string, AttrValue> = {};
  for (const param of attributeParams(activation)) copied[param.name] = node.attrs[param.name] ?? param.default ?? null;
  return {
    ...producer,
    attrs: { ...producer.attrs, activation: activation.name, ...copied },
    annotations: [...node.annotations],
    ...(node.binding !== undefined ? { binding: node.binding } : {}),
  };
}

export const fuseActivation: Pass = {
  name: 'fuse-activation',
  modes: ['inference'],
  run(graph) {
    return mergeIntoProducers(graph, (node, producer) => {
      const [activation, layer] = [findOp(node.op), findOp(producer.op)];
      if (!activation?.fusableActivation || !layer?.fusesActivation || !accepts(layer, activation)) return undefined;
      if (producer.attrs.activation !== 'none' || producer.annotations.length > 0) return undefined;
      return fused(producer, node, activation);
    });
  },
};
