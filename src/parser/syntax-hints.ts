/**
 * Hints for tokens that turn up where a statement or a declaration should start: the usual
 * slips of people coming from other languages (`x = 1`, `var`, `def`) and a forgotten `->`.
 */
import { tokenMatcher, type IToken } from 'chevrotain';
import type { ErrorSite } from './error-site.js';
import {
  Equals,
  Identifier,
  Input,
  Let,
  NumberLiteral,
  Output,
  Return,
  RBracket,
  RParen,
  StringLiteral,
} from './lexer.js';
import { isEndOfFile } from './token-words.js';

export const STATEMENT_WORDS = '`let`, `input`, `output` or `return`';

const DECLARING_WORDS = new Set(['const', 'var', 'val', 'def', 'auto']);
const DECLARATION_WORDS = new Set([
  'def',
  'function',
  'fn',
  'func',
  'class',
  'network',
  'layer',
  'module',
  'struct',
  'net',
]);

function isIdentifier(token: IToken | undefined): token is IToken {
  return token !== undefined && !isEndOfFile(token) && tokenMatcher(token, Identifier);
}

function endsValue(token: IToken | undefined): boolean {
  return (
    token !== undefined &&
    [Identifier, NumberLiteral, StringLiteral, RParen, RBracket].some((type) => tokenMatcher(token, type))
  );
}

export function statementHint(site: ErrorSite): string {
  const token = site.token;
  const next = site.tokens[site.index + 1];
  if (isIdentifier(token) && next !== undefined && tokenMatcher(next, Equals)) {
    return `declare a name with \`let ${token.image} = ...\``;
  }
  if (isIdentifier(token) && DECLARING_WORDS.has(token.image)) return 'declare names with `let`';
  if (token !== undefined && !isEndOfFile(token) && tokenMatcher(token, Equals))
    return 'to compare two values, write `==`';
  const sameLine = site.previous !== undefined && token !== undefined && site.previous.endLine === token.startLine;
  if (isIdentifier(token) && sameLine && endsValue(site.previous))
    return `did you forget \`->\` before \`${token.image}\`?`;
  return 'a body holds `let`, `input`, `output` and `return` statements';
}

export function topLevelHint(site: ErrorSite): string {
  const token = site.token;
  if (token !== undefined && [Let, Input, Output, Return].some((type) => tokenMatcher(token, type))) {
    return 'statements belong inside a `block` or `model` body';
  }
  if (isIdentifier(token) && DECLARATION_WORDS.has(token.image)) return 'declare it with `block` or `model`';
  return 'a file holds imports, blocks and models';
}
