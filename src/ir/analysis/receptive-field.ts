/**
 * Receptive field and output stride at every node, per spatial axis (rows shown; the analysis is
 * symmetric in columns unless kernels are not square, in which case the larger is reported).
 * With jump j (the input-pixel distance between neighbouring outputs, i.e. the output stride) and
 * receptive field r: an op with extent e and stride s gives r' = r + (e − 1)·j and j' = j·s.
 * Each op's step comes from its `receptiveField` rule, given the whole node (attributes, input
 * and output types), so resizing to a size or to another tensor's size divides j by the ratio of
 * the sizes. Ops whose `spatial` is `global` make the field the whole input (reported as
 * `global`); `merge` ops keep the finest stride of their inputs.
 */
import { tensorParams } from '../../ops/op.js';
import { findOp } from '../../ops/registry.js';
import type { Graph } from '../graph.js';

export interface FieldInfo {
  /** Receptive field in input pixels, or Infinity for global pooling. */
  readonly receptiveField: number;
  /** Output stride: input pixels between neighbouring outputs (may be fractional after upsampling a finer map). */
  readonly outputStride: number;
}

const POINT: FieldInfo = { receptiveField: 1, outputStride: 1 };

export function receptiveFields(graph: Graph): FieldInfo[] {
  const info: FieldInfo[] = [];
  for (const node of graph.nodes) {
    const op = node.op === 'input' ? undefined : findOp(node.op);
    if (!op) {
      info.push(POINT);
      continue;
    }
    if (op.spatial === 'global') {
      info.push({ receptiveField: Infinity, outputStride: Infinity });
      continue;
    }
    // A shape-only input (`upsample(like:)`) contributes no pixels to the field.
    const shapeOnly = new Set(op.shapeOnlyInputs ?? []);
    const names = tensorParams(op).map((p) => p.name);
    const sources = node.inputs.filter((_, index) => !shapeOnly.has(names[index] ?? '')).map((i) => info[i]!);
    const field = Math.max(1, ...sources.map((s) => s.receptiveField));
    const inputs = node.inputs.map((i) => graph.nodes[i]!.type);
    const step = op.receptiveField?.({ attrs: node.attrs, inputs, output: node.type }) ?? { extent: 1, stride: 1 };
    const jump =
      op.spatial === 'merge' ? Math.min(...sources.map((s) => s.outputStride)) : (sources[0] ?? POINT).outputStride;
    info.push({ receptiveField: field + (step.extent - 1) * jump, outputStride: jump * step.stride });
  }
  return info;
}

/** Closed form for a stack of n stride-1 k×k convs with dilations d_i: 1 + Σ (k − 1)·d_i. */
export function stackedAtrousField(kernel: number, dilations: readonly number[]): number {
  return 1 + dilations.reduce((sum, d) => sum + (kernel - 1) * d, 0);
}
