/**
 * Builds the element-wise merges of several tensors (add, mul, max) with numpy broadcasting:
 * shapes align from the right and a size-1 axis stretches, which is how squeeze-excitation
 * multiplies [N, 1, 1, C] weights into an [N, H, W, C] map.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type Dim, constValue, dim, mul } from '../shapes/symbolic.js';
import { axisWord, elementCount, expectFloat, formatShape, tensorType } from './common.js';
import { type EqualityCheck, type OpDef, type ShapeContext, ShapeError, type TensorType, type Tfjs } from './op.js';
import { tensorList } from './params.js';

export interface MergeSpec {
  readonly name: string;
  readonly summary: string;
  readonly combine: (tf: Tfjs, a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  /** The tfjs function `combine` calls (`add`, `mul`, `maximum`), for the code generator. */
  readonly kernel: string;
  /** How it combines its inputs (`OpDef.combines`). */
  readonly combines: 'sum' | 'product' | 'maximum';
}

function broadcastPair(op: string, a: TensorType, b: TensorType, context: ShapeContext): TensorType {
  const rank = Math.max(a.shape.length, b.shape.length);
  const at = (type: TensorType, axis: number): Dim => type.shape[axis - (rank - type.shape.length)] ?? dim(1);
  const pairs: EqualityCheck[] = [];
  const shape = Array.from({ length: rank }, (_, axis) => {
    const [left, right] = [at(a, axis), at(b, axis)];
    if (constValue(left) === 1) return right;
    if (constValue(right) === 1) return left;
    pairs.push({ left, right, word: axisWord(axis, rank), what: `the inputs of ${op} have` });
    return left;
  });
  try {
    context.requireAllEqual(pairs, 'inputs');
  } catch (error) {
    if (!(error instanceof ShapeError) || a.shape.length === b.shape.length) throw error;
    // Shapes of different ranks align from the right, which is rarely what was meant.
    const [low, high] = a.shape.length < b.shape.length ? [a, b] : [b, a];
    throw new ShapeError(
      `the inputs of ${op} have ranks ${a.shape.length} and ${b.shape.length}, ${formatShape(a, context)} and ${formatShape(b, context)}, which do not broadcast`,
      'inputs',
      `shapes align from the right, so the ${low.shape.length}-D input meets the last ${low.shape.length} axes of the ${high.shape.length}-D one; for a per-channel gate keep the spatial axes with \`gap(keep: true)\` ([N, 1, 1, C])`,
    );
  }
  return tensorType(shape);
}

export function mergeOp(spec: MergeSpec): OpDef {
  return {
    name: spec.name,
    summary: spec.summary,
    notes:
      'At least two inputs. Shapes broadcast like numpy: aligned from the right, a size-1 axis stretches to match.',
    params: [tensorList],
    spatial: 'merge',
    combines: spec.combines,
    shape(inputs, _attrs, context) {
      if (inputs.length < 2) {
        throw new ShapeError(
          `${spec.name}: needs at least two inputs, got ${inputs.length}`,
          'inputs',
          `e.g. \`${spec.name}(a, b)\` or \`${spec.name}([a, b, c])\``,
        );
      }
      inputs.forEach((input, index) => expectFloat(spec.name, input, `inputs[${index}]`));
      return inputs.slice(1).reduce((merged, input) => broadcastPair(spec.name, merged, input, context), inputs[0]!);
    },
    flops: (inputs, output) => mul(dim(inputs.length - 1), elementCount(output.shape)),
    execute: ({ tf, inputs }) =>
      tf.tidy(() => inputs.slice(1).reduce((merged, input) => spec.combine(tf, merged, input), inputs[0]!)),
    emit({ inputs }) {
      const merged = inputs.slice(1).reduce((left, input) => `tf.${spec.kernel}(${left}, ${input})`, inputs[0]!);
      return { expression: inputs.length > 2 ? `tf.tidy(() => ${merged})` : merged };
    },
  };
}
