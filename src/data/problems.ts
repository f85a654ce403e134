/**
 * Bad files become problems that name the file. A data set either stops at the first one
 * (throwing it as a diagnostic the CLI prints) or skips the file and keeps the problem.
 */
import { type Diagnostic, DiagnosticError, UNKNOWN_SPAN } from '../diagnostics/diagnostic.js';
import type { DataProblem } from './sample.js';

export function problemDiagnostic(problem: DataProblem): Diagnostic {
  return {
    code: problem.code,
    severity: 'error',
    message: problem.message,
    span: { ...UNKNOWN_SPAN, file: problem.file },
    ...(problem.hint ? { hint: problem.hint } : {}),
  };
}

/** A bad file, thrown while loading; the data set decides whether to skip it. */
export class DataProblemError extends DiagnosticError {
  constructor(readonly problem: DataProblem) {
    super([problemDiagnostic(problem)]);
    this.name = 'DataProblemError';
  }
}

export function dataProblem(code: string, file: string, message: string, hint?: string): DataProblemError {
  return new DataProblemError({ code, file, message, ...(hint ? { hint } : {}) });
}
