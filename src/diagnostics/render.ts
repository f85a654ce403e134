import type { Diagnostic, Span } from './diagnostic.js';

/** Source texts by file name, so that diagnostics can show a code frame. */
export type SourceTexts = ReadonlyMap<string, string>;

/** `file:line:col`, the prefix editors and terminals make clickable. */
export function formatLocation(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.column}`;
}

/**
 * A code frame: the offending line with one line of context on each side and a caret under
 * the span (underlined to its end when it stays on one line).
 */
export function codeFrame(source: string, span: Span): string {
  const lines = source.split(/\r?\n/);
  const line = span.start.line;
  if (line < 1 || line > lines.length) return '';
  const first = Math.max(1, line - 1);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1] ?? '';
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${text}`);
    if (n === line) {
      const lineText = lines[line - 1] ?? '';
      const startCol = Math.max(1, span.start.column);
      const endCol = span.end.line === line ? Math.max(span.end.column, startCol + 1) : lineText.length + 1;
      const length = Math.max(1, Math.min(endCol, lineText.length + 1) - startCol);
      const pad = lineText.slice(0, startCol - 1).replace(/[^\t]/g, ' ');
      out.push(`  ${' '.repeat(width)} | ${pad}^${'~'.repeat(length - 1)}`);
    }
  }
  return out.join('\n');
}

/** The human form: location, severity, code, message, frame, hint and call chain. */
export function renderDiagnostic(diagnostic: Diagnostic, sources: SourceTexts): string {
  const parts = [`${formatLocation(diagnostic.span)}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`];
  const source = sources.get(diagnostic.span.file);
  if (source !== undefined) {
    const frame = codeFrame(source, diagnostic.span);
    if (frame) parts.push(frame);
  }
  for (const related of diagnostic.related ?? []) {
    parts.push(`  ${related.message} (${formatLocation(related.span)})`);
  }
  if (diagnostic.hint) parts.push(`  hint: ${diagnostic.hint}`);
  return parts.join('\n');
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: SourceTexts): string {
  return diagnostics.map((d) => renderDiagnostic(d, sources)).join('\n\n');
}

/** The JSON form for tools: stable keys, 1-based line and column. */
export function diagnosticToJson(diagnostic: Diagnostic): Record<string, unknown> {
  const location = (span: Span) => ({
    file: span.file,
    line: span.start.line,
    column: span.start.column,
    endLine: span.end.line,
    endColumn: span.end.column,
  });
  return {
    code: diagnostic.code,
    severity: diagnostic.severity,
    message: diagnostic.message,
    ...location(diagnostic.span),
    ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
    ...(diagnostic.related?.length
      ? { related: diagnostic.related.map((r) => ({ message: r.message, ...location(r.span) })) }
      : {}),
  };
}
