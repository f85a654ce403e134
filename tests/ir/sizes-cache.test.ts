/**
 * The shortcuts SizeSpace takes (answers cached per space, identical dims, sizes that never
 * shrink, one symbol searched through compiled dims) must answer exactly what a plain search
 * over the allowed sizes answers. The reference here is that plain search, written out.
 */
import { describe, expect, it } from 'vitest';
import { SizeSpace, type SizeConstraint } from '../../src/shapes/sizes.js';
import { add, ceilDiv, type Dim, dim, evaluate, floorDiv, mul, sub, sym } from '../../src/shapes/symbolic.js';

const H = sym('H');
const W = sym('W');
const multipleOf = (name: string, m: number): SizeConstraint => ({
  text: `${name} % ${m} == 0`,
  symbols: [name],
  holds: (env) => env.get(name)! % m === 0,
});
const atLeast = (name: string, m: number): SizeConstraint => ({
  text: `${name} >= ${m}`,
  symbols: [name],
  holds: (env) => env.get(name)! >= m,
});
/** A 3×3 convolution with stride 2 and padding 1: floor((H - 1)/2) + 1. */
const conv = (d: Dim) => add(floorDiv(sub(d, dim(1)), 2), dim(1));
const times = (d: Dim, n: number, step: (x: Dim) => Dim) => Array.from({ length: n }).reduce<Dim>((x) => step(x), d);

/** Allowed values of H up to `limit`, checked one by one. */
const allowed = (constraints: readonly SizeConstraint[], limit: number) =>
  Array.from({ length: limit }, (_, i) => i + 1).filter((v) => constraints.every((c) => c.holds(new Map([['H', v]]))));

/** The first H (a typical one, ≥ 32, when there is one) at which `a` and `b` differ. */
function referenceMismatch(
  a: Dim,
  b: Dim,
  constraints: readonly SizeConstraint[],
): { H: number; left: number; right: number } | undefined {
  const differing = allowed(constraints, 4096)
    .map((v) => ({ H: v, left: evaluate(a, new Map([['H', v]])), right: evaluate(b, new Map([['H', v]])) }))
    .filter((x) => x.left !== x.right);
  return differing.find((x) => x.H >= 32) ?? differing[0];
}

const pairs: [string, Dim, Dim][] = [
  ['four convolutions vs ceil(H/16)', times(H, 4, conv), ceilDiv(H, 16)],
  ['four convolutions vs floor(H/16)', times(H, 4, conv), floorDiv(H, 16)],
  ['three convolutions vs the ceil of two', times(H, 3, conv), ceilDiv(times(H, 2, conv), 2)],
  ['upsampled ×4 vs the stride-4 path', mul(dim(4), times(H, 4, conv)), times(H, 2, conv)],
  ['the same dim on both sides', times(H, 3, conv), times(H, 3, conv)],
  ['a shifted copy', add(H, dim(-1)), sub(H, dim(1))],
  ['a decreasing size', sub(dim(40), H), floorDiv(sub(dim(80), mul(dim(2), H)), 2)],
];
const spaces: [string, SizeConstraint[]][] = [
  ['no constraint', []],
  ['H % 16 == 0', [multipleOf('H', 16)]],
  ['H % 2 == 0 and H >= 100', [multipleOf('H', 2), atLeast('H', 100)]],
];

describe('SizeSpace answers as a plain search does', () => {
  for (const [what, a, b] of pairs) {
    for (const [where, constraints] of spaces) {
      it(`compares ${what} under ${where}, twice`, () => {
        const space = new SizeSpace(['H'], constraints);
        const expected = referenceMismatch(a, b, constraints);
        for (let round = 0; round < 2; round++) {
          const result = space.compare(a, b);
          if (!expected) {
            expect(result.kind).toBe('equal');
            continue;
          }
          expect(result).toMatchObject({ kind: 'differ', left: expected.left, right: expected.right });
          if (result.kind === 'differ') expect([...result.env]).toEqual([['H', expected.H]]);
        }
      });
    }
  }

  it('agrees with the plain search on random chains of strided layers, resizes and crops', () => {
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const steps: ((x: Dim) => Dim)[] = [
      conv,
      (x) => ceilDiv(x, 2),
      (x) => floorDiv(x, 2 + next(3)),
      (x) => mul(dim(2), x),
      (x) => add(x, dim(next(5) - 2)),
      (x) => floorDiv(add(x, dim(1)), 2),
    ];
    const chain = () => Array.from({ length: 1 + next(5) }).reduce<Dim>((x) => steps[next(steps.length)]!(x), H);
    const space = new SizeSpace(['H'], []);
    let differing = 0;
    for (let n = 0; n < 150; n++) {
      const [a, b] = [chain(), chain()];
      const expected = referenceMismatch(a, b, []);
      const result = space.compare(a, b);
      if (!expected) {
        expect(result.kind).toBe('equal');
        continue;
      }
      differing++;
      expect(result).toMatchObject({
        kind: 'differ',
        env: new Map([['H', expected.H]]),
        left: expected.left,
        right: expected.right,
      });
    }
    expect(differing).toBeGreaterThan(10);
    expect(differing).toBeLessThan(150);
  });

  it('proves identical one-symbol dims equal, and leaves products of two symbols unproved', () => {
    const space = new SizeSpace(['H', 'W'], []);
    expect(space.compare(times(H, 3, conv), times(H, 3, conv))).toEqual({ kind: 'equal', proved: true });
    expect(space.compare(mul(H, W), mul(H, W))).toEqual({ kind: 'equal', proved: false });
  });

  it('answers the same question differently under different where clauses', () => {
    const a = times(H, 4, conv);
    const b = floorDiv(H, 16);
    const open = new SizeSpace(['H'], []);
    expect(open.compare(a, b)).toMatchObject({ kind: 'differ', settle: 'H % 16 == 0' });
    expect(open.withConstraint(multipleOf('H', 16)).compare(a, b)).toEqual({ kind: 'equal', proved: true });
    expect(open.withConstraint(multipleOf('H', 8)).compare(a, b)).toMatchObject({
      kind: 'differ',
      env: new Map([['H', 40]]),
    });
    expect(open.withFixed(new Map([['H', 64]])).compare(a, b)).toEqual({ kind: 'equal', proved: true });
    expect(open.compare(a, b)).toMatchObject({ kind: 'differ', env: new Map([['H', 33]]) });
  });

  it('narrows the allowed values of the constrained symbol only, after they were listed', () => {
    const space = new SizeSpace(['H', 'W'], []);
    expect(space.valuesOf('H', 64)).toHaveLength(64);
    expect(space.valuesOf('W', 64)).toHaveLength(64);
    const narrowed = space.withConstraint(multipleOf('H', 16));
    expect(narrowed.valuesOf('H', 64)).toEqual([16, 32, 48, 64]);
    expect(narrowed.valuesOf('H', 40)).toEqual([16, 32]);
    expect(narrowed.valuesOf('H', 100)).toEqual([16, 32, 48, 64, 80, 96]);
    expect(narrowed.withConstraint(atLeast('H', 40)).valuesOf('H', 64)).toEqual([48, 64]);
    expect(narrowed.valuesOf('W', 64)).toHaveLength(64);
    expect(space.valuesOf('H', 64)).toHaveLength(64);
  });

  it('stays right after more distinct questions than its cache holds', () => {
    const space = new SizeSpace(['H'], []);
    for (let n = 0; n < 5000; n++) expect(space.compare(add(H, dim(n)), add(H, dim(n))).kind).toBe('equal');
    expect(space.compare(add(H, dim(1)), add(H, dim(2)))).toMatchObject({ kind: 'differ', left: 33, right: 34 });
  });
});

describe('SizeSpace.firstNonPositive answers as a plain search does', () => {
  const sizes: [string, Dim][] = [
    ['a 7×7 window after two convolutions', add(sub(times(H, 2, conv), dim(7)), dim(1))],
    ['a growing size', add(floorDiv(H, 4), dim(1))],
    ['a size that shrinks as H grows', sub(dim(40), H)],
    ['a size with a negative product', add(dim(600), mul(dim(-2), H))],
  ];
  for (const [what, d] of sizes) {
    for (const [where, constraints] of spaces) {
      it(`finds the first too-small input for ${what} under ${where}`, () => {
        const space = new SizeSpace(['H'], constraints);
        const first = allowed(constraints, 512).find((v) => evaluate(d, new Map([['H', v]])) < 1);
        const expected =
          first === undefined
            ? undefined
            : { env: new Map([['H', first]]), value: evaluate(d, new Map([['H', first]])) };
        expect(space.firstNonPositive(d)).toEqual(expected);
        expect(space.firstNonPositive(d)).toEqual(expected);
      });
    }
  }
});
