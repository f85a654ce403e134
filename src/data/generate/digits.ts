/**
 * Which MNIST samples go to which split. Every (digit, sample) pair is drawn at most once over
 * the whole data set, so no handwritten sample appears in two splits.
 */
import { deriveSeed, permutation } from '../random.js';
import type { DigitSource } from './mnist-canvas.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

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
    throw diagnosticError(
      codes.dataBadOption,
      `asked for ${wanted} images but only ${pool.length} distinct MNIST digits are available`,
      { hint: `use a count of at most ${pool.length}`, file: '<data>' },
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
