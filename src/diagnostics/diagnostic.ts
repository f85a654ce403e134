/**
 * One diagnostic type for every stage (parser, resolver, shape checker, runtime loading).
 * After parsing, diagnostics are collected in a bag rather than thrown, so a file reports
 * every mistake it has, not only the first.
 */

/** A position in a source file. `line` and `column` are 1-based, `offset` 0-based. */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** A half-open source range [start, end) in one file. */
export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning' | 'note';

/** A secondary location that helps explain a diagnostic (a block call site, a declaration). */
export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  /** Stable code, e.g. `E0101`. Codes never change meaning once published (see codes.ts). */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  /** What the user can do about it: "did you mean `dilation`?" */
  readonly hint?: string;
  /** The chain of block call sites (outermost first) and other related places. */
  readonly related?: readonly RelatedLocation[];
}

export const UNKNOWN_SPAN: Span = {
  file: '<unknown>',
  start: { offset: 0, line: 1, column: 1 },
  end: { offset: 0, line: 1, column: 1 },
};

/** Collects diagnostics; stages report here instead of throwing. */
export class DiagnosticBag {
  private readonly items: Diagnostic[] = [];

  add(diagnostic: Diagnostic): void {
    this.items.push(diagnostic);
  }

  error(code: string, span: Span, message: string, hint?: string, related?: readonly RelatedLocation[]): void {
    this.add({ code, severity: 'error', message, span, ...(hint ? { hint } : {}), ...(related ? { related } : {}) });
  }

  warning(code: string, span: Span, message: string, hint?: string, related?: readonly RelatedLocation[]): void {
    this.add({ code, severity: 'warning', message, span, ...(hint ? { hint } : {}), ...(related ? { related } : {}) });
  }

  addAll(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) this.items.push(d);
  }

  get all(): readonly Diagnostic[] {
    return sortDiagnostics(this.items);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** Sorts by file, then position, keeping insertion order for ties. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, index) => ({ d, index }))
    .sort((a, b) =>
      a.d.span.file === b.d.span.file
        ? a.d.span.start.offset - b.d.span.start.offset || a.index - b.index
        : a.d.span.file < b.d.span.file
          ? -1
          : 1,
    )
    .map((x) => x.d);
}

/**
 * Thrown only for a mistake in segc itself, never for bad input. The CLI prints it as
 * "internal error" with a request to report it.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

/**
 * Thrown by stages that must stop at the first problem (weight loading, the runtime) to carry
 * diagnostics to the CLI, which prints them like any other. Not an internal error.
 */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'DiagnosticError';
  }
}

/** Spans the range from the start of `a` to the end of `b` (same file). */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end };
}
