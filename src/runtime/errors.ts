/**
 * Runtime failures caused by the user's files or setup are reported as diagnostics, like
 * compile errors, so the CLI prints them with a code and a hint instead of a stack trace.
 */
import { DiagnosticError, UNKNOWN_SPAN, type RelatedLocation, type Span } from '../diagnostics/diagnostic.js';

/** A span pointing at the start of a file, for problems with a whole file rather than a line. */
export function fileSpan(file: string): Span {
  return { ...UNKNOWN_SPAN, file };
}

export interface RuntimeErrorDetails {
  readonly hint?: string;
  readonly span?: Span;
  readonly related?: readonly RelatedLocation[];
}

export function runtimeError(code: string, message: string, details: RuntimeErrorDetails = {}): DiagnosticError {
  return new DiagnosticError([
    {
      code,
      severity: 'error',
      message,
      span: details.span ?? UNKNOWN_SPAN,
      ...(details.hint ? { hint: details.hint } : {}),
      ...(details.related?.length ? { related: details.related } : {}),
    },
  ]);
}
