/**
 * The ShapeContext that shape rules receive: equality of symbolic sizes under the model's
 * constraints, with failures phrased around a concrete size that breaks them.
 */
import { type EqualityCheck, type ShapeContext, ShapeError, type TooSmall } from './types.js';
import type { SizeSpace } from './sizes.js';
import { type Dim, type Env, evaluate, substitute, symbolsOf } from './symbolic.js';

/** Describes a mismatch given the two sizes as text: `the inputs of concat have 132 and 129 rows`. */
export type MismatchText = (left: string, right: string) => string;

export function describeEnv(env: Env): string {
  return [...env].map(([name, value]) => `${name} = ${value}`).join(', ');
}

/** The hint that names the `where` clauses under which sizes agree. */
export function settleHint(clauses: readonly string[]): string | undefined {
  if (clauses.length === 0) return undefined;
  const list = clauses.map((c) => `\`${c}\``).join(', ');
  return `the sizes agree when ${list}: add ${clauses.length === 1 ? 'it' : 'them'} to the input's \`where\` clause`;
}

interface Mismatch {
  readonly env: Env;
  readonly settle?: string;
}

/** A too-small size that some allowed sizes avoid: reported at the end unless something else failed. */
export interface DeferredTooSmall {
  readonly error: ShapeError;
  readonly symbols: readonly string[];
}

export class CheckingShapeContext implements ShapeContext {
  /** Equalities that could be neither proved nor refuted (products of several symbols). */
  readonly undecided: string[] = [];
  /** Windows too large for the smallest allowed inputs, found since the builder last took them. */
  readonly deferred: DeferredTooSmall[] = [];

  /** Narrowed by `requirePositive` to the sizes for which every window so far fits. */
  sizes: SizeSpace;

  constructor(sizes: SizeSpace) {
    this.sizes = sizes;
  }

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
    const env = this.withFixed(result.env, [a, b]);
    const prefix = env.size > 0 ? `with ${describeEnv(env)} ` : '';
    throw new ShapeError(
      `${prefix}${describe(String(result.left), String(result.right))}`,
      argument,
      settleHint(result.settle ? [result.settle] : []),
    );
  }

  requireAllEqual(pairs: readonly EqualityCheck[], argument?: string): void {
    const found: { pair: EqualityCheck; mismatch: Mismatch }[] = [];
    for (const pair of pairs) {
      const result = this.sizes.compare(pair.left, pair.right);
      if (result.kind === 'differ') found.push({ pair, mismatch: result });
      else if (!result.proved) this.undecided.push(`${this.format(pair.left)} equals ${this.format(pair.right)}`);
    }
    if (found.length === 0) return;
    // One size assignment for all the mismatches when they are about different symbols (H for
    // rows, W for columns); otherwise the first mismatch alone.
    const joint = new Map<string, number>();
    const kept = found.filter(({ mismatch }) => {
      if ([...mismatch.env].some(([name, value]) => joint.has(name) && joint.get(name) !== value)) return false;
      for (const [name, value] of mismatch.env) joint.set(name, value);
      return true;
    });
    const at = (d: Dim) => evaluate(substitute(substitute(d, this.sizes.fixed), joint), new Map());
    const env = this.withFixed(
      joint,
      kept.flatMap(({ pair }) => [pair.left, pair.right]),
    );
    const prefix = env.size > 0 ? `with ${describeEnv(env)} ` : '';
    const parts = kept.map(({ pair }) => `${at(pair.left)} and ${at(pair.right)} ${pair.word}`);
    const settles = kept.flatMap(({ mismatch }) => (mismatch.settle ? [mismatch.settle] : []));
    throw new ShapeError(`${prefix}${kept[0]!.pair.what} ${parts.join(' and ')}`, argument, settleHint(settles));
  }

  requirePositive(sizes: readonly Dim[], error: (bad: readonly (TooSmall | undefined)[]) => ShapeError): void {
    const bad = sizes.map((d) => this.sizes.firstNonPositive(d));
    if (bad.every((b) => b === undefined)) return;
    let narrowed = this.sizes;
    const symbols = new Set<string>();
    for (const [index, d] of sizes.entries()) {
      if (!bad[index]) continue;
      const value = substitute(d, narrowed.fixed);
      const mentioned = [...symbolsOf(value)].sort();
      if (mentioned.length === 0) throw error(bad);
      mentioned.forEach((s) => symbols.add(s));
      narrowed = narrowed.withConstraint({
        text: `${narrowed.format(d)} >= 1`,
        symbols: mentioned,
        holds: (env) => evaluate(value, env) >= 1,
      });
    }
    if (!narrowed.satisfiable([...symbols])) throw error(bad);
    this.sizes = narrowed;
    this.deferred.push({ error: error(bad), symbols: [...symbols].sort() });
  }

  /** `env` with the values of the fixed symbols that `dims` mention first. */
  private withFixed(env: Env, dims: readonly Dim[]): Env {
    const mentioned = new Set<string>();
    dims.forEach((d) => symbolsOf(d, mentioned));
    const fixed = [...mentioned].filter((s) => this.sizes.fixed.has(s)).sort();
    return new Map([...fixed.map((s) => [s, this.sizes.fixed.get(s)!] as [string, number]), ...env]);
  }
}
