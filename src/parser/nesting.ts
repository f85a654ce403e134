/**
 * The parser, the AST visitor and the formatter all recurse once per level of nesting, so a
 * pathological file (thousands of `(`) would overflow the stack. Such files are refused up
 * front with a diagnostic at the first token that goes too deep; no real network needs a
 * fraction of these limits.
 */
import { tokenMatcher, type IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { SyntaxCode } from './codes.js';
import { LBrace, LBracket, LParen, RBrace, RBracket, RParen, UnaryOperator } from './lexer.js';
import type { LineIndex } from './spans.js';

export const MAX_BRACKET_DEPTH = 64;
export const MAX_UNARY_RUN = 256;

const OPENERS = [LParen, LBracket, LBrace];
const CLOSERS = [RParen, RBracket, RBrace];

function matchesAny(token: IToken, types: typeof OPENERS): boolean {
  return types.some((type) => tokenMatcher(token, type));
}

function tooDeep(token: IToken, lines: LineIndex, what: string): Diagnostic {
  return {
    code: SyntaxCode.nestingTooDeep,
    severity: 'error',
    message: `${what}; the file is not parsed further`,
    span: lines.tokenSpan(token)!,
    hint: 'split the expression with `let` names',
  };
}

export function nestingProblem(tokens: readonly IToken[], lines: LineIndex): Diagnostic | undefined {
  let depth = 0;
  let unaryRun = 0;
  for (const token of tokens) {
    if (matchesAny(token, OPENERS) && ++depth > MAX_BRACKET_DEPTH) {
      return tooDeep(token, lines, `brackets nested more than ${MAX_BRACKET_DEPTH} levels deep`);
    }
    if (matchesAny(token, CLOSERS)) depth = Math.max(0, depth - 1);
    unaryRun = tokenMatcher(token, UnaryOperator) ? unaryRun + 1 : 0;
    if (unaryRun > MAX_UNARY_RUN) return tooDeep(token, lines, `more than ${MAX_UNARY_RUN} operators in a row`);
  }
  return undefined;
}
