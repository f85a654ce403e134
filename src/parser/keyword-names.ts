/**
 * A keyword written where only a name can stand (`let input = x`, `block model(...)`) is a
 * certain error, and Chevrotain's recovery would misread the rest of the statement around it
 * (`input` starting an input statement). So such keywords are reported here, once, and handed
 * to the parser as the names the user wrote.
 */
import { tokenMatcher, type IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import {
  AdditiveOperator,
  AndAnd,
  Arrow,
  As,
  At,
  Block,
  Colon,
  Comma,
  EqualityOperator,
  Equals,
  False,
  For,
  Identifier,
  If,
  In,
  Input,
  Keyword,
  LBrace,
  LBracket,
  Let,
  LParen,
  Model,
  MultiplicativeOperator,
  OrOr,
  Output,
  Question,
  RBrace,
  RBracket,
  RelationalOperator,
  Repeat,
  Return,
  RParen,
  True,
  UnaryOperator,
  Where,
} from './lexer.js';
import type { LineIndex } from './spans.js';
import { codes } from '../diagnostics/codes.js';

/** Tokens after which the grammar accepts only a name. */
const NAME_INTRODUCERS = [Let, Input, Output, Block, Model, At, As, For];

/** Tokens after which a value must follow; of the keywords only these can start one there. */
const VALUE_INTRODUCERS = [
  Return,
  Equals,
  LParen,
  LBracket,
  Comma,
  Arrow,
  Question,
  Colon,
  Where,
  In,
  If,
  OrOr,
  AndAnd,
  EqualityOperator,
  RelationalOperator,
  AdditiveOperator,
  MultiplicativeOperator,
  UnaryOperator,
];
const VALUE_KEYWORDS = [True, False, For, Repeat];

/** `return input` or `f(x, model)`: a keyword used as a value on the line where the value starts. */
function isValuePosition(token: IToken, previous: IToken): boolean {
  if (VALUE_KEYWORDS.some((type) => tokenMatcher(token, type))) return false;
  return previous.endLine === token.startLine && VALUE_INTRODUCERS.some((type) => tokenMatcher(previous, type));
}

const OPENERS = [LParen, LBracket, LBrace];
const CLOSERS = [RParen, RBracket, RBrace];

/** The index of the `(` directly enclosing `index` (not inside a list), scanning back a bounded way. */
function enclosingParenthesis(tokens: readonly IToken[], index: number, limit = 256): number | undefined {
  let depth = 0;
  for (let cursor = index - 1; cursor >= 0 && cursor >= index - limit; cursor--) {
    const token = tokens[cursor]!;
    if (CLOSERS.some((type) => tokenMatcher(token, type))) depth++;
    else if (OPENERS.some((type) => tokenMatcher(token, type)) && depth-- === 0) {
      return tokenMatcher(token, LParen) ? cursor : undefined;
    }
  }
  return undefined;
}

/** Inside the parameters of `block A(...)` or the names of `let (...)`, every item starts with a name. */
function startsListOfNames(tokens: readonly IToken[], index: number): boolean {
  const open = enclosingParenthesis(tokens, index);
  if (open === undefined) return false;
  const before = tokens[open - 1];
  const beforeName = tokens[open - 2];
  if (before !== undefined && tokenMatcher(before, Let)) return true;
  return beforeName !== undefined && (tokenMatcher(beforeName, Block) || tokenMatcher(beforeName, Model));
}

function isNamePosition(tokens: readonly IToken[], index: number): boolean {
  const previous = tokens[index - 1];
  const next = tokens[index + 1];
  if (previous === undefined) return false;
  if (NAME_INTRODUCERS.some((type) => tokenMatcher(previous, type))) return true;
  if (isValuePosition(tokens[index]!, previous)) return true;
  if (!tokenMatcher(previous, LParen) && !tokenMatcher(previous, Comma)) return false;
  // `f(input: x)`: a named argument
  if (next !== undefined && tokenMatcher(next, Colon)) return true;
  return startsListOfNames(tokens, index);
}

/** Reports keywords in name positions and returns the tokens with those keywords as names. */
export function repairKeywordNames(tokens: readonly IToken[], lines: LineIndex, diagnostics: Diagnostic[]): IToken[] {
  return tokens.map((token, index) => {
    if (!tokenMatcher(token, Keyword) || !isNamePosition(tokens, index)) return token;
    diagnostics.push({
      code: codes.keywordAsName,
      severity: 'error',
      message: `\`${token.image}\` is a keyword and cannot be used as a name`,
      span: lines.tokenSpan(token)!,
      hint: `\`${token.image}\` is a keyword; rename it`,
    });
    return { ...token, tokenType: Identifier, tokenTypeIdx: Identifier.tokenTypeIdx! };
  });
}
