/** Compile-time functions on parameters: `len`, `range`, `min`, `max`, `abs`, `int`, `float`. */
import { type Value, float, int, isNumber, list, typeName } from './values.js';

export interface Builtin {
  readonly name: string;
  readonly signature: string;
  /** The result, or an error message. */
  apply(args: readonly Value[]): Value | string;
}

const numbers = (args: readonly Value[]) => args.every(isNumber);

export const BUILTINS: readonly Builtin[] = [
  {
    name: 'len',
    signature: 'len(list)',
    apply: (args) => (args.length === 1 && (args[0]!.kind === 'list' || args[0]!.kind === 'tuple') ? int((args[0] as { items: readonly Value[] }).items.length) : 'len takes one list'),
  },
  {
    name: 'range',
    signature: 'range(stop) or range(start, stop)',
    apply(args) {
      if (!args.every((a) => a.kind === 'int') || args.length < 1 || args.length > 2) return 'range takes one or two ints';
      const [start, stop] = args.length === 1 ? [0, (args[0] as { value: number }).value] : args.map((a) => (a as { value: number }).value);
      if (stop! - start! > 100_000) return 'range is limited to 100000 items';
      return list(Array.from({ length: Math.max(0, stop! - start!) }, (_, i) => int(start! + i)));
    },
  },
  { name: 'min', signature: 'min(a, b, ...)', apply: (args) => extreme(args, Math.min) },
  { name: 'max', signature: 'max(a, b, ...)', apply: (args) => extreme(args, Math.max) },
  {
    name: 'abs',
    signature: 'abs(x)',
    apply: (args) => (args.length === 1 && isNumber(args[0]!) ? { ...args[0]!, value: Math.abs(args[0]!.value) } : 'abs takes one number'),
  },
  { name: 'int', signature: 'int(x)', apply: (args) => (args.length === 1 && isNumber(args[0]!) ? int(Math.trunc(args[0]!.value)) : 'int takes one number') },
  { name: 'float', signature: 'float(x)', apply: (args) => (args.length === 1 && isNumber(args[0]!) ? float(args[0]!.value) : 'float takes one number') },
];

function extreme(args: readonly Value[], pick: (...xs: number[]) => number): Value | string {
  const items = args.length === 1 && args[0]!.kind === 'list' ? args[0]!.items : args;
  if (items.length === 0 || !numbers(items)) return `expected numbers, got ${items.map(typeName).join(', ') || 'nothing'}`;
  const value = pick(...items.map((a) => (a as { value: number }).value));
  return items.every((a) => a.kind === 'int') ? int(value) : float(value);
}

export function findBuiltin(name: string): Builtin | undefined {
  return BUILTINS.find((b) => b.name === name);
}
