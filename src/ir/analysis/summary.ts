/**
 * The per-layer summary: name, op, output shape, parameters, FLOPs, memory, receptive field and
 * output stride, with totals. Sizes print symbolically and simplified (`ceil(H/16)`) unless fixed
 * (`--input 513,513`). At a depth (as torchinfo's), a block call deeper than it is one row that
 * sums its layers.
 *
 * Memory is per image, in bytes: a layer's parameters (every weight, trainable or not) and its
 * activations (its output tensor). The activation total is what a forward pass holds when it
 * keeps every layer's output, as training does for the backward pass; inference can free most of
 * it sooner. Every dtype the IR has (f32, i32) takes 4 bytes.
 */
import { findOp } from '../../ops/registry.js';
import type { Graph, IRNode } from '../graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { type Dim, add, dim, mul } from '../../shapes/symbolic.js';
import { FULL_DEPTH, type Unit, unitsAtDepth } from './depth.js';
import { receptiveFields } from './receptive-field.js';

export const BYTES_PER_ELEMENT = 4;

export interface SummaryRow {
  readonly name: string;
  /** The op, or the block's name for a collapsed block call. */
  readonly op: string;
  readonly shape: readonly string[];
  readonly params: number;
  readonly nonTrainable: number;
  /** Undefined when a size it depends on is symbolic. */
  readonly flops?: number;
  readonly flopsFormula: string;
  /** Bytes of all weights (parameters and batch-norm statistics). */
  readonly paramBytes: number;
  /** Bytes of the output tensor (of every layer, for a block) per image; undefined when symbolic. */
  readonly activationBytes?: number;
  readonly activationFormula: string;
  readonly receptiveField: number | 'global';
  readonly outputStride: number | 'global';
  readonly annotations: readonly string[];
  /** For a collapsed block call: how many layers it holds and how many times it ran. */
  readonly layers?: number;
  readonly iterations?: number;
}

export interface Summary {
  readonly model: string;
  /** How deep block calls are expanded; `null` when every layer has its own row. */
  readonly depth: number | null;
  readonly rows: readonly SummaryRow[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  /** Undefined when some size is symbolic. */
  readonly totalFlops?: number;
  readonly paramBytes: number;
  /** Undefined when some size is symbolic. */
  readonly activationBytes?: number;
  readonly outputs: readonly { readonly name: string; readonly layer: string; readonly shape: readonly string[] }[];
  readonly symbols: readonly {
    readonly name: string;
    readonly constraints: readonly string[];
    readonly value?: number;
  }[];
}

export interface SummaryOptions {
  /** Block calls nested deeper than this are one row each; every layer by default. */
  readonly depth?: number;
}

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** FLOPs and memory are per image: the batch symbol of the first input counts as 1. */
function perImage(graph: Graph, sizes: SizeSpace): SizeSpace {
  const first = graph.inputs[0] ? graph.nodes[graph.inputs[0].node]!.type.shape[0] : undefined;
  return first?.kind === 'sym' ? sizes.withFixed(new Map([[first.name, 1]])) : sizes;
}

/** What each layer costs, as sizes that may be symbolic. */
interface LayerCost {
  readonly flops: Dim;
  readonly activations: Dim;
}

function layerCost(graph: Graph, node: IRNode): LayerCost {
  const op = findOp(node.op);
  const flops =
    op?.flops?.(
      node.inputs.map((j) => graph.nodes[j]!.type),
      node.type,
      node.attrs,
    ) ?? dim(0);
  return { flops, activations: mul(dim(BYTES_PER_ELEMENT), ...node.type.shape) };
}

export function summarize(graph: Graph, sizes: SizeSpace, options: SummaryOptions = {}): Summary {
  const depth = options.depth ?? FULL_DEPTH;
  const fields = receptiveFields(graph);
  const image = perImage(graph, sizes);
  const units = unitsAtDepth(graph, depth);
  const rows = units.map((unit) => unitRow(graph, unit, sizes, image, fields));
  const trainable = rows.reduce((s, r) => s + r.params, 0);
  const nonTrainable = rows.reduce((s, r) => s + r.nonTrainable, 0);
  const flopsKnown = rows.every((r) => r.flops !== undefined);
  const activationsKnown = rows.every((r) => r.activationBytes !== undefined);
  const byNode = new Map(graph.nodes.map((n) => [n.id, n]));
  return {
    model: graph.model,
    depth: Number.isFinite(depth) ? depth : null,
    rows,
    totalParams: trainable + nonTrainable,
    trainableParams: trainable,
    nonTrainableParams: nonTrainable,
    ...(flopsKnown ? { totalFlops: rows.reduce((s, r) => s + r.flops!, 0) } : {}),
    paramBytes: rows.reduce((s, r) => s + r.paramBytes, 0),
    ...(activationsKnown ? { activationBytes: rows.reduce((s, r) => s + r.activationBytes!, 0) } : {}),
    outputs: graph.outputs.map((o) => {
      const node = byNode.get(o.node)!;
      return { name: o.name, layer: node.name, shape: node.type.shape.map((d) => sizes.display(d)) };
    }),
    symbols: graph.symbols.map((s) => ({
      ...s,
      ...(sizes.fixed.has(s.name) ? { value: sizes.fixed.get(s.name)! } : {}),
    })),
  };
}

function unitRow(
  graph: Graph,
  unit: Unit,
  sizes: SizeSpace,
  image: SizeSpace,
  fields: ReturnType<typeof receptiveFields>,
): SummaryRow {
  const { nodes, block } = unit;
  const last = block?.exit ?? nodes[0]!;
  const costs = nodes.map((n) => layerCost(graph, n));
  const flops = add(...costs.map((c) => c.flops));
  const activations = add(...costs.map((c) => c.activations));
  const weights = nodes.flatMap((n) => n.weights);
  const field = fields[last.id]!;
  const concreteFlops = image.concrete(flops);
  const concreteActivations = image.concrete(activations);
  return {
    name: block?.name ?? last.name,
    op: block?.site.block ?? last.op,
    shape: last.type.shape.map((d) => sizes.display(d)),
    params: weights.filter((w) => w.trainable).reduce((s, w) => s + count(w.shape), 0),
    nonTrainable: weights.filter((w) => !w.trainable).reduce((s, w) => s + count(w.shape), 0),
    ...(concreteFlops !== undefined ? { flops: concreteFlops } : {}),
    flopsFormula: image.display(flops),
    paramBytes: weights.reduce((s, w) => s + count(w.shape), 0) * BYTES_PER_ELEMENT,
    ...(concreteActivations !== undefined ? { activationBytes: concreteActivations } : {}),
    activationFormula: image.display(activations),
    receptiveField: Number.isFinite(field.receptiveField) ? field.receptiveField : 'global',
    outputStride: Number.isFinite(field.outputStride) ? field.outputStride : 'global',
    annotations: block ? [] : last.annotations.map((a) => a.name),
    ...(block ? { layers: nodes.length, iterations: block.iterations } : {}),
  };
}
