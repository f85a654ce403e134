/**
 * Tokens and bracket contexts in words, for syntax error messages: "found `]`", "expected a
 * name", "the argument list of `conv`", "the end of the file".
 */
import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import {
  ALL_TOKENS,
  At,
  Block,
  Colon,
  Identifier,
  Import,
  Input,
  Keyword,
  LBrace,
  LBracket,
  Let,
  LParen,
  Model,
  NumberLiteral,
  RBrace,
  RBracket,
  Repeat,
  RParen,
  StringLiteral,
} from './lexer.js';

const TYPES_BY_NAME = new Map(ALL_TOKENS.map((type) => [type.name, type]));

export function tokenTypeNamed(name: string): TokenType | undefined {
  return TYPES_BY_NAME.get(name);
}

export function isEndOfFile(token: IToken | undefined): boolean {
  return token === undefined || token.tokenType.name === 'EOF';
}

/** "`]`", "`conv`", "the string \"abc\"", "the end of the file". */
export function describeToken(token: IToken | undefined): string {
  if (token === undefined || isEndOfFile(token)) return 'the end of the file';
  if (tokenMatcher(token, StringLiteral)) {
    const text = token.image.length > 24 ? `${token.image.slice(0, 20)}..."` : token.image;
    return `the string ${text}`;
  }
  const text = token.image.length > 24 ? `${token.image.slice(0, 20)}...` : token.image;
  return `\`${text}\``;
}

/** "a name", "`)`", "the end of the file". */
export function describeTokenType(name: string): string {
  if (name === 'EOF') return 'the end of the file';
  if (name === 'UnaryOperator') return '`-` or `!`';
  const label = tokenTypeNamed(name)?.LABEL;
  return label ?? name;
}

/** "a, b or c". */
export function alternatives(words: readonly string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? 'something else';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

export const OPENER_OF: ReadonlyMap<string, TokenType> = new Map([
  [RParen.name, LParen],
  [RBracket.name, LBracket],
  [RBrace.name, LBrace],
]);

/** The index of the unclosed `opener` before `index`, counting only that kind of bracket. */
export function findOpener(tokens: readonly IToken[], index: number, opener: TokenType): number | undefined {
  const closer = opener === LParen ? RParen : opener === LBracket ? RBracket : RBrace;
  let depth = 0;
  for (let cursor = Math.min(index, tokens.length) - 1; cursor >= 0; cursor--) {
    const token = tokens[cursor]!;
    if (tokenMatcher(token, closer)) depth++;
    else if (tokenMatcher(token, opener) && depth-- === 0) return cursor;
  }
  return undefined;
}

function is(token: IToken | undefined, type: TokenType): boolean {
  return token !== undefined && tokenMatcher(token, type);
}

function isName(token: IToken | undefined): boolean {
  return is(token, Identifier) || is(token, Keyword);
}

function describeParenthesis(tokens: readonly IToken[], open: number): string {
  const callee = tokens[open - 1];
  const before = tokens[open - 2];
  if (is(callee, Let)) return 'the names of this `let`';
  if (!isName(callee)) return 'the parentheses';
  if (is(before, Block) || is(before, Model)) return `the parameter list of \`${callee!.image}\``;
  if (is(before, At)) return `the arguments of \`@${callee!.image}\``;
  return `the argument list of \`${callee!.image}\``;
}

function endsValue(token: IToken | undefined): boolean {
  return (
    is(token, Identifier) ||
    is(token, RParen) ||
    is(token, RBracket) ||
    is(token, NumberLiteral) ||
    is(token, StringLiteral)
  );
}

function describeBracket(tokens: readonly IToken[], open: number): string {
  const before = tokens[open - 1];
  if (is(before, Identifier) && is(tokens[open - 2], Colon) && is(tokens[open - 4], Input)) {
    return `the dimensions of \`${tokens[open - 3]!.image}\``;
  }
  if (is(before, Identifier) && is(tokens[open - 2], Colon)) return `the list type \`${before!.image}[]\``;
  return endsValue(before) ? 'the index' : 'the list';
}

/** The name declared by the nearest `block`/`model` before `index`. */
export function declarationNameBefore(tokens: readonly IToken[], index: number): string | undefined {
  for (let cursor = Math.min(index, tokens.length) - 1; cursor >= 0; cursor--) {
    const token = tokens[cursor]!;
    if (is(token, Block) || is(token, Model)) return tokens[cursor + 1]?.image;
  }
  return undefined;
}

function describeBrace(tokens: readonly IToken[], open: number): string {
  if (is(tokens[open - 1], Import)) return 'the import list';
  const header = findOpener(tokens, open - 1, LParen);
  const keyword = header === undefined ? undefined : tokens[header - 2];
  if (is(tokens[open - 1], RParen) && (is(keyword, Block) || is(keyword, Model))) {
    return `the body of \`${tokens[header! - 1]!.image}\``;
  }
  for (let cursor = open - 1; cursor >= 0 && !is(tokens[cursor], LBrace); cursor--) {
    if (is(tokens[cursor], Repeat)) return 'the `repeat` body';
  }
  return 'the braces';
}

/** What the bracket at `open` encloses: "the argument list of `conv`", "the list", ... */
export function describeOpener(tokens: readonly IToken[], open: number): string {
  const token = tokens[open]!;
  if (tokenMatcher(token, LParen)) return describeParenthesis(tokens, open);
  if (tokenMatcher(token, LBracket)) return describeBracket(tokens, open);
  return describeBrace(tokens, open);
}
