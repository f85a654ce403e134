/**
 * Builds the element-wise merges of several tensors (add, mul, max) with numpy broadcasting:
 * shapes align from the right and a size-1 axis stretches, which is how squeeze-excitation
 * multiplies [N, 1, 1, C] weights into an [N, H, W, C] map.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Dim, constValue, dim, mul } from '../ir/symbolic.js';
import { axisWord, elementCount, expectFloat, tensorType } from './common.js';
import { type OpDef, type ShapeContext, ShapeError, type TensorType } from './op.js';
import { tensorList } from './params.js';

export interface MergeSpec {
  readonly name: string;
  readonly summary: string;
  readonly combine: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  /** The tfjs function `combine` calls (`add`, `mul`, `maximum`), for the code generator. */
  readonly kernel: string;
}

function broadcastPair(op: string, a: TensorType, b: TensorType, context: ShapeContext): TensorType {
  const rank = Math.max(a.shape.length, b.shape.length);
  const at = (type: TensorType, axis: number): Dim => type.shape[axis - (rank - type.shape.length)] ?? dim(1);
  const shape = Array.from({ length: rank }, (_, axis) => {
    const [left, right] = [at(a, axis), at(b, axis)];
    if (constValue(left) === 1) return right;
    if (constValue(right) === 1) return left;
    const word = axisWord(axis, rank);
    context.requireEqual(left, right, (l, r) => `the inputs of ${op} have ${l} and ${r} ${word}`, 'inputs');
    return left;
  });
  return tensorType(shape);
}

export function mergeOp(spec: MergeSpec): OpDef {
  return {
    name: spec.name,
    summary: spec.summary,
    notes: 'At least two inputs. Shapes broadcast like numpy: aligned from the right, a size-1 axis stretches to match.',
    params: [tensorList],
    shape(inputs, _attrs, context) {
      if (inputs.length < 2) {
        throw new ShapeError(`${spec.name}: needs at least two inputs, got ${inputs.length}`, 'inputs', `e.g. \`${spec.name}(a, b)\` or \`${spec.name}([a, b, c])\``);
      }
      inputs.forEach((input, index) => expectFloat(spec.name, input, `inputs[${index}]`));
      return inputs.slice(1).reduce((merged, input) => broadcastPair(spec.name, merged, input, context), inputs[0]!);
    },
    flops: (inputs, output) => mul(dim(inputs.length - 1), elementCount(output.shape)),
    execute: ({ inputs }) => tf.tidy(() => inputs.slice(1).reduce((merged, input) => spec.combine(merged, input), inputs[0]!)),
    emit({ inputs }) {
      const merged = inputs.slice(1).reduce((left, input) => `tf.${spec.kernel}(${left}, ${input})`, inputs[0]!);
      return { expression: inputs.length > 2 ? `tf.tidy(() => ${merged})` : merged };
    },
  };
}
