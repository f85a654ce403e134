/**
 * Metric inputs come from data sets and model outputs; when they do not fit together the
 * caller gets a diagnostic with a stable code instead of a silently wrong number.
 */
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export function requireSameLength(what: string, first: ArrayLike<unknown>, second: ArrayLike<unknown>): void {
  if (first.length !== second.length) {
    throw diagnosticError(
      codes.metricLengthMismatch,
      `${what}: the two arrays have ${first.length} and ${second.length} elements`,
      {
        hint: 'pass arrays that cover the same pixels or images in the same order',
        file: '<metrics>',
      },
    );
  }
}

export function requirePositiveInteger(what: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw diagnosticError(codes.metricBadCount, `${what} must be a positive integer, got ${value}`, {
      file: '<metrics>',
    });
  }
}
