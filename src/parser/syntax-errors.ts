/**
 * Words Chevrotain's recognition errors as diagnostics with stable codes and hints. Each rule
 * below recognises one situation (a missing closing bracket, a missing `=`, a keyword where a
 * name belongs, ...) from the expected tokens, the rule and the surrounding tokens; the first
 * rule that applies writes the message. Only the first error of each statement is kept:
 * later ones in the same statement are almost always echoes of the first.
 */
import { tokenMatcher, type IRecognitionException, type IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { decodeExpectation } from './error-provider.js';
import { syntaxError, type ErrorSite } from './error-site.js';
import { Block, Import, Input, Let, Model, Output, Return } from './lexer.js';
import type { LineIndex } from './spans.js';
import { SYNTAX_RULES } from './syntax-rules.js';
import { describeToken, isEndOfFile } from './token-words.js';
import { codes } from '../diagnostics/codes.js';

function indexOfToken(tokens: readonly IToken[], token: IToken): number {
  if (isEndOfFile(token) || !Number.isFinite(token.startOffset)) return tokens.length;
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tokens[middle]!.startOffset < token.startOffset) low = middle + 1;
    else high = middle;
  }
  return low;
}

function siteOf(error: IRecognitionException, source: string, tokens: readonly IToken[], lines: LineIndex): ErrorSite {
  const index = indexOfToken(tokens, error.token);
  const expectation = decodeExpectation(error.message) ?? { kind: 'mismatch', expected: [], rule: '' };
  return { source, tokens, index, token: tokens[index], previous: tokens[index - 1], expectation, lines };
}

function genericError(site: ErrorSite): Diagnostic {
  return syntaxError(
    codes.unexpectedToken,
    site,
    `unexpected ${describeToken(site.token)}`,
    'see the grammar in docs/language.md',
  );
}

const UNIT_STARTERS = [Let, Input, Output, Return, Import, Block, Model];

function startsUnit(token: IToken | undefined): boolean {
  return token !== undefined && UNIT_STARTERS.some((type) => tokenMatcher(token, type));
}

/** Statement or declaration number of each error site, to keep one error per statement. */
function unitOf(tokens: readonly IToken[]): (site: ErrorSite) => number {
  const units: number[] = [];
  let unit = 0;
  for (const token of tokens) {
    if (startsUnit(token)) unit++;
    units.push(unit);
  }
  return ({ index, expectation }) => {
    // a statement keyword where something else was expected ends the statement before it
    const topLevel = expectation.rule === 'program' || expectation.kind === 'redundantInput';
    const ownedByPrevious = index >= tokens.length || (startsUnit(tokens[index]) && !topLevel);
    return units[ownedByPrevious ? index - 1 : index] ?? 0;
  };
}

/** Diagnostics for the parser's errors, in source order, one per statement. */
export function syntaxDiagnostics(
  errors: readonly IRecognitionException[],
  source: string,
  tokens: readonly IToken[],
  lines: LineIndex,
): Diagnostic[] {
  const sites = errors.map((error) => siteOf(error, source, tokens, lines)).sort((a, b) => a.index - b.index);
  const unit = unitOf(tokens);
  const seen = new Set<number>();
  const diagnostics: Diagnostic[] = [];
  for (const site of sites) {
    const key = unit(site);
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(
      SYNTAX_RULES.reduce<Diagnostic | undefined>((found, rule) => found ?? rule(site), undefined) ??
        genericError(site),
    );
  }
  return diagnostics;
}
