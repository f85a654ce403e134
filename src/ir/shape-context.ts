/**
 * The ShapeContext that shape rules receive: equality of symbolic sizes under the model's
 * constraints, with failures phrased around a concrete size that breaks them.
 */
import { type ShapeContext, ShapeError } from '../ops/op.js';
import type { SizeSpace } from './sizes.js';
import { type Dim, type Env, symbolsOf } from './symbolic.js';

/** Describes a mismatch given the two sizes as text: `the inputs of concat have 132 and 129 rows`. */
export type MismatchText = (left: string, right: string) => string;

export function describeEnv(env: Env): string {
  return [...env].map(([name, value]) => `${name} = ${value}`).join(', ');
}

export class CheckingShapeContext implements ShapeContext {
  /** Equalities that could be neither proved nor refuted (products of several symbols). */
  readonly undecided: string[] = [];

  constructor(readonly sizes: SizeSpace) {}

  format(d: Dim): string {
    return this.sizes.format(d);
  }

  requireEqual(a: Dim, b: Dim, what: string | MismatchText, argument?: string): void {
    const result = this.sizes.compare(a, b);
    const describe: MismatchText = typeof what === 'string' ? (l, r) => `${what}: ${l} vs ${r}` : what;
    if (result.kind === 'equal') {
      if (!result.proved) this.undecided.push(`${this.format(a)} equals ${this.format(b)}`);
      return;
    }
    const fixed = [...symbolsOf(a, symbolsOf(b))].filter((s) => this.sizes.fixed.has(s)).sort();
    const env = new Map([...fixed.map((s) => [s, this.sizes.fixed.get(s)!] as [string, number]), ...result.env]);
    const prefix = env.size > 0 ? `with ${describeEnv(env)} ` : '';
    const hint = result.settle ? `the sizes agree when \`${result.settle}\`: add it to the input's \`where\` clause` : undefined;
    throw new ShapeError(`${prefix}${describe(String(result.left), String(result.right))}`, argument, hint);
  }
}
