/**
 * Scores of a multi-label classifier (one sigmoid per class): a class is predicted present when
 * its logit is above 0 (probability above 0.5). Label accuracy counts right decisions over all
 * (image, class) pairs, exact match counts images whose whole label set is right, and each
 * class's average precision ranks the images by that class's logit (the step-wise area under
 * the precision–recall curve, ties taken together, as scikit-learn's
 * `average_precision_score`). A class with no positive image has no AP (null) and is left out
 * of the mean, the policy of the segmentation means.
 */
import { requirePositiveInteger } from './errors.js';
import type { Logits } from './classification.js';
import { averagePrecisionSorted } from './pixel-precision.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface MultiLabelClassScores {
  readonly averagePrecision: number | null;
  /** Images that hold the class. */
  readonly positives: number;
}

export interface MultiLabelScores {
  readonly examples: number;
  readonly labelAccuracy: number | null;
  readonly exactMatch: number | null;
  /** Mean of the classes' AP over classes with at least one positive image. */
  readonly meanAP: number | null;
  readonly classes: readonly MultiLabelClassScores[];
}

/** Collects logits and multi-hot targets batch by batch. */
export class MultiLabelAccuracy {
  private readonly scores: number[][];
  private readonly truths: boolean[][];
  private examples = 0;
  private correctLabels = 0;
  private exact = 0;

  constructor(readonly classes: number) {
    requirePositiveInteger('the number of classes', classes);
    this.scores = Array.from({ length: classes }, () => []);
    this.truths = Array.from({ length: classes }, () => []);
  }

  /** `targets` is `[count, classes]` row-major, 1 where the image holds the class and 0 elsewhere. */
  add(logits: Logits, targets: ArrayLike<number>): void {
    if (
      logits.classes !== this.classes ||
      logits.values.length !== logits.count * logits.classes ||
      targets.length !== logits.values.length
    ) {
      throw diagnosticError(
        codes.metricLengthMismatch,
        `multi-label scores need [count, ${this.classes}] logits and targets; got ${logits.values.length} logits and ${targets.length} targets for ${logits.count} examples of ${logits.classes} classes`,
        { hint: 'pass one row of logits and one multi-hot row per image', file: '<metrics>' },
      );
    }
    for (let example = 0; example < logits.count; example++) {
      let allRight = true;
      for (let c = 0; c < this.classes; c++) {
        const at = example * this.classes + c;
        const truth = targets[at]! > 0.5;
        const right = logits.values[at]! > 0 === truth;
        if (right) this.correctLabels += 1;
        else allRight = false;
        this.scores[c]!.push(logits.values[at]!);
        this.truths[c]!.push(truth);
      }
      if (allRight) this.exact += 1;
    }
    this.examples += logits.count;
  }

  result(): MultiLabelScores {
    const classes = this.scores.map((scores, c) => classAveragePrecision(scores, this.truths[c]!));
    const defined = classes.map((s) => s.averagePrecision).filter((ap): ap is number => ap !== null);
    const examples = this.examples;
    return {
      examples,
      labelAccuracy: examples > 0 ? this.correctLabels / (examples * this.classes) : null,
      exactMatch: examples > 0 ? this.exact / examples : null,
      meanAP: defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : null,
      classes,
    };
  }
}

function classAveragePrecision(scores: readonly number[], truths: readonly boolean[]): MultiLabelClassScores {
  const positives = Float32Array.from(scores.filter((_, i) => truths[i])).sort();
  const negatives = Float32Array.from(scores.filter((_, i) => !truths[i])).sort();
  const ap = averagePrecisionSorted(positives, negatives);
  return { averagePrecision: Number.isNaN(ap) ? null : ap, positives: positives.length };
}
