/**
 * Diagnostic codes raised by the metrics. A code never changes meaning once published.
 * E085x: inputs that do not fit together (lengths, class indices, boxes).
 */
export const MetricCode = {
  /** Two arrays that must describe the same pixels or images have different lengths. */
  lengthMismatch: 'E0850',
  /** A ground-truth or predicted class index lies outside [0, classes) and is not the ignore label. */
  classOutOfRange: 'E0851',
  /** A count, size or k that must be a positive integer is not. */
  badCount: 'E0852',
  /** A map holds NaN, so thresholds and rankings are undefined. */
  notANumber: 'E0853',
  /** Two confusion matrices over different class counts or ignore labels cannot be merged. */
  incompatibleMatrices: 'E0854',
  /** A threshold lies outside the range the metric defines. */
  thresholdOutOfRange: 'E0855',
} as const;

export type MetricCodeName = keyof typeof MetricCode;
