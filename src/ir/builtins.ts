/**
 * Compile-time functions: `len`, `range`, `min`, `max`, `abs`, `int`, `float` on parameters, and
 * `shape` to read a tensor's sizes.
 */
import type { TensorType } from '../ops/op.js';
import type { SizeSpace } from '../shapes/sizes.js';
import { substitute } from '../shapes/symbolic.js';
import { type Value, describe, float, int, isNumber, list, size, typeName } from './values.js';

/** What a builtin may read about tensors: their types, and the sizes fixed for the model. */
export interface BuiltinContext {
  typeOf(node: number): TensorType;
  readonly sizes: SizeSpace;
}

export interface Builtin {
  readonly name: string;
  readonly signature: string;
  /** The result, or an error message. */
  apply(args: readonly Value[], context: BuiltinContext): Value | string;
}

const numbers = (args: readonly Value[]) => args.every(isNumber);

export const BUILTINS: readonly Builtin[] = [
  {
    name: 'len',
    signature: 'len(list)',
    apply: (args) =>
      args.length === 1 && (args[0]!.kind === 'list' || args[0]!.kind === 'tuple')
        ? int((args[0] as { items: readonly Value[] }).items.length)
        : 'len takes one list',
  },
  {
    name: 'range',
    signature: 'range(stop) or range(start, stop)',
    apply(args) {
      if (!args.every((a) => a.kind === 'int') || args.length < 1 || args.length > 2)
        return 'range takes one or two ints';
      const [start, stop] =
        args.length === 1 ? [0, (args[0] as { value: number }).value] : args.map((a) => (a as { value: number }).value);
      if (stop! - start! > 100_000) return 'range is limited to 100000 items';
      return list(Array.from({ length: Math.max(0, stop! - start!) }, (_, i) => int(start! + i)));
    },
  },
  { name: 'min', signature: 'min(a, b, ...)', apply: (args) => extreme(args, Math.min) },
  { name: 'max', signature: 'max(a, b, ...)', apply: (args) => extreme(args, Math.max) },
  {
    name: 'abs',
    signature: 'abs(x)',
    apply: (args) =>
      args.length === 1 && isNumber(args[0]!)
        ? { ...args[0]!, value: Math.abs(args[0]!.value) }
        : 'abs takes one number',
  },
  {
    name: 'int',
    signature: 'int(x)',
    apply: (args) =>
      args.length === 1 && isNumber(args[0]!) ? int(Math.trunc(args[0]!.value)) : 'int takes one number',
  },
  {
    name: 'float',
    signature: 'float(x)',
    apply: (args) => (args.length === 1 && isNumber(args[0]!) ? float(args[0]!.value) : 'float takes one number'),
  },
  { name: 'shape', signature: 'shape(x: tensor)', apply: shapeOf },
];

/**
 * The sizes of a tensor, one per axis (`[N, H/2, W/2, 64]` for a feature map): ints where they
 * are known (channels always are, and sizes fixed with `--input`), sizes where they depend on
 * the input.
 */
function shapeOf(args: readonly Value[], context: BuiltinContext): Value | string {
  const [x] = args;
  if (args.length !== 1 || x?.kind !== 'tensor')
    return `shape takes one tensor, got ${args.map(describe).join(', ') || 'nothing'}`;
  return list(context.typeOf(x.node).shape.map((d) => size(substitute(d, context.sizes.fixed))));
}

function extreme(args: readonly Value[], pick: (...xs: number[]) => number): Value | string {
  const items = args.length === 1 && args[0]!.kind === 'list' ? args[0]!.items : args;
  if (items.length === 0 || !numbers(items))
    return `expected numbers, got ${items.map(typeName).join(', ') || 'nothing'}`;
  const value = pick(...items.map((a) => (a as { value: number }).value));
  return items.every((a) => a.kind === 'int') ? int(value) : float(value);
}

export function findBuiltin(name: string): Builtin | undefined {
  return BUILTINS.find((b) => b.name === name);
}
