/**
 * The per-layer summary: name, op, output shape, parameters, FLOPs, receptive field and output
 * stride, with totals. Sizes print symbolically (`H/16`) unless fixed (`--input 513,513`).
 */
import { findOp } from '../../ops/registry.js';
import type { Graph } from '../graph.js';
import type { SizeSpace } from '../sizes.js';
import { receptiveFields } from './receptive-field.js';

export interface SummaryRow {
  readonly name: string;
  readonly op: string;
  readonly shape: readonly string[];
  readonly params: number;
  readonly nonTrainable: number;
  /** Undefined when a size it depends on is symbolic. */
  readonly flops?: number;
  readonly flopsFormula: string;
  readonly receptiveField: number | 'global';
  readonly outputStride: number | 'global';
  readonly annotations: readonly string[];
}

export interface Summary {
  readonly model: string;
  readonly rows: readonly SummaryRow[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  /** Undefined when some size is symbolic. */
  readonly totalFlops?: number;
  readonly outputs: readonly { readonly name: string; readonly layer: string; readonly shape: readonly string[] }[];
  readonly symbols: readonly { readonly name: string; readonly constraints: readonly string[]; readonly value?: number }[];
}

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** FLOPs are per image: the batch symbol of the first input counts as 1. */
function perImage(graph: Graph, sizes: SizeSpace): SizeSpace {
  const first = graph.inputs[0] ? graph.nodes[graph.inputs[0].node]!.type.shape[0] : undefined;
  return first?.kind === 'sym' ? sizes.withFixed(new Map([[first.name, 1]])) : sizes;
}

export function summarize(graph: Graph, sizes: SizeSpace): Summary {
  const fields = receptiveFields(graph);
  const flopSizes = perImage(graph, sizes);
  const rows: SummaryRow[] = graph.nodes.map((node, i) => {
    const op = findOp(node.op);
    const flops = op?.flops?.(node.inputs.map((j) => graph.nodes[j]!.type), node.type, node.attrs);
    const concreteFlops = flops ? flopSizes.concrete(flops) : 0;
    const field = fields[i]!;
    return {
      name: node.name,
      op: node.op,
      shape: node.type.shape.map((d) => sizes.format(d)),
      params: node.weights.filter((w) => w.trainable).reduce((s, w) => s + count(w.shape), 0),
      nonTrainable: node.weights.filter((w) => !w.trainable).reduce((s, w) => s + count(w.shape), 0),
      ...(concreteFlops !== undefined ? { flops: concreteFlops } : {}),
      flopsFormula: flops ? flopSizes.format(flops) : '0',
      receptiveField: Number.isFinite(field.receptiveField) ? field.receptiveField : 'global',
      outputStride: Number.isFinite(field.outputStride) ? field.outputStride : 'global',
      annotations: node.annotations.map((a) => a.name),
    };
  });
  const trainable = rows.reduce((s, r) => s + r.params, 0);
  const nonTrainable = rows.reduce((s, r) => s + r.nonTrainable, 0);
  const flopsKnown = rows.every((r) => r.flops !== undefined);
  return {
    model: graph.model,
    rows,
    totalParams: trainable + nonTrainable,
    trainableParams: trainable,
    nonTrainableParams: nonTrainable,
    ...(flopsKnown ? { totalFlops: rows.reduce((s, r) => s + r.flops!, 0) } : {}),
    outputs: graph.outputs.map((o) => ({ name: o.name, layer: graph.nodes[o.node]!.name, shape: rows[o.node]!.shape })),
    symbols: graph.symbols.map((s) => ({ ...s, ...(sizes.fixed.has(s.name) ? { value: sizes.fixed.get(s.name)! } : {}) })),
  };
}
