/**
 * Top-k accuracy from logits. A label counts as within the top k when fewer than k classes
 * score strictly higher than it; classes tied with the label on the boundary therefore count
 * in its favour, as `tf.math.in_top_k` does. Logits or softmax probabilities give the same
 * answer, since softmax keeps the order.
 */
import { requirePositiveInteger } from './errors.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** Logits of `count` examples over `classes` classes, row-major `[count, classes]`. */
export interface Logits {
  readonly values: Float32Array | Float64Array;
  readonly count: number;
  readonly classes: number;
}

function checkLogits(logits: Logits, labels: ArrayLike<number>): void {
  requirePositiveInteger('the number of classes', logits.classes);
  if (logits.values.length !== logits.count * logits.classes || labels.length !== logits.count) {
    throw diagnosticError(
      codes.metricLengthMismatch,
      `logits hold ${logits.values.length} values and ${labels.length} labels for ${logits.count} examples of ${logits.classes} classes`,
      { hint: 'the logits must be [count, classes] and there must be one label per example', file: '<metrics>' },
    );
  }
}

function checkLabel(label: number, classes: number, example: number): void {
  if (Number.isInteger(label) && label >= 0 && label < classes) return;
  throw diagnosticError(
    codes.metricClassOutOfRange,
    `the label of example ${example} is ${label}, outside [0, ${classes})`,
    { file: '<metrics>' },
  );
}

/** How many classes score strictly higher than `label` in one row. NaN scores never rank the label in. */
export function rankOfLabel(row: ArrayLike<number>, label: number): number {
  const score = row[label]!;
  if (Number.isNaN(score)) return row.length;
  let higher = 0;
  for (let c = 0; c < row.length; c++) {
    if (row[c]! > score || Number.isNaN(row[c]!)) higher += 1;
  }
  return higher;
}

/** Number of examples whose label is within the top k. */
export function topKCorrect(logits: Logits, labels: ArrayLike<number>, k: number): number {
  checkLogits(logits, labels);
  requirePositiveInteger('k', k);
  let correct = 0;
  for (let example = 0; example < logits.count; example++) {
    const label = labels[example]!;
    checkLabel(label, logits.classes, example);
    const row = logits.values.subarray(example * logits.classes, (example + 1) * logits.classes);
    if (rankOfLabel(row, label) < k) correct += 1;
  }
  return correct;
}

export function topKAccuracy(logits: Logits, labels: ArrayLike<number>, k: number): number {
  return topKCorrect(logits, labels, k) / logits.count;
}

/** The index of the highest score of each row; the first one on ties. */
export function argmaxRows(logits: Logits): Int32Array {
  const result = new Int32Array(logits.count);
  for (let example = 0; example < logits.count; example++) {
    const offset = example * logits.classes;
    let best = 0;
    for (let c = 1; c < logits.classes; c++) {
      if (logits.values[offset + c]! > logits.values[offset + best]!) best = c;
    }
    result[example] = best;
  }
  return result;
}

export interface ClassificationScores {
  readonly examples: number;
  readonly top1: number | null;
  readonly top5: number | null;
}

/** Top-1 and top-5 accuracy accumulated batch by batch over a data set. */
export class ClassificationAccuracy {
  private examples = 0;
  private top1 = 0;
  private top5 = 0;

  add(logits: Logits, labels: ArrayLike<number>): void {
    this.top1 += topKCorrect(logits, labels, 1);
    this.top5 += topKCorrect(logits, labels, 5);
    this.examples += logits.count;
  }

  result(): ClassificationScores {
    if (this.examples === 0) return { examples: 0, top1: null, top5: null };
    return { examples: this.examples, top1: this.top1 / this.examples, top5: this.top5 / this.examples };
  }
}
