/**
 * Pixel average precision (PxAP, Choe et al. 2020): the precision-recall curve of map values
 * against a foreground mask, over every pixel of every image, summarised as
 * AP = Σ_n (R_n − R_{n−1}) P_n over the distinct score values taken as thresholds from the
 * highest down (scikit-learn's average_precision_score, with no interpolation). Positives and
 * negatives are kept in two sorted arrays, so the curve is exact and needs no sort of pairs.
 */
import { DEFAULT_IGNORE_LABEL } from './confusion-matrix.js';
import { requireSameLength } from './errors.js';
import { type ScoreMap, checkMap } from './map-to-box.js';

export interface PixelPrecisionOptions {
  /** Mask pixels with this value are left out; `null` keeps every pixel. Default 255. */
  readonly ignoreLabel?: number | null;
}

export interface PixelPrecisionResult {
  /** NaN when the masks hold no foreground pixel (recall is undefined). */
  readonly averagePrecision: number;
  readonly positives: number;
  readonly negatives: number;
}

/** AP of scores split by truth; both arrays must be sorted ascending. */
export function averagePrecisionSorted(positives: Float32Array, negatives: Float32Array): number {
  if (positives.length === 0) return Number.NaN;
  let p = positives.length - 1;
  let n = negatives.length - 1;
  let truePositives = 0;
  let falsePositives = 0;
  let previousRecall = 0;
  let sum = 0;
  while (p >= 0 || n >= 0) {
    const threshold = Math.max(p >= 0 ? positives[p]! : -Infinity, n >= 0 ? negatives[n]! : -Infinity);
    while (p >= 0 && positives[p] === threshold) {
      truePositives += 1;
      p -= 1;
    }
    while (n >= 0 && negatives[n] === threshold) {
      falsePositives += 1;
      n -= 1;
    }
    const recall = truePositives / positives.length;
    sum += (recall - previousRecall) * (truePositives / (truePositives + falsePositives));
    previousRecall = recall;
  }
  return sum;
}

/** Collects scores image by image; the mask's non-zero pixels (other than the ignore label) are foreground. */
export class PixelPrecision {
  readonly ignoreLabel: number | null;
  private readonly positiveChunks: Float32Array[] = [];
  private readonly negativeChunks: Float32Array[] = [];

  constructor(options: PixelPrecisionOptions = {}) {
    this.ignoreLabel = options.ignoreLabel === undefined ? DEFAULT_IGNORE_LABEL : options.ignoreLabel;
  }

  add(map: ScoreMap, mask: ArrayLike<number>): void {
    checkMap(map);
    requireSameLength('pixel precision (map and mask)', map.values, mask);
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let index = 0; index < mask.length; index++) {
      const truth = mask[index]!;
      if (truth === this.ignoreLabel) continue;
      (truth === 0 ? negatives : positives).push(map.values[index]!);
    }
    this.positiveChunks.push(Float32Array.from(positives));
    this.negativeChunks.push(Float32Array.from(negatives));
  }

  result(): PixelPrecisionResult {
    const positives = joinSorted(this.positiveChunks);
    const negatives = joinSorted(this.negativeChunks);
    return {
      averagePrecision: averagePrecisionSorted(positives, negatives),
      positives: positives.length,
      negatives: negatives.length,
    };
  }
}

function joinSorted(chunks: readonly Float32Array[]): Float32Array {
  const joined = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined.sort();
}

export function pixelAveragePrecision(
  examples: readonly { readonly map: ScoreMap; readonly mask: ArrayLike<number> }[],
  options: PixelPrecisionOptions = {},
): number {
  const accumulator = new PixelPrecision(options);
  for (const example of examples) accumulator.add(example.map, example.mask);
  return accumulator.result().averagePrecision;
}
