/**
 * The space of sizes a model accepts: its size symbols, the `where` constraints on them, and any
 * sizes fixed on the command line (`--input 513,513`). Answers the questions the shape checker
 * asks: are two dims equal for every allowed size (proved, refuted with a concrete size, or
 * undecided), can a dim reach zero, and how to print a dim readably (`H/16`).
 */
import type { Span } from '../diagnostics/diagnostic.js';
import { simplify } from './simplify.js';
import { MAX_SIZE_SEARCH } from '../limits.js';
import {
  type Dim,
  type Env,
  evaluate,
  isQuasiAffine,
  lcm,
  periodOf,
  structural,
  substitute,
  symbolsOf,
} from './symbolic.js';

export interface SizeConstraint {
  /** The constraint as written, e.g. `H % 16 == 0`. */
  readonly text: string;
  /** Where it is written, for constraints from a `where` clause. */
  readonly span?: Span;
  readonly symbols: readonly string[];
  readonly holds: (env: Env) => boolean;
}

export type Comparison =
  | { readonly kind: 'equal'; readonly proved: boolean }
  | {
      readonly kind: 'differ';
      /** A size assignment (smallest found) under which the two differ. */
      readonly env: Env;
      readonly left: number;
      readonly right: number;
      /** A constraint that would make them agree, e.g. `H % 16 == 0`, when one was found. */
      readonly settle?: string;
    };

const SEARCH_LIMIT = 4096;
const MAX_COMBINATIONS = 20_000;
const TYPICAL_SIZE = 32;
const AFFINE_SEARCH_LIMIT = 1 << 16;
/** Entries kept per answer cache before it is emptied: a model asks a few hundred questions. */
const CACHE_LIMIT = 4096;

/**
 * Answers of one size space, keyed by the structural text of the dims asked about (after the
 * fixed sizes are substituted). A space never changes (narrowing makes a new one), so answers
 * stay valid for its lifetime; bounded, it is simply emptied when full.
 */
class AnswerCache<T> {
  private readonly entries = new Map<string, T>();

  get(key: string, compute: () => T): T {
    const known = this.entries.get(key);
    if (known !== undefined || this.entries.has(key)) return known as T;
    const value = compute();
    if (this.entries.size >= CACHE_LIMIT) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}

export class SizeSpace {
  private readonly valuesCache: Map<string, number[]>;
  private readonly comparisons = new AnswerCache<Comparison>();
  private readonly tooSmall = new AnswerCache<{ env: Env; value: number } | undefined>();

  constructor(
    readonly symbols: readonly string[],
    readonly constraints: readonly SizeConstraint[] = [],
    readonly fixed: Env = new Map(),
    inherited?: ReadonlyMap<string, number[]>,
  ) {
    this.valuesCache = new Map(inherited);
  }

  /** A copy with some symbols fixed to concrete sizes. */
  withFixed(fixed: Env): SizeSpace {
    // Same constraints: the allowed values of the symbols that stay free are unchanged.
    return new SizeSpace(this.symbols, this.constraints, new Map([...this.fixed, ...fixed]), this.valuesCache);
  }

  /** A copy with one more constraint. */
  withConstraint(constraint: SizeConstraint): SizeSpace {
    // `valuesOf` judges a symbol by the constraints on it alone, so only that symbol's lists
    // change: they keep the values the new constraint also allows.
    const single = constraint.symbols.length === 1 ? constraint.symbols[0]! : undefined;
    const kept = [...this.valuesCache].map(([key, values]): [string, number[]] => {
      if (single === undefined || !key.startsWith(`${single}:`)) return [key, values];
      return [key, values.filter((v) => safeHolds(constraint, new Map([[single, v]])))];
    });
    return new SizeSpace(this.symbols, [...this.constraints, constraint], this.fixed, new Map(kept));
  }

  /** Allowed values of one symbol, judged by the constraints that mention it alone. */
  valuesOf(symbol: string, limit = SEARCH_LIMIT): number[] {
    const fixed = this.fixed.get(symbol);
    if (fixed !== undefined) return [fixed];
    const key = `${symbol}:${limit}`;
    const cached = this.valuesCache.get(key) ?? this.fromLongerList(symbol, limit);
    if (cached) return cached;
    const own = this.constraints.filter((c) => c.symbols.length === 1 && c.symbols[0] === symbol);
    const values: number[] = [];
    for (let v = 1; v <= limit; v++) {
      const env = new Map([[symbol, v]]);
      if (own.every((c) => safeHolds(c, env))) values.push(v);
    }
    this.valuesCache.set(key, values);
    return values;
  }

  /** The allowed values up to `limit` cut from a list already made up to a higher limit. */
  private fromLongerList(symbol: string, limit: number): number[] | undefined {
    for (const [key, values] of this.valuesCache) {
      const [name, longer] = key.split(':');
      if (name !== symbol || Number(longer) < limit) continue;
      const cut = values.filter((v) => v <= limit);
      this.valuesCache.set(`${symbol}:${limit}`, cut);
      return cut;
    }
    return undefined;
  }

  /** Size assignments to test for the given symbols, smallest first. */
  private *assignments(symbols: readonly string[], limit: number): Generator<Env> {
    const lists = symbols.map((s) => this.valuesOf(s, limit));
    const perSymbol =
      symbols.length <= 1 ? Infinity : Math.max(2, Math.floor(MAX_COMBINATIONS ** (1 / symbols.length)));
    const trimmed = lists.map((l) => l.slice(0, perSymbol));
    const joint = this.constraints.filter((c) => c.symbols.length > 1 && c.symbols.every((s) => symbols.includes(s)));
    const index = trimmed.map(() => 0);
    if (trimmed.some((l) => l.length === 0)) return;
    for (;;) {
      const env = new Map(symbols.map((s, i) => [s, trimmed[i]![index[i]!]!] as [string, number]));
      if (joint.every((c) => safeHolds(c, env))) yield env;
      let k = symbols.length - 1;
      while (k >= 0 && ++index[k]! >= trimmed[k]!.length) index[k--] = 0;
      if (k < 0) return;
    }
  }

  /** Decides whether `a` and `b` agree for every allowed size. */
  compare(a: Dim, b: Dim): Comparison {
    const left = substitute(a, this.fixed);
    const right = substitute(b, this.fixed);
    const leftText = structural(left);
    const rightText = structural(right);
    return this.comparisons.get(`${leftText}\u0000${rightText}`, () => {
      const result = this.search(a, b, leftText === rightText);
      if (result.kind === 'equal') return result;
      const symbols = [...symbolsOf(left, symbolsOf(right))];
      return { ...result, ...this.settle(a, b, symbols) };
    });
  }

  private search(a: Dim, b: Dim, identical = false): Comparison {
    const left = substitute(a, this.fixed);
    const right = substitute(b, this.fixed);
    const symbols = [...symbolsOf(left, symbolsOf(right))].sort();
    if (symbols.length === 0) {
      const l = evaluate(left, new Map());
      const r = evaluate(right, new Map());
      return l === r ? { kind: 'equal', proved: true } : { kind: 'differ', env: new Map(), left: l, right: r };
    }
    const period = lcm(periodOf(left), periodOf(right));
    // Huge strides would ask for a search over billions of sizes: it is capped, and then
    // agreement over the values tried proves nothing.
    const limit = Math.min(Math.max(SEARCH_LIMIT, 4 * period), MAX_SIZE_SEARCH);
    // The same expression on both sides agrees at every size the search would try: skip it.
    if (identical) return { kind: 'equal', proved: this.proves(symbols, left, right, period, limit) };
    if (
      symbols.length === 1 &&
      !this.constraints.some((c) => c.symbols.length > 1 && c.symbols.every((s) => s === symbols[0]))
    ) {
      return (
        this.searchOne(symbols[0]!, left, right, limit) ?? {
          kind: 'equal',
          proved: this.proves(symbols, left, right, period, limit),
        }
      );
    }
    // Prefer a counterexample of a typical image size (every symbol ≥ 32) over a tiny one.
    let first: Comparison | undefined;
    for (const env of this.assignments(symbols, limit)) {
      const l = evaluate(left, env);
      const r = evaluate(right, env);
      if (l === r) continue;
      const found: Comparison = { kind: 'differ', env, left: l, right: r };
      if ([...env.values()].every((v) => v >= TYPICAL_SIZE)) return found;
      first ??= found;
    }
    if (first) return first;
    return { kind: 'equal', proved: this.proves(symbols, left, right, period, limit) };
  }

  /**
   * The search above for one symbol, answering the same: every allowed value in order, the first
   * mismatch at a typical size or else the first one. The dims are compiled to functions of that
   * symbol once, since thousands of values are tried and most pairs agree on all of them.
   */
  private searchOne(symbol: string, left: Dim, right: Dim, limit: number): Comparison | undefined {
    const at = compileDim(left, symbol);
    const other = compileDim(right, symbol);
    if (agreeEverywhere(left, right, at, other, limit)) return undefined;
    let first: Comparison | undefined;
    for (const value of this.valuesOf(symbol, limit)) {
      const l = at(value);
      const r = other(value);
      if (l === r) continue;
      const found: Comparison = { kind: 'differ', env: new Map([[symbol, value]]), left: l, right: r };
      if (value >= TYPICAL_SIZE) return found;
      first ??= found;
    }
    return first;
  }

  /** Whether agreement over the sizes searched proves agreement over all of them. */
  private proves(symbols: readonly string[], left: Dim, right: Dim, period: number, limit: number): boolean {
    return symbols.length === 1 && isQuasiAffine(left) && isQuasiAffine(right) && 2 * period <= limit;
  }

  /** The smallest `S % m == 0` (m a power of two up to 64) under which `a` and `b` agree. */
  private settle(a: Dim, b: Dim, symbols: readonly string[]): { settle?: string } {
    if (symbols.length !== 1) return {};
    const symbol = symbols[0]!;
    for (let m = 2; m <= 64; m *= 2) {
      const text = `${symbol} % ${m} == 0`;
      const narrowed = this.withConstraint({ text, symbols: [symbol], holds: (env) => env.get(symbol)! % m === 0 });
      if (narrowed.valuesOf(symbol).length === 0) continue;
      const result = narrowed.search(a, b);
      if (result.kind === 'equal') return { settle: text };
    }
    return {};
  }

  /** The smallest allowed sizes at which `d` is below 1, if any (an input too small). */
  firstNonPositive(d: Dim): { env: Env; value: number } | undefined {
    const value = substitute(d, this.fixed);
    return this.tooSmall.get(structural(value), () => this.searchNonPositive(value));
  }

  private searchNonPositive(value: Dim): { env: Env; value: number } | undefined {
    const symbols = [...symbolsOf(value)].sort();
    // A size that never shrinks as the symbols grow is smallest at the smallest allowed values:
    // when it is positive there, every assignment the search would try is positive too.
    if (symbols.length > 0 && isNondecreasing(value)) {
      const least = symbols.map((s) => [s, this.valuesOf(s, 512)[0]] as [string, number | undefined]);
      if (least.some(([, v]) => v === undefined)) return undefined;
      if (evaluate(value, new Map(least as [string, number][])) >= 1) return undefined;
    }
    for (const env of this.assignments(symbols, 512)) {
      const v = evaluate(value, env);
      if (v < 1) return { env, value: v };
    }
    return undefined;
  }

  /** Whether some allowed sizes of `symbols` satisfy every constraint on them. */
  satisfiable(symbols: readonly string[]): boolean {
    return !this.assignments(symbols, SEARCH_LIMIT).next().done;
  }

  /** The value of `d` when every symbol is fixed, else undefined. */
  concrete(d: Dim): number | undefined {
    const value = substitute(d, this.fixed);
    return symbolsOf(value).size === 0 ? evaluate(value, new Map()) : undefined;
  }

  /**
   * A readable form, as diagnostics and generated code print sizes. Over the allowed sizes of one
   * symbol, a dim that is affine prints as `H/16`, `2*H`, `H/4 + 1`; otherwise it prints
   * structurally (`ceil(H/2)`).
   */
  format(d: Dim): string {
    return this.render(substitute(d, this.fixed));
  }

  /**
   * The form summaries and drawings print: as `format`, but simplified exactly first, so five
   * padded stride-2 convolutions read `ceil(H/32)` instead of five nested floors.
   */
  display(d: Dim): string {
    return this.render(simplify(substitute(d, this.fixed)));
  }

  private render(value: Dim): string {
    const symbols = [...symbolsOf(value)];
    if (symbols.length === 0) return String(evaluate(value, new Map()));
    if (symbols.length === 1) {
      const affine = this.affineForm(value, symbols[0]!);
      if (affine) return affine;
    }
    return structural(value);
  }

  private affineForm(d: Dim, symbol: string): string | undefined {
    // Enough whole periods of `d` that agreeing on them means agreeing everywhere.
    const limit = Math.max(1024, 4 * periodOf(d));
    if (limit > AFFINE_SEARCH_LIMIT) return undefined;
    const values = this.valuesOf(symbol, limit);
    if (values.length < 2) return undefined;
    const at = (v: number) => evaluate(d, new Map([[symbol, v]]));
    const [x0, x1] = [values[0]!, values[1]!];
    const [y0, y1] = [at(x0), at(x1)];
    // y = (p*x + q) / r with slope p/r = (y1-y0)/(x1-x0)
    const r = (x1 - x0) / gcdAbs(y1 - y0, x1 - x0);
    const p = ((y1 - y0) * r) / (x1 - x0);
    const q = y0 * r - p * x0;
    if (!values.every((x) => at(x) * r === p * x + q)) return undefined;
    return formatAffine(symbol, p, q, r);
  }
}

function gcdAbs(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

function formatAffine(symbol: string, p: number, q: number, r: number): string {
  if (p === 0) return String(q / r);
  const slope = p === 1 ? symbol : p === -1 ? `-${symbol}` : `${p}*${symbol}`;
  if (q % r === 0) {
    const base = r === 1 ? slope : `${slope}/${r}`;
    const c = q / r;
    return c === 0 ? base : c > 0 ? `${base} + ${c}` : `${base} - ${-c}`;
  }
  const numerator = q > 0 ? `${slope} + ${q}` : `${slope} - ${-q}`;
  return `(${numerator})/${r}`;
}

/**
 * `d` as a function of its one symbol, computing exactly what `evaluate` computes (the same
 * operations in the same order), without an environment lookup per node.
 */
function compileDim(d: Dim, symbol: string): (value: number) => number {
  switch (d.kind) {
    case 'const': {
      const constant = d.value;
      return () => constant;
    }
    case 'sym':
      if (d.name !== symbol) throw new RangeError(`no value for size symbol ${d.name}`);
      return (value) => value;
    case 'add': {
      const terms = d.terms.map((t) => compileDim(t, symbol));
      return (value) => terms.reduce((sum, term) => sum + term(value), 0);
    }
    case 'mul': {
      const factors = d.factors.map((f) => compileDim(f, symbol));
      return (value) => factors.reduce((product, factor) => product * factor(value), 1);
    }
    case 'div': {
      const inner = compileDim(d.value, symbol);
      const divisor = d.divisor;
      return d.round === 'floor'
        ? (value) => Math.floor(inner(value) / divisor)
        : (value) => Math.ceil(inner(value) / divisor);
    }
  }
}

/**
 * Whether two quasi-affine dims of one symbol with whole constants agree at every size ≥ 1,
 * judged on 1..2P where P is a common period. Each such dim moves by a fixed step over any
 * multiple of its period (f(x + P) = f(x) + s·P, by induction: a floor or ceil division by d
 * of a dim with period p has period p·d), so their difference does too; zero on two whole
 * periods makes that step zero and the difference zero everywhere. False means "not shown".
 */
function agreeEverywhere(
  left: Dim,
  right: Dim,
  at: (value: number) => number,
  other: (value: number) => number,
  limit: number,
): boolean {
  if (!wholeConstants(left) || !wholeConstants(right) || !isQuasiAffine(left) || !isQuasiAffine(right)) return false;
  const period = lcm(periodOf(left), periodOf(right));
  if (2 * period > limit) return false;
  for (let value = 1; value <= 2 * period; value++) if (at(value) !== other(value)) return false;
  return true;
}

function wholeConstants(d: Dim): boolean {
  switch (d.kind) {
    case 'const':
      return Number.isSafeInteger(d.value);
    case 'sym':
      return true;
    case 'add':
      return d.terms.every(wholeConstants);
    case 'mul':
      return d.factors.every(wholeConstants);
    case 'div':
      return wholeConstants(d.value);
  }
}

/**
 * True when `d` never decreases as any symbol grows (symbols take positive values): sums of such
 * terms, their floor and ceil divisions, and products of symbols and non-negative constants.
 */
function isNondecreasing(d: Dim): boolean {
  switch (d.kind) {
    case 'const':
    case 'sym':
      return true;
    case 'add':
      return d.terms.every(isNondecreasing);
    case 'mul':
      return d.factors.every((f) => f.kind === 'sym' || (f.kind === 'const' && f.value >= 0));
    case 'div':
      return isNondecreasing(d.value);
  }
}

function safeHolds(constraint: SizeConstraint, env: Env): boolean {
  try {
    return constraint.holds(env);
  } catch {
    return false;
  }
}
