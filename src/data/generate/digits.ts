/**
 * Which MNIST samples go to which split. Every (digit, sample) pair is drawn at most once over
 * the whole data set, so no handwritten sample appears in two splits.
 */
import { DataCode } from '../codes.js';
import { dataError } from '../problems.js';
import { deriveSeed, permutation } from '../random.js';
import type { DigitSource } from './mnist-canvas.js';

export interface DigitPick {
  readonly digit: number;
  readonly index: number;
}

export function assignDigits(
  source: DigitSource,
  counts: Readonly<Record<string, number>>,
  seed: number,
): Record<string, DigitPick[]> {
  const pool: DigitPick[] = source.counts.flatMap((available, digit) =>
    Array.from({ length: available }, (_, index) => ({ digit, index })),
  );
  const wanted = Object.values(counts).reduce((sum, count) => sum + count, 0);
  if (wanted > pool.length) {
    throw dataError(
      DataCode.badOption,
      `asked for ${wanted} images but only ${pool.length} distinct MNIST digits are available`,
      `use a count of at most ${pool.length}`,
    );
  }
  const order = permutation(pool.length, deriveSeed(seed, 'digits'));
  const result: Record<string, DigitPick[]> = {};
  let next = 0;
  for (const [split, count] of Object.entries(counts)) {
    result[split] = order.slice(next, next + count).map((at) => pool[at]!);
    next += count;
  }
  return result;
}
