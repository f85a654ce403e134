/**
 * Compiler diagnostics as the editor shows them: the same code, message and hint as
 * `segc check`, the block call chain as related locations, and a quick fix wherever the hint is
 * a did-you-mean suggestion.
 */
import type { Diagnostic as CompilerDiagnostic, Span } from '../diagnostics/diagnostic.js';
import type { Location, Range, Workspace } from './analysis.js';

/** LSP severities: 1 error, 2 warning, 3 information. */
export type Severity = 1 | 2 | 3;

export interface EditorDiagnostic {
  readonly range: Range;
  readonly severity: Severity;
  readonly code: string;
  readonly source: 'segc';
  /** The message, then `hint: ...` on its own line, as the command line prints them. */
  readonly message: string;
  readonly relatedInformation?: readonly { readonly location: Location; readonly message: string }[];
  /** The replacement a quick fix offers, from a "did you mean `x`?" hint. */
  readonly data?: { readonly replacement: string };
}

const SUGGESTION = /did you mean `([^`]+)`\?/;

/** The diagnostics to show in the document at `path`. */
export function editorDiagnostics(
  workspace: Workspace,
  path: string,
  diagnostics: readonly CompilerDiagnostic[],
): EditorDiagnostic[] {
  return diagnostics.map((d) => toEditor(workspace, path, d));
}

function toEditor(workspace: Workspace, path: string, d: CompilerDiagnostic): EditorDiagnostic {
  const related = (d.related ?? []).map((r) => ({ location: locate(workspace, r.span), message: r.message }));
  const here = placeInDocument(workspace, d, path);
  let message = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
  if (here !== d.span) {
    // A mistake inside an imported block shows at the call in this file that reaches it.
    related.unshift({ location: locate(workspace, d.span), message: 'the mistake is here' });
    message = `${message}\n(in ${d.span.file}:${d.span.start.line}:${d.span.start.column})`;
  }
  const suggestion = d.hint && here === d.span ? SUGGESTION.exec(d.hint)?.[1] : undefined;
  return {
    range: workspace.linesOf(path).range(here),
    severity: d.severity === 'error' ? 1 : d.severity === 'warning' ? 2 : 3,
    code: d.code,
    source: 'segc',
    message,
    ...(related.length ? { relatedInformation: related } : {}),
    ...(suggestion ? { data: { replacement: suggestion } } : {}),
  };
}

/**
 * The diagnostic's own span when it is in this document, else the innermost call site that is,
 * else the import of the file it is in, else the start of the document.
 */
function placeInDocument(workspace: Workspace, d: CompilerDiagnostic, path: string): Span {
  if (d.span.file === path) return d.span;
  const inDocument = (d.related ?? []).filter((r) => r.span.file === path);
  if (inDocument.length) return inDocument.at(-1)!.span;
  const imports = workspace.check(path).module?.program.imports ?? [];
  const importing = imports.find((i) => workspace.host.resolveImport(path, i.from) === d.span.file);
  return (
    importing?.fromSpan ?? {
      file: path,
      start: { offset: 0, line: 1, column: 1 },
      end: { offset: 0, line: 1, column: 1 },
    }
  );
}

export function locate(workspace: Workspace, span: Span): Location {
  return { path: span.file, range: workspace.linesOf(span.file).range(span) };
}

export interface QuickFix {
  readonly title: string;
  readonly range: Range;
  readonly newText: string;
  readonly diagnostic: EditorDiagnostic;
}

/** One quick fix per diagnostic that carries a suggestion. */
export function quickFixes(diagnostics: readonly EditorDiagnostic[]): QuickFix[] {
  return diagnostics.flatMap((d) => {
    const replacement = d.data?.replacement;
    return replacement
      ? [{ title: `Change to \`${replacement}\``, range: d.range, newText: replacement, diagnostic: d }]
      : [];
  });
}
