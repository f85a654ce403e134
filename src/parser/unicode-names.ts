/**
 * Names are ASCII, but `größe` or `α` are natural to write. The lexer sees such a word as a
 * name cut by unexpected characters, which would cascade into parse errors; here the whole
 * word is reported once and handed to the parser as one name.
 */
import { createTokenInstance, tokenMatcher, type IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { Identifier, Keyword, NumberLiteral } from './lexer.js';
import type { LineIndex } from './spans.js';
import { codes } from '../diagnostics/codes.js';

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;
const LETTER = /\p{L}/u;

type Run = readonly [offset: number, length: number];

function wordAround(source: string, offset: number, length: number): [number, number] {
  let start = offset;
  let end = offset + length;
  while (start > 0 && WORD_CHARACTER.test(source[start - 1]!)) start--;
  while (end < source.length && WORD_CHARACTER.test(source[end]!)) end++;
  return [start, end];
}

function isWordToken(token: IToken): boolean {
  return [Identifier, Keyword, NumberLiteral].some((type) => tokenMatcher(token, type));
}

function nameToken(source: string, start: number, end: number, lines: LineIndex): IToken {
  const first = lines.position(start);
  const last = lines.position(end - 1);
  return createTokenInstance(
    Identifier,
    source.slice(start, end),
    start,
    end - 1,
    first.line,
    last.line,
    first.column,
    last.column,
  );
}

export interface RepairedNames {
  readonly tokens: IToken[];
  /** The unexpected runs that were not part of a word. */
  readonly unexpected: Run[];
}

/** Joins words with non-ASCII letters into single names, reporting each word once. */
export function repairUnicodeNames(
  source: string,
  tokens: IToken[],
  runs: readonly Run[],
  lines: LineIndex,
  diagnostics: Diagnostic[],
): RepairedNames {
  const words: Array<[number, number]> = [];
  const unexpected: Run[] = [];
  for (const [offset, length] of runs) {
    const text = source.slice(offset, offset + length);
    if (![...text].every((character) => WORD_CHARACTER.test(character)) || !LETTER.test(text)) {
      unexpected.push([offset, length]);
      continue;
    }
    const word = wordAround(source, offset, length);
    if (words.at(-1)?.[0] !== word[0]) words.push(word);
  }
  if (words.length === 0) return { tokens, unexpected };
  const inWord = (token: IToken) =>
    words.some(([start, end]) => token.startOffset >= start && token.startOffset < end && isWordToken(token));
  const merged = [
    ...tokens.filter((token) => !inWord(token)),
    ...words.map(([start, end]) => nameToken(source, start, end, lines)),
  ];
  for (const [start, end] of words) {
    diagnostics.push({
      code: codes.unexpectedCharacter,
      severity: 'error',
      message: `\`${source.slice(start, end)}\` is not a valid name`,
      span: lines.span(start, end),
      hint: 'names use ASCII letters, digits and `_`',
    });
  }
  return { tokens: merged.sort((a, b) => a.startOffset - b.startOffset), unexpected };
}
