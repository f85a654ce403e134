/**
 * Metric inputs come from data sets and model outputs; when they do not fit together the
 * caller gets a diagnostic with a stable code instead of a silently wrong number.
 */
import { DiagnosticError, UNKNOWN_SPAN } from '../diagnostics/diagnostic.js';
import { MetricCode } from './codes.js';

const METRICS_SPAN = { ...UNKNOWN_SPAN, file: '<metrics>' };

export function metricError(code: string, message: string, hint?: string): DiagnosticError {
  return new DiagnosticError([{ code, severity: 'error', message, span: METRICS_SPAN, ...(hint ? { hint } : {}) }]);
}

export function requireSameLength(what: string, first: ArrayLike<unknown>, second: ArrayLike<unknown>): void {
  if (first.length !== second.length) {
    throw metricError(
      MetricCode.lengthMismatch,
      `${what}: the two arrays have ${first.length} and ${second.length} elements`,
      'pass arrays that cover the same pixels or images in the same order',
    );
  }
}

export function requirePositiveInteger(what: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw metricError(MetricCode.badCount, `${what} must be a positive integer, got ${value}`);
  }
}
