/**
 * Helpers every shape rule needs: reading ranks and channel counts with messages that name the
 * op and the argument, and building output types.
 */
import { type Dim, constValue, dim, mul, structural } from '../shapes/symbolic.js';
import { type DType, type ShapeContext, ShapeError, type TensorType } from './op.js';

export function formatShape(type: TensorType, context: ShapeContext): string {
  return `[${type.shape.map((d) => context.format(d)).join(', ')}]`;
}

export function tensorType(shape: readonly Dim[], dtype: DType = 'f32'): TensorType {
  return { dtype, shape };
}

/** The input at `index`, or an error naming the missing argument (a checker mistake, not the user's). */
export function inputAt(op: string, inputs: readonly TensorType[], index: number, argument: string): TensorType {
  const input = inputs[index];
  if (!input) throw new ShapeError(`${op}: missing tensor argument \`${argument}\``, argument);
  return input;
}

/** Requires an NHWC feature map; the message shows what was given. */
export function expectFeatureMap(op: string, input: TensorType, context: ShapeContext, argument = 'x'): TensorType {
  if (input.shape.length !== 4) {
    throw new ShapeError(
      `${op}: expected a 4-D feature map [N, H, W, C] for \`${argument}\`, got ${formatShape(input, context)}`,
      argument,
      input.shape.length === 2
        ? 'this is a flat [N, C] tensor: apply spatial ops before pool/flatten/dense'
        : 'feature maps are NHWC: [batch, rows, columns, channels]',
    );
  }
  expectFloat(op, input, argument);
  return input;
}

export function expectFloat(op: string, input: TensorType, argument: string): void {
  if (input.dtype !== 'f32') {
    throw new ShapeError(
      `${op}: expected a float tensor for \`${argument}\`, got ${input.dtype}`,
      argument,
      'argmax outputs class indices, not values',
    );
  }
}

/** Requires a rank of at least `minimum` (batch plus something). */
export function expectRankAtLeast(
  op: string,
  input: TensorType,
  minimum: number,
  context: ShapeContext,
  argument = 'x',
): void {
  if (input.shape.length < minimum) {
    throw new ShapeError(
      `${op}: expected a tensor of rank ${minimum} or more for \`${argument}\`, got ${formatShape(input, context)}`,
      argument,
    );
  }
}

/** The channel count (last axis); channels are always concrete. */
export function channelsOf(op: string, input: TensorType, argument = 'x'): number {
  const last = input.shape[input.shape.length - 1];
  const value = last === undefined ? undefined : constValue(last);
  if (value === undefined) {
    throw new ShapeError(
      `${op}: the channel count of \`${argument}\` is ${structural(last!)}, which depends on the input size`,
      argument,
      'fix the input size (`f32[N, 224, 224, 3]`, or `--input 224,224`), or pool to a known channel count first with `gap`',
    );
  }
  return value;
}

/** Normalises a possibly negative axis against a rank, or explains the range. */
export function normaliseAxis(op: string, axis: number, rank: number, argument = 'axis'): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (resolved < 0 || resolved >= rank) {
    throw new ShapeError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank}`,
      argument,
      `use an axis from ${-rank} to ${rank - 1}`,
    );
  }
  return resolved;
}

export function elementCount(shape: readonly Dim[]): Dim {
  return mul(...shape);
}

/** FLOPs of `perElement` operations on every element of `type`. */
export function perElement(type: TensorType, perElementCost: number): Dim {
  return mul(dim(perElementCost), elementCount(type.shape));
}

/** Names an axis of an NHWC tensor for messages: "rows", "channels", ... */
export function axisWord(axis: number, rank: number): string {
  if (axis === 0) return 'batch sizes';
  if (axis === rank - 1) return 'channels';
  if (rank === 4) return axis === 1 ? 'rows' : 'columns';
  return `sizes along axis ${axis}`;
}
