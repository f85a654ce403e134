/**
 * Segmentation scores from a confusion matrix. A class absent from both the ground truth and
 * the predictions has an undefined IoU (0/0): it is NaN per class and left out of the means,
 * as mmsegmentation does, so a data set without a class is neither rewarded nor punished.
 */
import type { ConfusionMatrix } from './confusion-matrix.js';

/** Correct pixels / counted pixels. NaN when nothing was counted. */
export function pixelAccuracy(matrix: ConfusionMatrix): number {
  let correct = 0;
  for (let c = 0; c < matrix.classes; c++) correct += matrix.count(c, c);
  return correct / matrix.total;
}

/** Recall of each class: TP / ground-truth pixels of the class. NaN where the class is absent from the ground truth. */
export function classAccuracy(matrix: ConfusionMatrix): Float64Array {
  const truth = matrix.truthTotals();
  return Float64Array.from(truth, (pixels, c) => (pixels === 0 ? Number.NaN : matrix.count(c, c) / pixels));
}

/** TP / (TP + FP + FN) per class. NaN where the class is absent from both ground truth and predictions. */
export function classIoU(matrix: ConfusionMatrix): Float64Array {
  const truth = matrix.truthTotals();
  const predicted = matrix.predictionTotals();
  return Float64Array.from(truth, (pixels, c) => {
    const intersection = matrix.count(c, c);
    const union = pixels + predicted[c]! - intersection;
    return union === 0 ? Number.NaN : intersection / union;
  });
}

/** Mean over the values that are not NaN; NaN when all are. */
export function meanIgnoringNaN(values: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (Number.isNaN(value)) continue;
    sum += value;
    count += 1;
  }
  return count === 0 ? Number.NaN : sum / count;
}

export function meanIoU(matrix: ConfusionMatrix): number {
  return meanIgnoringNaN(classIoU(matrix));
}

export function meanClassAccuracy(matrix: ConfusionMatrix): number {
  return meanIgnoringNaN(classAccuracy(matrix));
}

/** Σ_c (ground-truth pixels of c / all pixels) · IoU_c; classes absent from the ground truth weigh 0. */
export function frequencyWeightedIoU(matrix: ConfusionMatrix): number {
  const total = matrix.total;
  if (total === 0) return Number.NaN;
  const truth = matrix.truthTotals();
  const iou = classIoU(matrix);
  let sum = 0;
  for (let c = 0; c < matrix.classes; c++) {
    if (truth[c]! > 0) sum += (truth[c]! / total) * iou[c]!;
  }
  return sum;
}

export interface ClassScores {
  readonly name: string;
  /** null where undefined (see the absent-class policy). */
  readonly iou: number | null;
  readonly accuracy: number | null;
  readonly truthPixels: number;
  readonly predictedPixels: number;
}

export interface SegmentationReport {
  readonly pixels: number;
  readonly pixelAccuracy: number | null;
  readonly meanClassAccuracy: number | null;
  readonly meanIoU: number | null;
  readonly frequencyWeightedIoU: number | null;
  readonly classes: readonly ClassScores[];
}

/** NaN becomes null so that JSON keeps an undefined score distinct from 0. */
export function nullIfNaN(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** Every score in one JSON-ready object. `names` defaults to the class indices. */
export function segmentationReport(matrix: ConfusionMatrix, names?: readonly string[]): SegmentationReport {
  const iou = classIoU(matrix);
  const accuracy = classAccuracy(matrix);
  const truth = matrix.truthTotals();
  const predicted = matrix.predictionTotals();
  const classes = Array.from(iou, (value, c) => ({
    name: names?.[c] ?? String(c),
    iou: nullIfNaN(value),
    accuracy: nullIfNaN(accuracy[c]!),
    truthPixels: truth[c]!,
    predictedPixels: predicted[c]!,
  }));
  return {
    pixels: matrix.total,
    pixelAccuracy: nullIfNaN(pixelAccuracy(matrix)),
    meanClassAccuracy: nullIfNaN(meanIgnoringNaN(accuracy)),
    meanIoU: nullIfNaN(meanIgnoringNaN(iou)),
    frequencyWeightedIoU: nullIfNaN(frequencyWeightedIoU(matrix)),
    classes,
  };
}
