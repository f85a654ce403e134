/**
 * Options of the generators, their defaults, and their checks. A bad option is a diagnostic
 * naming the option, never a half-written data set.
 */
import type { SplitFractions } from './splits.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

export type DatasetKind = 'shapes' | 'mnist-canvas' | 'mnist';

export const DATASET_KINDS: readonly DatasetKind[] = ['shapes', 'mnist-canvas', 'mnist'];

export interface GenerateOptions {
  /** Images over all splits. Defaults: shapes 300, mnist-canvas 1000, mnist 2000. */
  readonly count?: number;
  /** Side of square images (shapes and mnist-canvas); default 64. */
  readonly size?: number;
  readonly seed?: number;
  /** shapes: a count or an inclusive range; default [1, 3]. */
  readonly shapesPerImage?: number | readonly [number, number];
  /** Fractions per split folder. Defaults: shapes train/val/test 0.8/0.1/0.1, the others train/test 0.8/0.2. */
  readonly splits?: SplitFractions;
  /** mnist-canvas: range of the digit's scale factor; default [1, 1.6]. */
  readonly scale?: readonly [number, number];
  /** mnist-canvas: largest background noise intensity; default 0.15. */
  readonly noise?: number;
  /** Replace an existing output folder. */
  readonly overwrite?: boolean;
}

export interface ResolvedOptions {
  readonly count: number;
  readonly size: number;
  readonly seed: number;
  readonly shapesPerImage: readonly [number, number];
  readonly splits: SplitFractions;
  readonly scale: readonly [number, number];
  readonly noise: number;
}

const DEFAULT_COUNT: Record<DatasetKind, number> = { shapes: 300, 'mnist-canvas': 1000, mnist: 2000 };

function fail(option: string, value: unknown, rule: string): never {
  throw diagnosticError(
    codes.dataBadOption,
    `the generator option \`${option}\` must be ${rule}, got ${JSON.stringify(value)}`,
    { file: '<data>' },
  );
}

function integerIn(option: string, value: number, low: number, high: number): number {
  if (!Number.isInteger(value) || value < low || value > high) fail(option, value, `an integer in [${low}, ${high}]`);
  return value;
}

function range(option: string, value: number | readonly [number, number]): readonly [number, number] {
  const pair = typeof value === 'number' ? ([value, value] as const) : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !(pair[0] > 0 && pair[1] >= pair[0]))
    fail(option, value, 'a positive number or a range [low, high] with 0 < low ≤ high');
  return pair;
}

export function resolveOptions(kind: DatasetKind, options: GenerateOptions): ResolvedOptions {
  if (!DATASET_KINDS.includes(kind)) fail('kind', kind, `one of ${DATASET_KINDS.join(', ')}`);
  const smallest = kind === 'shapes' ? 16 : 28;
  const shapesPerImage = range('shapesPerImage', options.shapesPerImage ?? [1, 3]);
  shapesPerImage.forEach((count) => integerIn('shapesPerImage', count, 1, 10));
  const noise = options.noise ?? 0.15;
  if (!(noise >= 0 && noise <= 1)) fail('noise', noise, 'a number in [0, 1]');
  return {
    count: integerIn('count', options.count ?? DEFAULT_COUNT[kind], 1, 1_000_000),
    size: integerIn('size', options.size ?? 64, smallest, 4096),
    seed: integerIn('seed', options.seed ?? 0, 0, 0xffffffff),
    shapesPerImage,
    splits: options.splits ?? (kind === 'shapes' ? { train: 0.8, val: 0.1, test: 0.1 } : { train: 0.8, test: 0.2 }),
    scale: range('scale', options.scale ?? [1, 1.6]),
    noise,
  };
}
