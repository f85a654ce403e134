/**
 * A seeded generator (sfc32, seeded through splitmix32) so that data sets, shuffles and
 * augmentations are the same on every run and every platform: only 32-bit integer arithmetic
 * decides the stream. Sub-streams are derived from names (`deriveSeed(seed, 'train', 17)`),
 * so one image's randomness does not depend on how many images came before it.
 */

/** FNV-1a over the UTF-16 code units of a string: a stable 32-bit hash. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A new seed from a seed and a path of names or numbers. */
export function deriveSeed(seed: number, ...parts: readonly (string | number)[]): number {
  let state = splitmix32(seed >>> 0);
  for (const part of parts) state = splitmix32(state ^ hashString(String(part)));
  return state;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private counter = 1;

  constructor(seed: number) {
    this.a = splitmix32(seed >>> 0);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    for (let warmup = 0; warmup < 12; warmup++) this.nextUint32();
  }

  nextUint32(): number {
    const result = (((this.a + this.b) >>> 0) + this.counter) >>> 0;
    this.counter = (this.counter + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + result) >>> 0;
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [low, high). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.integer(0, items.length)]!;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index--) {
      const other = this.integer(0, index + 1);
      [items[index], items[other]] = [items[other]!, items[index]!];
    }
    return items;
  }
}

/** 0..count−1 in a seeded order. */
export function permutation(count: number, seed: number): number[] {
  return new Random(seed).shuffle(Array.from({ length: count }, (_, index) => index));
}
