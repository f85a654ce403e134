/**
 * Turns the raw lexer output into the parser's input plus lexical diagnostics. Mistake tokens
 * are reported and replaced by what the user meant (`=>` by `->`, `'a'` by a string, `1.` by a
 * number, `;` dropped), so one typo yields one diagnostic instead of a cascade of parse errors.
 */
import type { IToken, TokenType } from 'chevrotain';
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import {
  Ampersand,
  AndAnd,
  Arrow,
  Bar,
  DocComment,
  FatArrow,
  lex,
  MalformedNumber,
  OrOr,
  NumberLiteral,
  SingleQuotedString,
  StringLiteral,
  UnterminatedComment,
  UnterminatedString,
} from './lexer.js';
import { numberHint, numberRangeProblem, scanNumber } from './numbers.js';
import type { LineIndex } from './spans.js';
import { decodeString } from './strings.js';
import { repairUnicodeNames } from './unicode-names.js';
import { codes } from '../diagnostics/codes.js';

export interface LexedSource {
  /** The parser's input: mistakes already replaced by the intended tokens. */
  readonly tokens: IToken[];
  /** `//` and `/* *\/` comments, in source order. */
  readonly comments: IToken[];
  /** `///` comments, in source order. */
  readonly docComments: IToken[];
  readonly diagnostics: Diagnostic[];
}

function error(code: string, span: Span, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', message, span, hint };
}

function retype(token: IToken, type: TokenType): IToken {
  return { ...token, tokenType: type, tokenTypeIdx: type.tokenTypeIdx! };
}

/** Shows a character so that invisible ones are still visible in a message. */
export function showCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || /\s/.test(character))
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\`${character}\``;
}

function unexpectedHint(character: string): string {
  if (character === "'" || character === '`') return 'strings use double quotes: `"text"`';
  if (character === '#') return 'comments start with `//`';
  if (character === '.') return 'there is no `.` operator; pass values as arguments';
  if (character === '\\') return 'a backslash only appears inside strings';
  if (/\p{L}/u.test(character)) return 'names use ASCII letters, digits and `_`';
  return 'remove it';
}

function unexpectedCharacters(source: string, lines: LineIndex, offset: number, length: number): Diagnostic {
  const text = source.slice(offset, offset + length);
  const first = String.fromCodePoint(text.codePointAt(0) ?? 0);
  const shown = [...text].length === 1 ? showCharacter(first) : `\`${text}\``;
  const noun = [...text].length === 1 ? 'character' : 'characters';
  return error(
    codes.unexpectedCharacter,
    lines.span(offset, offset + length),
    `unexpected ${noun} ${shown}`,
    unexpectedHint(first),
  );
}

function stringProblems(token: IToken, lines: LineIndex): Diagnostic[] {
  return decodeString(token.image).problems.map((problem) => {
    const start = token.startOffset + problem.offset;
    return error(codes.badEscape, lines.span(start, start + problem.length), problem.message, problem.hint);
  });
}

/** Reports one mistake token; returns the token the parser should see instead, if any. */
function repairToken(token: IToken, lines: LineIndex, diagnostics: Diagnostic[]): IToken {
  const span = lines.tokenSpan(token)!;
  switch (token.tokenType) {
    case FatArrow:
      diagnostics.push(
        error(codes.fatArrow, span, '`=>` is not an operator in .seg', 'use `->` to pass a value to the next stage'),
      );
      return retype(token, Arrow);
    case SingleQuotedString:
      diagnostics.push(
        error(
          codes.singleQuotes,
          span,
          'strings use double quotes',
          `write "${token.image.slice(1, -1).replace(/"/g, '\\"')}"`,
        ),
      );
      return retype(token, StringLiteral);
    case UnterminatedString:
      diagnostics.push(
        error(codes.unterminatedString, span, 'unterminated string', 'close it with `"` on the same line'),
      );
      return retype(token, StringLiteral);
    case Ampersand:
    case Bar: {
      const meant = token.tokenType === Ampersand ? ['&&', 'and'] : ['||', 'or'];
      diagnostics.push(
        error(
          codes.unexpectedCharacter,
          span,
          `unexpected character \`${token.image}\``,
          `write \`${meant[0]}\` for "${meant[1]}"`,
        ),
      );
      return retype(token, token.tokenType === Ampersand ? AndAnd : OrOr);
    }
    case MalformedNumber: {
      const problem = scanNumber(token.image, 0)?.problem ?? 'trailing-letters';
      diagnostics.push(
        error(codes.malformedNumber, span, `malformed number \`${token.image}\``, numberHint(token.image, problem)),
      );
      return retype(token, NumberLiteral);
    }
    default:
      return token;
  }
}

function commentProblems(comments: readonly IToken[], lines: LineIndex): Diagnostic[] {
  return comments
    .filter((comment) => comment.tokenType === UnterminatedComment)
    .map((comment) =>
      error(
        codes.unterminatedComment,
        lines.span(comment.startOffset, comment.startOffset + 2),
        'unterminated block comment',
        'close it with `*/`; block comments do not nest',
      ),
    );
}

/** Lexes `source` and checks it; never throws. */
export function tokenize(source: string, lines: LineIndex): LexedSource {
  const raw = lex(source);
  const diagnostics: Diagnostic[] = [];
  const names = repairUnicodeNames(source, raw.tokens, raw.unexpected, lines, diagnostics);
  for (const [offset, length] of names.unexpected)
    diagnostics.push(unexpectedCharacters(source, lines, offset, length));
  for (const semicolon of raw.mistakes) {
    diagnostics.push(
      error(codes.semicolon, lines.tokenSpan(semicolon)!, '`;` is not a separator in .seg', 'statements need no `;`'),
    );
  }
  const tokens = names.tokens.map((token) => repairToken(token, lines, diagnostics));
  for (const token of tokens) {
    if (token.tokenType === StringLiteral) diagnostics.push(...stringProblems(token, lines));
    const range = token.tokenType === NumberLiteral ? numberRangeProblem(token.image) : undefined;
    if (range) diagnostics.push(error(codes.numberOutOfRange, lines.tokenSpan(token)!, range.message, range.hint));
  }
  diagnostics.push(...commentProblems(raw.comments, lines));
  return {
    tokens,
    comments: raw.comments.filter((comment) => comment.tokenType !== DocComment),
    docComments: raw.comments.filter((comment) => comment.tokenType === DocComment),
    diagnostics,
  };
}
