/**
 * Box accuracy of localisation maps (Choe et al., "Evaluating Weakly Supervised Object
 * Localization Methods Right", CVPR 2020). For each map threshold τ, an image is a hit when the
 * box derived from its map has IoU ≥ δ with one of its true boxes; MaxBoxAcc is the best hit
 * rate over τ, so no method is judged at a threshold tuned for another.
 *
 * The paper has two variants. MaxBoxAcc (V1): δ = 0.5 and the box of the largest connected
 * component. MaxBoxAccV2: MaxBoxAcc averaged over δ ∈ {0.3, 0.5, 0.7} (each δ taking its own
 * best τ), where every connected component's box is a candidate and an image is a hit when any
 * of them has IoU ≥ δ (the reference code's multi-contour evaluation), over its finer threshold
 * grid (τ = 0.000, 0.001, …, 0.999, the reference's default curve interval of 0.001).
 */
import { type BoxLike, bestIoU } from './boxes.js';
import { type CandidateMode, type ScoreMap, mapToBoxes } from './map-to-box.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** 0.00, 0.01, …, 0.99: the grid of MaxBoxAcc (V1). */
export const MAP_THRESHOLDS: readonly number[] = Array.from({ length: 100 }, (_, index) => index / 100);
/** 0.000, 0.001, …, 0.999: the grid of MaxBoxAccV2 (the reference code's default interval 0.001). */
export const MAP_THRESHOLDS_V2: readonly number[] = Array.from({ length: 1000 }, (_, index) => index / 1000);
export const MAX_BOX_ACC_IOU: readonly number[] = [0.5];
export const MAX_BOX_ACC_V2_IOU: readonly number[] = [0.3, 0.5, 0.7];

/** MaxBoxAcc (V1) as the paper defines it: δ = 0.5, the largest component, τ step 0.01. */
export const MAX_BOX_ACC: Required<BoxAccuracyOptions> = {
  thresholds: MAP_THRESHOLDS,
  iouThresholds: MAX_BOX_ACC_IOU,
  mode: 'largest',
};
/** MaxBoxAccV2 as the paper defines it: δ ∈ {0.3, 0.5, 0.7}, every component a candidate, τ step 0.001. */
export const MAX_BOX_ACC_V2: Required<BoxAccuracyOptions> = {
  thresholds: MAP_THRESHOLDS_V2,
  iouThresholds: MAX_BOX_ACC_V2_IOU,
  mode: 'each',
};

export interface BoxAccuracyOptions {
  /** Fractions of each map's maximum; default 0.00..0.99 step 0.01. */
  readonly thresholds?: readonly number[];
  /** IoU levels δ; default [0.5]. */
  readonly iouThresholds?: readonly number[];
  /** Default `largest`. */
  readonly mode?: CandidateMode;
}

export interface IoULevelResult {
  readonly iouThreshold: number;
  /** Hit rate at each map threshold, in the order of `thresholds`. */
  readonly accuracy: readonly number[];
  readonly maxBoxAcc: number;
  /** The first map threshold reaching `maxBoxAcc`. */
  readonly bestThreshold: number;
}

export interface BoxAccuracyResult {
  readonly images: number;
  readonly thresholds: readonly number[];
  readonly levels: readonly IoULevelResult[];
  /** Mean of `maxBoxAcc` over the IoU levels (MaxBoxAccV2 with the V2 levels). */
  readonly mean: number;
}

export interface LocalisationExample {
  readonly map: ScoreMap;
  readonly truthBoxes: readonly BoxLike[];
}

/** Accumulates hits image by image, so maps need not be kept. */
export class BoxAccuracy {
  readonly thresholds: readonly number[];
  readonly iouThresholds: readonly number[];
  readonly mode: CandidateMode;
  private readonly hits: Float64Array[];
  private images = 0;

  constructor(options: BoxAccuracyOptions = {}) {
    this.thresholds = options.thresholds ?? MAP_THRESHOLDS;
    this.iouThresholds = options.iouThresholds ?? MAX_BOX_ACC_IOU;
    this.mode = options.mode ?? 'largest';
    for (const level of this.iouThresholds) {
      if (!(level >= 0 && level <= 1))
        throw diagnosticError(codes.thresholdOutOfRange, `an IoU threshold lies in [0, 1], got ${level}`, {
          file: '<metrics>',
        });
    }
    this.hits = this.iouThresholds.map(() => new Float64Array(this.thresholds.length));
  }

  add(example: LocalisationExample): void {
    const boxes = mapToBoxes(example.map, this.thresholds, this.mode);
    boxes.forEach((candidates, t) => {
      const iou = candidates.reduce((best, box) => Math.max(best, bestIoU(box, example.truthBoxes)), 0);
      this.iouThresholds.forEach((level, l) => {
        if (iou >= level) this.hits[l]![t]! += 1;
      });
    });
    this.images += 1;
  }

  result(): BoxAccuracyResult {
    if (this.images === 0)
      throw diagnosticError(codes.metricBadCount, 'box accuracy needs at least one image', { file: '<metrics>' });
    const levels = this.iouThresholds.map((iouThreshold, l) => this.level(iouThreshold, this.hits[l]!));
    const mean = levels.reduce((sum, level) => sum + level.maxBoxAcc, 0) / levels.length;
    return { images: this.images, thresholds: this.thresholds, levels, mean };
  }

  private level(iouThreshold: number, hits: Float64Array): IoULevelResult {
    const accuracy = Array.from(hits, (count) => count / this.images);
    let best = 0;
    accuracy.forEach((value, t) => {
      if (value > accuracy[best]!) best = t;
    });
    return { iouThreshold, accuracy, maxBoxAcc: accuracy[best] ?? 0, bestThreshold: this.thresholds[best] ?? 0 };
  }
}

export function boxAccuracy(
  examples: readonly LocalisationExample[],
  options: BoxAccuracyOptions = {},
): BoxAccuracyResult {
  const accumulator = new BoxAccuracy(options);
  for (const example of examples) accumulator.add(example);
  return accumulator.result();
}

/** MaxBoxAcc (V1): δ = 0.5, the largest component's box unless `mode` says otherwise. */
export function maxBoxAccuracy(
  examples: readonly LocalisationExample[],
  mode: CandidateMode = MAX_BOX_ACC.mode,
): number {
  return boxAccuracy(examples, { ...MAX_BOX_ACC, mode }).mean;
}

/** MaxBoxAccV2: MaxBoxAcc averaged over δ ∈ {0.3, 0.5, 0.7}, every component's box a candidate unless `mode` says otherwise. */
export function maxBoxAccuracyV2(
  examples: readonly LocalisationExample[],
  mode: CandidateMode = MAX_BOX_ACC_V2.mode,
): number {
  return boxAccuracy(examples, { ...MAX_BOX_ACC_V2, mode }).mean;
}

export interface LocalisationRecord {
  readonly predictedClass: number;
  readonly label: number;
  /** The box derived from the map of the predicted (or true) class; null when the map kept no pixel. */
  readonly box: BoxLike | null;
  readonly truthBoxes: readonly BoxLike[];
}

export interface LocalisationScores {
  readonly images: number;
  /** Right class and IoU ≥ δ. */
  readonly top1Localisation: number;
  /** IoU ≥ δ whatever the predicted class ("GT-known" localisation). */
  readonly knownClassLocalisation: number;
}

export function localisationAccuracy(records: readonly LocalisationRecord[], iouThreshold = 0.5): LocalisationScores {
  if (records.length === 0)
    throw diagnosticError(codes.metricBadCount, 'localisation accuracy needs at least one image', {
      file: '<metrics>',
    });
  let located = 0;
  let top1 = 0;
  for (const record of records) {
    if (bestIoU(record.box, record.truthBoxes) < iouThreshold) continue;
    located += 1;
    if (record.predictedClass === record.label) top1 += 1;
  }
  return {
    images: records.length,
    top1Localisation: top1 / records.length,
    knownClassLocalisation: located / records.length,
  };
}
