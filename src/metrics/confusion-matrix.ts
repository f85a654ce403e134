/**
 * A confusion matrix accumulated over a whole data set. Segmentation metrics are computed
 * from the summed counts, not averaged per image, so every pixel weighs the same (the
 * convention of the PASCAL VOC and Cityscapes benchmarks).
 */
import { requirePositiveInteger, requireSameLength } from './errors.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export const DEFAULT_IGNORE_LABEL = 255;

export interface ConfusionMatrixOptions {
  /** Ground-truth pixels with this label are not counted; `null` counts every pixel. Default 255. */
  readonly ignoreLabel?: number | null;
}

export interface ConfusionMatrixJson {
  readonly classes: number;
  readonly ignoreLabel: number | null;
  /** Row = ground truth, column = prediction. */
  readonly counts: number[][];
}

export class ConfusionMatrix {
  readonly classes: number;
  readonly ignoreLabel: number | null;
  /** Row-major `classes × classes`: `counts[truth * classes + prediction]`. */
  readonly counts: Float64Array;

  constructor(classes: number, options: ConfusionMatrixOptions = {}) {
    requirePositiveInteger('the number of classes', classes);
    this.classes = classes;
    this.ignoreLabel = options.ignoreLabel === undefined ? DEFAULT_IGNORE_LABEL : options.ignoreLabel;
    this.counts = new Float64Array(classes * classes);
  }

  /** Counts every position of `truth` against the same position of `prediction`. */
  add(truth: ArrayLike<number>, prediction: ArrayLike<number>): void {
    requireSameLength('confusion matrix', truth, prediction);
    for (let index = 0; index < truth.length; index++) {
      const actual = truth[index]!;
      if (actual === this.ignoreLabel) continue;
      this.checkClass('ground truth', actual, index);
      const predicted = prediction[index]!;
      this.checkClass('prediction', predicted, index);
      this.counts[actual * this.classes + predicted]! += 1;
    }
  }

  /** Adds another matrix's counts (e.g. from another worker or another batch). */
  merge(other: ConfusionMatrix): void {
    if (other.classes !== this.classes || other.ignoreLabel !== this.ignoreLabel) {
      throw diagnosticError(
        codes.incompatibleMatrices,
        `cannot merge a ${other.classes}-class matrix (ignore ${other.ignoreLabel}) into a ${this.classes}-class one (ignore ${this.ignoreLabel})`,
        { file: '<metrics>' },
      );
    }
    for (let index = 0; index < this.counts.length; index++) this.counts[index]! += other.counts[index]!;
  }

  count(truth: number, prediction: number): number {
    return this.counts[truth * this.classes + prediction]!;
  }

  /** All counted pixels (ignored ones excluded). */
  get total(): number {
    let sum = 0;
    for (const value of this.counts) sum += value;
    return sum;
  }

  /** Pixels of each class in the ground truth (row sums). */
  truthTotals(): Float64Array {
    const totals = new Float64Array(this.classes);
    for (let row = 0; row < this.classes; row++) {
      for (let column = 0; column < this.classes; column++) totals[row]! += this.count(row, column);
    }
    return totals;
  }

  /** Pixels predicted as each class (column sums). */
  predictionTotals(): Float64Array {
    const totals = new Float64Array(this.classes);
    for (let row = 0; row < this.classes; row++) {
      for (let column = 0; column < this.classes; column++) totals[column]! += this.count(row, column);
    }
    return totals;
  }

  toJSON(): ConfusionMatrixJson {
    const counts: number[][] = [];
    for (let row = 0; row < this.classes; row++) {
      counts.push(Array.from(this.counts.subarray(row * this.classes, (row + 1) * this.classes)));
    }
    return { classes: this.classes, ignoreLabel: this.ignoreLabel, counts };
  }

  private checkClass(role: string, value: number, index: number): void {
    if (Number.isInteger(value) && value >= 0 && value < this.classes) return;
    throw diagnosticError(
      codes.metricClassOutOfRange,
      `${role} at position ${index} has class ${value}, outside [0, ${this.classes})`,
      {
        hint:
          this.ignoreLabel === null
            ? undefined
            : `only ${this.ignoreLabel} may lie outside the class range (it marks pixels to ignore)`,
        file: '<metrics>',
      },
    );
  }
}
