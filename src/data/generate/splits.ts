/**
 * How a generated data set is divided into split folders (train/val/test), and which
 * generator stream each image draws from.
 */
import { deriveSeed } from '../random.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

export type SplitFractions = Readonly<Record<string, number>>;

const SPLIT_NAME = /^[A-Za-z0-9_-]+$/;

/** Counts per split by largest remainder, so they sum to `count` exactly. */
export function splitCounts(count: number, fractions: SplitFractions): Record<string, number> {
  checkFractions(fractions);
  const names = Object.keys(fractions);
  const exact = names.map((name) => count * fractions[name]!);
  const counts = exact.map(Math.floor);
  const order = names
    .map((_, index) => index)
    .sort((a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b);
  for (let left = count - counts.reduce((a, b) => a + b, 0), at = 0; left > 0; left--, at++) counts[order[at]!]! += 1;
  return Object.fromEntries(names.map((name, index) => [name, counts[index]!]));
}

function checkFractions(fractions: SplitFractions): void {
  const entries = Object.entries(fractions);
  const total = entries.reduce((sum, [, fraction]) => sum + fraction, 0);
  const bad = entries.find(([name, fraction]) => !SPLIT_NAME.test(name) || !(fraction >= 0));
  if (entries.length === 0 || bad || Math.abs(total - 1) > 1e-9) {
    throw diagnosticError(
      codes.dataBadOption,
      `split fractions must be non-negative, named with letters, digits, '-' or '_', and sum to 1; got ${JSON.stringify(fractions)}`,
      { hint: 'for example { "train": 0.8, "val": 0.1, "test": 0.1 }', file: '<data>' },
    );
  }
}

/** The seed of one generated image: depends on the data set seed, the split and the index only. */
export function imageSeed(seed: number, split: string, index: number): number {
  return deriveSeed(seed, split, index);
}

/** `00042` style names that sort in generation order. */
export function imageName(index: number, count: number, extension = 'png'): string {
  return `${String(index).padStart(Math.max(5, String(count - 1).length), '0')}.${extension}`;
}
