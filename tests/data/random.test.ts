import { describe, expect, it } from 'vitest';
import { Random, deriveSeed, hashString, permutation } from '../../src/data/random.js';

function draw(seed: number, count: number): number[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => random.nextUint32());
}

describe('seeded randomness', () => {
  it('repeats a stream for a seed and changes it with the seed', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50));
    expect(draw(42, 50)).not.toEqual(draw(43, 50));
  });

  it('derives distinct sub-seeds from names', () => {
    const seeds = new Set(
      ['train', 'val', 'test'].flatMap((split) => [0, 1, 2].map((index) => deriveSeed(7, split, index))),
    );
    expect(seeds.size).toBe(9);
    expect(deriveSeed(7, 'train', 1)).toBe(deriveSeed(7, 'train', 1));
  });

  it('hashes strings with FNV-1a', () => {
    // Published FNV-1a 32-bit test vectors.
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
    expect(hashString('foobar')).toBe(0xbf9cf968);
  });

  it('draws uniform values with the expected mean and range', () => {
    const random = new Random(1);
    const values = Array.from({ length: 20_000 }, () => random.next());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    // Standard error of the mean is 1/sqrt(12 · 20000) ≈ 0.002; allow 5 of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const integers = Array.from({ length: 2000 }, () => random.integer(3, 6));
    expect(new Set(integers)).toEqual(new Set([3, 4, 5]));
  });

  it('makes permutations that hold every index once', () => {
    const order = permutation(100, 5);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(order).toEqual(permutation(100, 5));
    expect(order).not.toEqual(permutation(100, 6));
  });
});
