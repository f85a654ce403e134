/**
 * Exact simplification of symbolic sizes for printing: `floor(floor((H - 1)/2)/2) + 1` becomes
 * `ceil(H/4)`. Every rewrite is an identity over the integers, so a simplified size equals the
 * original for every input size, not only for the ones a `where` clause allows:
 *
 * - `floor(floor(y/a)/b) = floor(y/(a*b))`, and the same for `ceil` (true for every real `y`);
 * - `floor((y + q*k)/k) = floor(y/k) + q` for an integer `y` (and the same for `ceil`);
 * - `floor((y + k - 1)/k) = ceil(y/k)` and `ceil((y - k + 1)/k) = floor(y/k)` for an integer `y`;
 * - `floor((g*y + g*c)/(g*k)) = floor((y + c)/k)`: a common factor of the numerator and the divisor
 *   cancels.
 *
 * Sizes are always integers (every symbol is a whole number and every division rounds), which is
 * what the integer identities need.
 */
import { type Dim, add, dim, gcd, mul, structural } from './symbolic.js';

type Round = 'floor' | 'ceil';

export function simplify(d: Dim): Dim {
  switch (d.kind) {
    case 'const':
    case 'sym':
      return d;
    case 'add':
      return shorter(collect(add(...d.terms.map(simplify))), d);
    case 'mul':
      return shorter(mul(...d.factors.map(simplify)), d);
    case 'div': {
      const value = simplify(d.value);
      return shorter(divide(value, d.divisor, d.round), { ...d, value }, d);
    }
  }
}

/**
 * Rewrites that trade a `ceil` for a `floor` can lengthen a sum (`ceil((2*H + 1)/2)` against
 * `floor(2*H/2) + 1` before like terms meet); the shortest of the equal forms is printed.
 */
function shorter(...forms: Dim[]): Dim {
  return forms.reduce((best, form) => (structural(form).length < structural(best).length ? form : best));
}

/** Like terms meet: `3*ceil(H/2)*ceil(W/2) + 5*ceil(H/2)*ceil(W/2)` is `8*ceil(H/2)*ceil(W/2)`. */
function collect(sum: Dim): Dim {
  if (sum.kind !== 'add') return sum;
  const like = new Map<string, { rest: Dim[]; coefficient: number }>();
  for (const term of sum.terms) {
    const rest =
      term.kind === 'mul' ? term.factors.filter((f) => f.kind !== 'const') : term.kind === 'const' ? [] : [term];
    const key = rest.map(structural).join('*');
    const entry = like.get(key) ?? { rest, coefficient: 0 };
    entry.coefficient += term.kind === 'const' ? term.value : coefficient(term);
    like.set(key, entry);
  }
  return add(...[...like.values()].map(({ rest, coefficient: c }) => mul(dim(c), ...rest)));
}

/** `round(value / divisor)` for an already simplified `value`. */
function divide(value: Dim, divisor: number, round: Round): Dim {
  if (divisor === 1) return value;
  if (value.kind === 'const')
    return dim(round === 'floor' ? Math.floor(value.value / divisor) : Math.ceil(value.value / divisor));
  const { terms, constant } = split(value);
  const common = terms.reduce((g, t) => gcd(g, coefficient(t)), gcd(constant, divisor));
  if (common > 1)
    return divide(add(...terms.map((t) => scale(t, common)), dim(constant / common)), divisor / common, round);
  const rest = add(...terms);
  const remainder = ((constant % divisor) + divisor) % divisor;
  const quotient = (constant - remainder) / divisor;
  // floor((y + r)/k) with r = k - 1 is ceil(y/k); ceil((y + 1)/k) is floor(y/k) + 1.
  if (remainder === 0) return add(nest(rest, divisor, round), dim(quotient));
  if (round === 'floor' && remainder === divisor - 1) return add(nest(rest, divisor, 'ceil'), dim(quotient));
  if (round === 'ceil' && remainder === 1) return add(nest(rest, divisor, 'floor'), dim(quotient + 1));
  return add(nest(add(rest, dim(remainder)), divisor, round), dim(quotient));
}

/** `round(value / divisor)` with no constant offset left in `value`: merges nested divisions. */
function nest(value: Dim, divisor: number, round: Round): Dim {
  if (value.kind === 'div' && value.round === round) return divide(value.value, value.divisor * divisor, round);
  return { kind: 'div', value, divisor, round };
}

function split(value: Dim): { terms: Dim[]; constant: number } {
  const terms = value.kind === 'add' ? value.terms : [value];
  const constant = terms.reduce((sum, t) => sum + (t.kind === 'const' ? t.value : 0), 0);
  return { terms: terms.filter((t) => t.kind !== 'const'), constant };
}

/** The constant factor of a term: 6 for `6*H`, 1 for `H` or `ceil(H/2)`. */
function coefficient(term: Dim): number {
  return term.kind === 'mul' && term.factors[0]?.kind === 'const' ? term.factors[0].value : 1;
}

/** Divides a term by a factor of its coefficient. */
function scale(term: Dim, factor: number): Dim {
  if (term.kind !== 'mul') throw new RangeError(`cannot divide ${term.kind} by ${factor}`);
  return mul(dim(coefficient(term) / factor), ...term.factors.slice(1));
}
