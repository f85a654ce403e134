/**
 * Receptive field and output stride at every node, per spatial axis (rows shown; the analysis is
 * symmetric in columns unless kernels are not square, in which case the larger is reported).
 * With jump j (the input-pixel distance between neighbouring outputs, i.e. the output stride) and
 * receptive field r: an op with extent e and stride s gives r' = r + (e − 1)·j and j' = j·s.
 * Upsampling divides j; global pooling makes the field the whole input (reported as `global`).
 */
import { findOp } from '../../ops/registry.js';
import type { Graph } from '../graph.js';

export interface FieldInfo {
  /** Receptive field in input pixels, or Infinity for global pooling. */
  readonly receptiveField: number;
  /** Output stride: input pixels between neighbouring outputs (may be fractional after upsampling a finer map). */
  readonly outputStride: number;
}

const GLOBAL_OPS = new Set(['gap', 'gmp', 'flatten', 'dense', 'reshape']);

export function receptiveFields(graph: Graph): FieldInfo[] {
  const info: FieldInfo[] = [];
  for (const node of graph.nodes) {
    if (node.op === 'input') {
      info.push({ receptiveField: 1, outputStride: 1 });
      continue;
    }
    const sources = node.inputs.map((i) => info[i]!);
    const base = sources[0] ?? { receptiveField: 1, outputStride: 1 };
    if (GLOBAL_OPS.has(node.op)) {
      info.push({ receptiveField: Infinity, outputStride: Infinity });
      continue;
    }
    const field = Math.max(...sources.map((s) => s.receptiveField));
    if (node.op === 'upsample' && node.inputs.length > 1) {
      info.push({ receptiveField: field, outputStride: sources[1]!.outputStride });
      continue;
    }
    const step = findOp(node.op)?.receptiveField?.(node.attrs) ?? { extent: 1, stride: 1 };
    const jump =
      node.op === 'concat' || node.op === 'add' || node.op === 'mul' || node.op === 'max'
        ? Math.min(...sources.map((s) => s.outputStride))
        : base.outputStride;
    info.push({ receptiveField: field + (step.extent - 1) * jump, outputStride: jump * step.stride });
  }
  return info;
}

/** Closed form for a stack of n stride-1 k×k convs with dilations d_i: 1 + Σ (k − 1)·d_i. */
export function stackedAtrousField(kernel: number, dilations: readonly number[]): number {
  return 1 + dilations.reduce((sum, d) => sum + (kernel - 1) * d, 0);
}
