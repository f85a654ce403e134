/**
 * The place of one syntax error, as the rules in syntax-rules.ts see it: the offending token,
 * its neighbours and what the parser expected there.
 */
import type { IToken } from 'chevrotain';
import type { Diagnostic, RelatedLocation, Span } from '../diagnostics/diagnostic.js';
import type { Expectation } from './error-provider.js';
import type { LineIndex } from './spans.js';
import { isEndOfFile } from './token-words.js';

export interface ErrorSite {
  readonly source: string;
  readonly tokens: readonly IToken[];
  /** Index of the offending token in `tokens`; `tokens.length` at the end of the file. */
  readonly index: number;
  readonly token: IToken | undefined;
  readonly previous: IToken | undefined;
  readonly expectation: Expectation;
  readonly lines: LineIndex;
}

/** Recognises one kind of mistake and words it, or returns undefined. */
export type SyntaxRule = (site: ErrorSite) => Diagnostic | undefined;

/** Where the caret goes: on the offending token, or just after the last token at the end of the file. */
export function siteSpan(site: ErrorSite): Span {
  if (site.token !== undefined && !isEndOfFile(site.token))
    return site.lines.tokenSpan(site.token) ?? site.lines.endSpan;
  if (site.previous === undefined) return site.lines.endSpan;
  const end = site.previous.endOffset! + 1;
  return site.lines.span(end, end);
}

export function syntaxError(
  code: string,
  site: ErrorSite,
  message: string,
  hint: string,
  related?: readonly RelatedLocation[],
): Diagnostic {
  return { code, severity: 'error', message, span: siteSpan(site), hint, ...(related ? { related } : {}) };
}

/** The source text from the start of token `first` to the end of token `last`. */
export function sourceBetween(site: ErrorSite, first: number, last: number): string {
  const start = site.tokens[first];
  const end = site.tokens[last];
  if (start === undefined || end === undefined || last < first) return '';
  return site.source.slice(start.startOffset, end.endOffset! + 1);
}
