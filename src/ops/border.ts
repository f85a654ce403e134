/**
 * The border amounts of pad and crop: 1 value (all sides), 2 ([rows, cols]: top and bottom
 * get `rows`, left and right get `cols`) or 4 ([top, bottom, left, right]).
 */
import { describeEnv } from '../shapes/shape-context.js';
import { type Dim, add, dim, evaluate, sub, substitute } from '../shapes/symbolic.js';
import { type ShapeContext, ShapeError } from './op.js';

export interface Border {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

export function expandBorder(amount: readonly number[]): Border {
  const [a = 0, b = a, c = a, d = c] = amount;
  if (amount.length === 2) return { top: a, bottom: a, left: b, right: b };
  return { top: a, bottom: b, left: c, right: d };
}

export function validateBorder(amount: readonly number[]): string | undefined {
  if (![1, 2, 4].includes(amount.length))
    return `\`amount\` takes 1, 2 or 4 values ([top, bottom, left, right]), got ${amount.length}`;
  const negative = amount.find((v) => v < 0);
  return negative === undefined ? undefined : `\`amount\` must not be negative, got ${negative}`;
}

/**
 * Requires `size` ≥ `needed` for every allowed size; the message shows both at a size that
 * breaks it, e.g. "pad: with H = 2 `reflect` padding of 2 rows needs more than 2 rows".
 */
export function requireAtLeastSize(
  op: string,
  size: Dim,
  needed: Dim,
  context: ShapeContext,
  describe: (size: number, needed: number) => string,
  argument = 'x',
): void {
  const bad = context.sizes.firstNonPositive(add(sub(size, needed), dim(1)));
  if (!bad) return;
  const at = (d: Dim) => evaluate(substitute(substitute(d, context.sizes.fixed), bad.env), new Map());
  const where = bad.env.size > 0 ? `with ${describeEnv(bad.env)} ` : '';
  throw new ShapeError(`${op}: ${where}${describe(at(size), at(needed))}`, argument);
}
