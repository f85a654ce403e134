/**
 * The parser, the AST visitor, the elaborator and the formatter all recurse once per level of
 * nesting, so a pathological file (thousands of `(`, or a chain of 5,000 `1 + `) would overflow
 * the stack. Such files are refused up front with a diagnostic at the first token that goes too
 * deep; no real network needs a fraction of these limits (docs/limits.md).
 */
import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import {
  AdditiveOperator,
  AndAnd,
  Colon,
  Comma,
  EqualityOperator,
  Equals,
  Input,
  LBrace,
  LBracket,
  Let,
  LParen,
  MultiplicativeOperator,
  OrOr,
  Output,
  Question,
  RBrace,
  RBracket,
  RelationalOperator,
  Return,
  RParen,
  UnaryOperator,
  Where,
} from './lexer.js';
import type { LineIndex } from './spans.js';
import { codes } from '../diagnostics/codes.js';

export const MAX_BRACKET_DEPTH = 64;
export const MAX_UNARY_RUN = 256;
/**
 * Operators of one expression, counting those of the expressions around a bracket: the AST is
 * a tree as deep as its operator chains, and every pass walks it recursively.
 */
export const MAX_EXPRESSION_OPERATORS = 1000;

const OPENERS = [LParen, LBracket, LBrace];
const CLOSERS = [RParen, RBracket, RBrace];
const OPERATORS = [
  AdditiveOperator,
  MultiplicativeOperator,
  RelationalOperator,
  EqualityOperator,
  AndAnd,
  OrOr,
  Question,
];
/** Tokens after which a new expression starts at the same bracket level. */
const SEPARATORS = [Comma, Colon, Equals, Let, Input, Output, Return, Where];

function matchesAny(token: IToken, types: readonly TokenType[]): boolean {
  return types.some((type) => tokenMatcher(token, type));
}

function tooDeep(token: IToken, lines: LineIndex, what: string): Diagnostic {
  return {
    code: codes.nestingTooDeep,
    severity: 'error',
    message: `${what}; the file is not parsed further`,
    span: lines.tokenSpan(token)!,
    hint: 'split the expression with `let` names',
  };
}

export function nestingProblem(tokens: readonly IToken[], lines: LineIndex): Diagnostic | undefined {
  let depth = 0;
  let unaryRun = 0;
  const operators = new OperatorCount();
  for (const token of tokens) {
    if (matchesAny(token, OPENERS) && ++depth > MAX_BRACKET_DEPTH) {
      return tooDeep(token, lines, `brackets nested more than ${MAX_BRACKET_DEPTH} levels deep`);
    }
    if (matchesAny(token, CLOSERS)) depth = Math.max(0, depth - 1);
    unaryRun = tokenMatcher(token, UnaryOperator) ? unaryRun + 1 : 0;
    if (unaryRun > MAX_UNARY_RUN) return tooDeep(token, lines, `more than ${MAX_UNARY_RUN} operators in a row`);
    if (operators.next(token) > MAX_EXPRESSION_OPERATORS) {
      return tooDeep(token, lines, `an expression with more than ${MAX_EXPRESSION_OPERATORS} operators`);
    }
  }
  return undefined;
}

/** Counts the operators of the expression a token is in, plus those of the enclosing ones. */
class OperatorCount {
  private current = 0;
  private enclosing = 0;
  private readonly saved: number[] = [];

  next(token: IToken): number {
    if (matchesAny(token, OPENERS)) {
      this.saved.push(this.current);
      this.enclosing += this.current;
      this.current = 0;
    } else if (matchesAny(token, CLOSERS) && this.saved.length > 0) {
      this.current = this.saved.pop()!;
      this.enclosing -= this.current;
    } else if (matchesAny(token, SEPARATORS)) {
      this.current = 0;
    } else if (matchesAny(token, OPERATORS)) {
      this.current++;
    }
    return this.enclosing + this.current;
  }
}
