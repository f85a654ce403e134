/**
 * Bad requests to explain a model (an unknown layer, a class out of range) are reported as
 * diagnostics with a stable code and a hint, never as a stack trace.
 */
import { DiagnosticError, UNKNOWN_SPAN, type Span } from '../diagnostics/diagnostic.js';

const EXPLAIN_SPAN: Span = { ...UNKNOWN_SPAN, file: '<explain>' };

export function explainError(code: string, message: string, hint?: string, span: Span = EXPLAIN_SPAN): DiagnosticError {
  return new DiagnosticError([{ code, severity: 'error', message, span, ...(hint ? { hint } : {}) }]);
}
