/**
 * Symbolic sizes. A dimension is a small expression over size symbols (`N`, `H`, `W`) built
 * from the operations shape rules need: sums, products, and floor/ceil division by constants.
 *
 * Equality is decided by evaluation over the sizes the `where` constraints allow. Sizes built
 * from sums, constant products and floor/ceil divisions of one symbol are quasi-affine: they
 * repeat with a period that divides the product of the divisors, shifted by a constant, so
 * agreeing on every allowed value over two periods proves agreement for all of them. When an
 * expression is not of that form (a product of two symbols), the check can refute but not
 * prove, and says so.
 */

export type Dim =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'sym'; readonly name: string }
  | { readonly kind: 'add'; readonly terms: readonly Dim[] }
  | { readonly kind: 'mul'; readonly factors: readonly Dim[] }
  | { readonly kind: 'div'; readonly value: Dim; readonly divisor: number; readonly round: 'floor' | 'ceil' };

export type Env = ReadonlyMap<string, number>;

export const dim = (value: number): Dim => ({ kind: 'const', value });
export const sym = (name: string): Dim => ({ kind: 'sym', name });

export function isConst(d: Dim): d is { kind: 'const'; value: number } {
  return d.kind === 'const';
}

export function constValue(d: Dim): number | undefined {
  return d.kind === 'const' ? d.value : undefined;
}

export function add(...terms: Dim[]): Dim {
  const flat: Dim[] = [];
  let constant = 0;
  for (const t of terms) {
    for (const u of t.kind === 'add' ? t.terms : [t]) {
      if (u.kind === 'const') constant += u.value;
      else flat.push(u);
    }
  }
  if (flat.length === 0) return dim(constant);
  if (constant !== 0) flat.push(dim(constant));
  return flat.length === 1 ? flat[0]! : { kind: 'add', terms: flat };
}

export function mul(...factors: Dim[]): Dim {
  const flat: Dim[] = [];
  let constant = 1;
  for (const f of factors) {
    for (const u of f.kind === 'mul' ? f.factors : [f]) {
      if (u.kind === 'const') constant *= u.value;
      else flat.push(u);
    }
  }
  if (constant === 0 || flat.length === 0) return dim(constant);
  if (constant !== 1) flat.unshift(dim(constant));
  return flat.length === 1 ? flat[0]! : { kind: 'mul', factors: flat };
}

export function sub(a: Dim, b: Dim): Dim {
  return add(a, mul(dim(-1), b));
}

function divide(value: Dim, divisor: number, round: 'floor' | 'ceil'): Dim {
  if (!Number.isInteger(divisor) || divisor <= 0)
    throw new RangeError(`divisor must be a positive integer, got ${divisor}`);
  if (divisor === 1) return value;
  if (value.kind === 'const')
    return dim(round === 'floor' ? Math.floor(value.value / divisor) : Math.ceil(value.value / divisor));
  return { kind: 'div', value, divisor, round };
}

export const floorDiv = (value: Dim, divisor: number): Dim => divide(value, divisor, 'floor');
export const ceilDiv = (value: Dim, divisor: number): Dim => divide(value, divisor, 'ceil');

export function evaluate(d: Dim, env: Env): number {
  switch (d.kind) {
    case 'const':
      return d.value;
    case 'sym': {
      const v = env.get(d.name);
      if (v === undefined) throw new RangeError(`no value for size symbol ${d.name}`);
      return v;
    }
    case 'add':
      return d.terms.reduce((s, t) => s + evaluate(t, env), 0);
    case 'mul':
      return d.factors.reduce((p, f) => p * evaluate(f, env), 1);
    case 'div': {
      const v = evaluate(d.value, env) / d.divisor;
      return d.round === 'floor' ? Math.floor(v) : Math.ceil(v);
    }
  }
}

export function symbolsOf(d: Dim, into: Set<string> = new Set()): Set<string> {
  if (d.kind === 'sym') into.add(d.name);
  else if (d.kind === 'add') d.terms.forEach((t) => symbolsOf(t, into));
  else if (d.kind === 'mul') d.factors.forEach((f) => symbolsOf(f, into));
  else if (d.kind === 'div') symbolsOf(d.value, into);
  return into;
}

/** Substitutes known symbol values and folds constants. */
export function substitute(d: Dim, env: Env): Dim {
  switch (d.kind) {
    case 'const':
      return d;
    case 'sym':
      return env.has(d.name) ? dim(env.get(d.name)!) : d;
    case 'add':
      return add(...d.terms.map((t) => substitute(t, env)));
    case 'mul':
      return mul(...d.factors.map((f) => substitute(f, env)));
    case 'div':
      return divide(substitute(d.value, env), d.divisor, d.round);
  }
}

/** True when each symbol occurs at most linearly (no product of two symbols). */
export function isQuasiAffine(d: Dim): boolean {
  switch (d.kind) {
    case 'const':
    case 'sym':
      return true;
    case 'add':
      return d.terms.every(isQuasiAffine);
    case 'mul':
      return d.factors.filter((f) => symbolsOf(f).size > 0).length <= 1 && d.factors.every(isQuasiAffine);
    case 'div':
      return isQuasiAffine(d.value);
  }
}

/** The product of all divisors in `d`: a multiple of its period in each symbol. */
export function periodOf(d: Dim): number {
  switch (d.kind) {
    case 'const':
    case 'sym':
      return 1;
    case 'add':
      return d.terms.reduce((p, t) => lcm(p, periodOf(t)), 1);
    case 'mul':
      return d.factors.reduce((p, f) => lcm(p, periodOf(f)), 1);
    case 'div':
      return lcm(d.divisor, periodOf(d.value) * d.divisor);
  }
}

export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

export function lcm(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : Math.abs(a * b) / gcd(a, b);
}

/** Structural rendering: `floor((H + -1) / 2) + 1`. See `formatDim` for the friendly form. */
export function structural(d: Dim): string {
  switch (d.kind) {
    case 'const':
      return String(d.value);
    case 'sym':
      return d.name;
    case 'add':
      return d.terms
        .map((t, i) => {
          const text = structural(t);
          if (i === 0) return text;
          return text.startsWith('-') ? ` - ${text.slice(1)}` : ` + ${text}`;
        })
        .join('');
    case 'mul':
      return d.factors.map((f) => (f.kind === 'add' ? `(${structural(f)})` : structural(f))).join('*');
    case 'div': {
      const inner = structural(d.value);
      return `${d.round}(${d.value.kind === 'add' ? `(${inner})` : inner}/${d.divisor})`;
    }
  }
}
