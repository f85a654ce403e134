/**
 * What an output of a model holds, read from its type and the op that makes it. The one place
 * that decides it: explanations, `segc run`, the browser helpers and training all ask here, so
 * a model is read the same way by each of them.
 */
import { constValue } from '../../shapes/symbolic.js';
import type { Graph, IRNode } from '../graph.js';
import { findOp } from '../../ops/registry.js';

export type OutputKindName =
  /** `f32[N, classes]`: one score per class and image (a classifier). */
  | 'class-scores'
  /** `f32[N, H, W, classes]` with classes ≠ 1: one score per class and pixel. */
  | 'segmentation'
  /** `f32[N, H, W, 1]`: one foreground score per pixel (logit, or probability after a sigmoid). */
  | 'foreground'
  /** `[N, H, W]`: a label per pixel. */
  | 'labels'
  /** Anything else: a feature map of ints, a tensor of rank 1, 3 or 5, … */
  | 'other';

export interface OutputKind {
  readonly kind: OutputKindName;
  /** The size of the class axis when it is fixed (1 for a foreground output); absent otherwise. */
  readonly classes?: number;
  /** Whether the values are probabilities already: the output of a softmax or a sigmoid. */
  readonly probabilities: boolean;
}

export function outputKind(node: IRNode): OutputKind {
  const { dtype, shape } = node.type;
  const probabilities = findOp(node.op)?.outputActivation !== undefined;
  const last = shape.length > 1 ? constValue(shape[shape.length - 1]!) : undefined;
  const withClasses = last !== undefined ? { classes: last } : {};
  if (shape.length === 3) return { kind: 'labels', probabilities: false };
  if (dtype !== 'f32' || (shape.length !== 2 && shape.length !== 4)) return { kind: 'other', probabilities };
  if (shape.length === 2) return { kind: 'class-scores', probabilities, ...withClasses };
  return { kind: last === 1 ? 'foreground' : 'segmentation', probabilities, ...withClasses };
}

/** The kind of the graph output named `name`, or of output `index`; undefined when there is none. */
export function outputKindOf(graph: Graph, output: string | number): OutputKind | undefined {
  const found = typeof output === 'number' ? graph.outputs[output] : graph.outputs.find((o) => o.name === output);
  const node = found && graph.nodes[found.node];
  return node && outputKind(node);
}

/** Whether an output holds scores per pixel: per class, or one foreground score. */
export function isPixelScores(kind: OutputKind): boolean {
  return kind.kind === 'segmentation' || kind.kind === 'foreground';
}
