/**
 * Simplified sizes print shorter and stay exact: every simplified size is compared with the
 * original by evaluation on every size from 0 to 2,048, for the chains real networks build and
 * for random expressions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { PACKAGE_ROOT, nodeHost } from '../../src/compiler/node-host.js';
import { SizeSpace } from '../../src/shapes/sizes.js';
import { simplify } from '../../src/shapes/simplify.js';
import {
  type Dim,
  add,
  ceilDiv,
  dim,
  evaluate,
  floorDiv,
  mul,
  structural,
  sym,
  symbolsOf,
} from '../../src/shapes/symbolic.js';
import { join } from 'node:path';

const H = sym('H');

/** A convolution's output size: floor((x + 2·pad - dilation·(k - 1) - 1)/stride) + 1. */
const conv = (x: Dim, kernel: number, stride: number, pad: number, dilation = 1): Dim =>
  add(floorDiv(add(x, dim(2 * pad - dilation * (kernel - 1) - 1)), stride), dim(1));

function expectExact(original: Dim, simplified: Dim): void {
  const symbols = [...symbolsOf(original)];
  for (let v = 0; v <= 2048; v++) {
    const env = new Map(symbols.map((s, i) => [s, v + 7 * i]));
    if (evaluate(simplified, env) !== evaluate(original, env)) {
      throw new Error(`${structural(simplified)} ≠ ${structural(original)} at ${JSON.stringify([...env])}`);
    }
  }
}

describe('simplify', () => {
  const repeat = (times: number, step: (x: Dim) => Dim): Dim =>
    Array.from({ length: times }).reduce<Dim>((x) => step(x), H);

  it.each<[string, Dim, string]>([
    ['five 3×3 stride-2 convolutions padded by 1', repeat(5, (x) => conv(x, 3, 2, 1)), 'ceil(H/32)'],
    ['five ceil halvings', repeat(5, (x) => ceilDiv(x, 2)), 'ceil(H/32)'],
    ['three floor halvings', repeat(3, (x) => floorDiv(x, 2)), 'floor(H/8)'],
    ['a 7×7 stride-2 stem and a 3×3 stride-2 pool, padded', conv(conv(H, 7, 2, 3), 3, 2, 1), 'ceil(H/4)'],
    ['an unpadded 3×3 convolution', conv(H, 3, 1, 0), 'H - 2'],
    ['an unpadded 2×2 stride-2 pool', conv(H, 2, 2, 0), 'floor(H/2)'],
    ['an unpadded 3×3 stride-2 convolution', conv(H, 3, 2, 0), 'ceil(H/2) - 1'],
    [
      'an upsampled stride-16 size',
      mul(
        dim(4),
        repeat(4, (x) => ceilDiv(x, 2)),
      ),
      '4*ceil(H/16)',
    ],
    ['a common factor', floorDiv(add(mul(dim(6), H), dim(3)), 9), 'floor((2*H + 1)/3)'],
    ['a common factor and an offset of k - 1', floorDiv(add(mul(dim(6), H), dim(15)), 9), 'ceil(2*H/3) + 1'],
    ['like terms', add(mul(dim(3), ceilDiv(H, 2)), floorDiv(add(H, dim(1)), 2)), '4*ceil(H/2)'],
    ['a ceil of a floor, left alone', ceilDiv(floorDiv(H, 2), 3), 'ceil(floor(H/2)/3)'],
  ])('%s: %s', (_, original, expected) => {
    const simplified = simplify(original);
    expect(structural(simplified)).toBe(expected);
    expectExact(original, simplified);
  });

  /** Sizes built the way shape rules build them: sums, constant products, rounded divisions. */
  const sizes: fc.Arbitrary<Dim> = fc.letrec<{ size: Dim }>((tie) => ({
    size: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<Dim>(sym('H'), sym('W')),
      fc.tuple(tie('size'), fc.integer({ min: -9, max: 9 })).map(([x, c]) => add(x, dim(c))),
      fc.tuple(tie('size'), fc.integer({ min: -4, max: 6 })).map(([x, c]) => mul(dim(c), x)),
      fc.tuple(tie('size'), tie('size')).map(([x, y]) => add(x, y)),
      fc
        .tuple(tie('size'), fc.integer({ min: 1, max: 12 }), fc.boolean())
        .map(([x, k, up]) => (up ? ceilDiv(x, k) : floorDiv(x, k))),
    ),
  })).size;

  it('equals the original for every size from 0 to 2,048 on random expressions', () => {
    fc.assert(
      fc.property(sizes, (original) => {
        expectExact(original, simplify(original));
      }),
      { numRuns: 300, seed: 16 },
    );
  });

  it('never makes a size longer', () => {
    fc.assert(
      fc.property(sizes, (original) => structural(simplify(original)).length <= structural(original).length),
      { numRuns: 300, seed: 17 },
    );
  });
});

describe('sizes in summaries and drawings', () => {
  it('prints DeepLabv3+ sizes simplified and exact at every input size a user may give', () => {
    const model = compile(join(PACKAGE_ROOT, 'examples', 'deeplabv3plus.seg'), nodeHost()).models[0]!;
    const texts = new Set(model.graph!.nodes.map((n) => model.sizes.display(n.type.shape[1]!)));
    expect([...texts].sort()).toEqual(['1', 'H', 'ceil(H/16)', 'ceil(H/2)', 'ceil(H/4)', 'ceil(H/8)']);
    for (const node of model.graph!.nodes) expectExact(node.type.shape[1]!, simplify(node.type.shape[1]!));
  });

  it('prints an affine form when the where clause makes one exact', () => {
    const space = new SizeSpace(
      ['H'],
      [{ text: 'H % 32 == 0', symbols: ['H'], holds: (env) => env.get('H')! % 32 === 0 }],
    );
    expect(space.display(repeat5())).toBe('H/32');
    expect(new SizeSpace(['H'], []).display(repeat5())).toBe('ceil(H/32)');
    // Diagnostics and generated code keep the structural form.
    expect(new SizeSpace(['H'], []).format(repeat5())).toBe('floor(floor(floor(floor(floor((H - 1)/2)/2)/2)/2)/2) + 1');
  });
});

function repeat5(): Dim {
  return Array.from({ length: 5 }).reduce<Dim>((x) => conv(x, 3, 2, 1), H);
}
