import type { Diagnostic, Span } from './diagnostic.js';

/** Source texts by file name, so that diagnostics can show a code frame. */
export type SourceTexts = ReadonlyMap<string, string>;

/** `file:line:col`, the prefix editors and terminals make clickable. */
export function formatLocation(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.column}`;
}

/** Frame lines longer than this show a window around the span, marked with `…` at the cuts. */
export const MAX_FRAME_WIDTH = 160;

/** The part of a long line the frame shows: its first column (1-based) and the text. */
function frameWindow(text: string, column: number): { first: number; text: string } {
  if (text.length <= MAX_FRAME_WIDTH) return { first: 1, text };
  const first = Math.max(1, Math.min(column - MAX_FRAME_WIDTH / 4, text.length - MAX_FRAME_WIDTH + 1));
  const slice = text.slice(first - 1, first - 1 + MAX_FRAME_WIDTH);
  return { first, text: `${first > 1 ? '…' : ''}${slice}${first - 1 + MAX_FRAME_WIDTH < text.length ? '…' : ''}` };
}

/** The lines of the source last framed: a file with thousands of diagnostics is split once. */
let split: { source: string; lines: string[] } | undefined;
function linesOf(source: string): string[] {
  if (split?.source !== source) split = { source, lines: source.split(/\r?\n/) };
  return split.lines;
}

/**
 * A code frame: the offending line with one line of context on each side and a caret under
 * the span (underlined to its end when it stays on one line). A very long line is shown as a
 * window around the span, so a machine-made one-line file does not flood the terminal.
 */
export function codeFrame(source: string, span: Span): string {
  const lines = linesOf(source);
  const line = span.start.line;
  if (line < 1 || line > lines.length) return '';
  const first = Math.max(1, line - 1);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const column = Math.max(1, span.start.column);
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const shown = frameWindow(lines[n - 1] ?? '', column);
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${shown.text}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${caretLine(lines[line - 1] ?? '', span, shown.first)}`);
  }
  return out.join('\n');
}

function caretLine(lineText: string, span: Span, windowStart: number): string {
  const line = span.start.line;
  const startCol = Math.max(1, span.start.column);
  const endCol = span.end.line === line ? Math.max(span.end.column, startCol + 1) : lineText.length + 1;
  const windowEnd = windowStart + MAX_FRAME_WIDTH;
  const length = Math.max(1, Math.min(endCol, lineText.length + 1, windowEnd) - startCol);
  const marker = windowStart > 1 ? ' ' : '';
  const pad = marker + lineText.slice(windowStart - 1, startCol - 1).replace(/[^\t]/g, ' ');
  return `${pad}^${'~'.repeat(length - 1)}`;
}

/** The human form: location, severity, code, message, frame, hint and call chain. */
export function renderDiagnostic(diagnostic: Diagnostic, sources: SourceTexts): string {
  const parts = [
    `${formatLocation(diagnostic.span)}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`,
  ];
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
