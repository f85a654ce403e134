/**
 * Tensor shapes and dtypes as they appear in a generated module: in the `INPUTS` and `OUTPUTS`
 * constants (known sizes as numbers, symbolic ones as their readable form, `'H/16'`) and in
 * doc comments (`f32[N, 28, 28, 1]`).
 */
import type { SizeSpace } from '../shapes/sizes.js';
import type { Dim } from '../shapes/symbolic.js';
import type { TensorType } from '../ops/op.js';
import { quote } from './text.js';

export function formatDim(d: Dim, sizes?: SizeSpace): string {
  if (d.kind === 'const') return String(d.value);
  if (d.kind === 'sym') return d.name;
  return sizes ? sizes.format(d) : JSON.stringify(d);
}

/** `f32[N, H/4, W/4, 32]` */
export function describeType(type: TensorType, sizes?: SizeSpace): string {
  return `${type.dtype}[${type.shape.map((d) => formatDim(d, sizes)).join(', ')}]`;
}

/** The tfjs dtype of an IR dtype. */
export function tfjsDtype(type: TensorType): 'float32' | 'int32' {
  return type.dtype === 'i32' ? 'int32' : 'float32';
}

/** `{ dtype: 'float32', shape: ['N', 28, 28, 1] }` */
export function typeLiteral(type: TensorType, sizes?: SizeSpace): string {
  const shape = type.shape.map((d) => (d.kind === 'const' ? String(d.value) : quote(formatDim(d, sizes))));
  return `{ dtype: '${tfjsDtype(type)}', shape: [${shape.join(', ')}] }`;
}
