/**
 * Compile-time values. Parameters, list comprehensions and conditionals are evaluated while a
 * model is elaborated; tensors are references to IR nodes. A `size` is a tensor size read with
 * `shape(x)` that depends on the input's size symbols (`H/16`); sizes that are known numbers are
 * plain ints. A `poison` value stands for the result of something that already failed with a
 * diagnostic, so one mistake is reported once.
 */
import type { AttrValue } from '../ops/op.js';
import { type Dim, structural } from '../shapes/symbolic.js';

export type Value =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: readonly Value[] }
  | { readonly kind: 'tuple'; readonly items: readonly Value[] }
  | { readonly kind: 'tensor'; readonly node: number }
  | { readonly kind: 'size'; readonly dim: Dim }
  | { readonly kind: 'poison' };

export const POISON: Value = { kind: 'poison' };
export const int = (value: number): Value => ({ kind: 'int', value });
export const float = (value: number): Value => ({ kind: 'float', value });
export const bool = (value: boolean): Value => ({ kind: 'bool', value });
export const str = (value: string): Value => ({ kind: 'string', value });
export const list = (items: readonly Value[]): Value => ({ kind: 'list', items });
export const tensor = (node: number): Value => ({ kind: 'tensor', node });

/** A size as a value: an int when it is a known number, else a symbolic `size`. */
export function size(dim: Dim): Value {
  return dim.kind === 'const' ? int(dim.value) : { kind: 'size', dim };
}

/** The user-facing type name, for messages: `int`, `float[]`, `tensor`, `(tensor, tensor)`. */
export function typeName(value: Value): string {
  switch (value.kind) {
    case 'list': {
      const inner = new Set(value.items.map(typeName));
      return inner.size === 1 ? `${[...inner][0]}[]` : 'list';
    }
    case 'tuple':
      return `(${value.items.map(typeName).join(', ')})`;
    case 'poison':
      return 'error';
    default:
      return value.kind;
  }
}

/**
 * A value for messages: its type and, when that adds something, its value: `int 3`,
 * `float[] [0.5, 1.0]`, `size H/2`, but `tensor` and `(tensor, tensor)` once.
 */
export function describe(value: Value): string {
  const type = typeName(value);
  return holdsTensor(value) ? type : `${type} ${show(value)}`;
}

function holdsTensor(value: Value): boolean {
  if (value.kind === 'list' || value.kind === 'tuple') return value.items.some(holdsTensor);
  return value.kind === 'tensor' || value.kind === 'poison';
}

export function isNumber(value: Value): value is { kind: 'int' | 'float'; value: number } {
  return value.kind === 'int' || value.kind === 'float';
}

/** Converts a compile-time value to an op attribute (tensors are not attributes). */
export function toAttr(value: Value): AttrValue | undefined {
  switch (value.kind) {
    case 'int':
    case 'float':
    case 'bool':
    case 'string':
      return value.value;
    case 'list': {
      const items = value.items.map(toAttr);
      return items.every((i) => i !== undefined) ? (items as AttrValue[]) : undefined;
    }
    default:
      return undefined;
  }
}

/** Renders a value as `.seg` source, for messages. */
export function show(value: Value): string {
  switch (value.kind) {
    case 'int':
    case 'bool':
      return String(value.value);
    case 'float':
      return Number.isInteger(value.value) ? `${value.value}.0` : String(value.value);
    case 'string':
      return JSON.stringify(value.value);
    case 'list':
      return `[${value.items.map(show).join(', ')}]`;
    case 'tuple':
      return `(${value.items.map(show).join(', ')})`;
    case 'tensor':
      return 'tensor';
    case 'size':
      return structural(value.dim);
    case 'poison':
      return '<error>';
  }
}
