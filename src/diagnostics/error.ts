/**
 * The one factory for diagnostics that stop a run (weight loading, the runtime, data sets,
 * training, explanations): a DiagnosticError the CLI prints like a compile error, with a code and
 * a hint instead of a stack trace.
 */
import { diagnosticKind } from './codes.js';
import { DiagnosticError, UNKNOWN_SPAN, type RelatedLocation, type Span } from './diagnostic.js';

/** A span pointing at the start of a file, for problems with a whole file rather than a line. */
export function fileSpan(file: string): Span {
  return { ...UNKNOWN_SPAN, file };
}

export interface DiagnosticDetails {
  readonly hint?: string | undefined;
  /** Where the problem is; without it, the start of `file`, or no place at all. */
  readonly span?: Span | undefined;
  /** The file the problem is about, when there is no span (`<metrics>` for values passed in code). */
  readonly file?: string | undefined;
  readonly related?: readonly RelatedLocation[] | undefined;
}

/** A DiagnosticError holding one diagnostic of `code`, with the severity the table gives it. */
export function diagnosticError(code: string, message: string, details: DiagnosticDetails = {}): DiagnosticError {
  return new DiagnosticError([
    {
      code,
      severity: diagnosticKind(code)?.severity ?? 'error',
      message,
      span: details.span ?? (details.file === undefined ? UNKNOWN_SPAN : fileSpan(details.file)),
      ...(details.hint ? { hint: details.hint } : {}),
      ...(details.related?.length ? { related: details.related } : {}),
    },
  ]);
}
