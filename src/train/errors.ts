/** Training failures caused by the user's model, data or options, as diagnostics. */
import { DiagnosticError, UNKNOWN_SPAN, type Span } from '../diagnostics/diagnostic.js';

export function trainError(code: string, message: string, hint?: string, span: Span = UNKNOWN_SPAN): DiagnosticError {
  return new DiagnosticError([{ code, severity: 'error', message, span, ...(hint ? { hint } : {}) }]);
}
