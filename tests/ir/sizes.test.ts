import { describe, expect, it } from 'vitest';
import { SizeSpace, type SizeConstraint } from '../../src/shapes/sizes.js';
import { add, ceilDiv, dim, floorDiv, mul, sub, sym } from '../../src/shapes/symbolic.js';

const H = sym('H');
const multipleOf = (name: string, m: number): SizeConstraint => ({
  text: `${name} % ${m} == 0`,
  symbols: [name],
  holds: (env) => env.get(name)! % m === 0,
});

/** A conv with 'same' padding and stride 2, four times: ceil(ceil(ceil(ceil(H/2)/2)/2)/2). */
const strided = (d: ReturnType<typeof sym>, times: number) =>
  Array.from({ length: times }).reduce<ReturnType<typeof sym>>((x) => ceilDiv(x, 2), d);

describe('SizeSpace.compare', () => {
  it('proves ceil-division chains equal to a single division under a modulus constraint', () => {
    const space = new SizeSpace(['H'], [multipleOf('H', 16)]);
    expect(space.compare(strided(H, 4), floorDiv(H, 16))).toEqual({ kind: 'equal', proved: true });
  });

  it('refutes with the smallest typical size (≥ 32) and names the constraint that settles it', () => {
    const space = new SizeSpace(['H'], []);
    const result = space.compare(strided(H, 4), floorDiv(H, 16));
    expect(result.kind).toBe('differ');
    if (result.kind !== 'differ') return;
    expect([...result.env]).toEqual([['H', 33]]);
    expect([result.left, result.right]).toEqual([3, 2]);
    expect(result.settle).toBe('H % 16 == 0');
  });

  it('finds the DeepLab-style mismatch at H = 513 when only 513 is allowed', () => {
    const space = new SizeSpace(['H'], []).withFixed(new Map([['H', 513]]));
    // stride 4 path (low-level) upsampled ×4 from the stride-16 path vs the stride-4 path itself
    const low = strided(H, 2);
    const high = mul(dim(4), strided(H, 4));
    expect(space.compare(high, low)).toMatchObject({ kind: 'differ', left: 132, right: 129 });
  });

  it('says a product of two symbols is not proved even when no counterexample is found', () => {
    const space = new SizeSpace(['H', 'W'], []);
    expect(space.compare(mul(sym('H'), sym('W')), mul(sym('W'), sym('H')))).toEqual({ kind: 'equal', proved: false });
  });

  it('respects joint constraints between symbols', () => {
    const square: SizeConstraint = {
      text: 'H == W',
      symbols: ['H', 'W'],
      holds: (env) => env.get('H') === env.get('W'),
    };
    const space = new SizeSpace(['H', 'W'], [square]);
    expect(space.compare(sym('H'), sym('W')).kind).toBe('equal');
    expect(new SizeSpace(['H', 'W'], []).compare(sym('H'), sym('W')).kind).toBe('differ');
  });
});

describe('SizeSpace.format', () => {
  const space = new SizeSpace(['H'], [multipleOf('H', 16)]);
  it.each([
    [strided(H, 4), 'H/16'],
    [mul(dim(4), strided(H, 4)), 'H/4'],
    [add(floorDiv(H, 2), dim(1)), 'H/2 + 1'],
    [sub(H, dim(6)), 'H - 6'],
    [mul(dim(2), H), '2*H'],
    [dim(7), '7'],
  ])('prints %j as %s', (d, text) => {
    expect(space.format(d)).toBe(text);
  });

  it('prints non-affine sizes structurally', () => {
    expect(new SizeSpace(['H'], []).format(ceilDiv(H, 2))).toBe('ceil(H/2)');
  });

  it('substitutes fixed sizes', () => {
    expect(space.withFixed(new Map([['H', 512]])).format(strided(H, 4))).toBe('32');
  });
});

describe('SizeSpace.firstNonPositive', () => {
  it('finds the smallest input for which a valid 7×7 conv has no output', () => {
    const space = new SizeSpace(['H'], []);
    expect(space.firstNonPositive(add(sub(H, dim(7)), dim(1)))).toEqual({ env: new Map([['H', 1]]), value: -5 });
    expect(new SizeSpace(['H'], [multipleOf('H', 16)]).firstNonPositive(add(sub(H, dim(7)), dim(1)))).toBeUndefined();
  });
});
