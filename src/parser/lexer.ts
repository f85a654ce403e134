/**
 * The tokens of `.seg` and the lexer built from them. Keywords are declared with
 * `longer_alt: Identifier` so that `inputs`, `format` or `repeated` stay names. A few tokens
 * exist only to catch common mistakes (`;`, `=>`, single quotes, `1.`): lexical-checks.ts
 * reports them and turns them into the token that was meant, so parsing goes on undisturbed.
 */
import { createToken, type ILexerConfig, Lexer, type IToken, type TokenType } from 'chevrotain';
import { scanNumber } from './numbers.js';

const COMMENTS_GROUP = 'comments';
const MISTAKES_GROUP = 'mistakes';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

/** All keywords share this category, so "a keyword where a name belongs" is one check. */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });

function keyword(word: string): TokenType {
  const name = `${word[0]!.toUpperCase()}${word.slice(1)}`;
  return createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Keyword],
    label: `\`${word}\``,
  });
}

export const Import = keyword('import');
export const From = keyword('from');
export const As = keyword('as');
export const Block = keyword('block');
export const Model = keyword('model');
export const Let = keyword('let');
export const Input = keyword('input');
export const Output = keyword('output');
export const Return = keyword('return');
export const Where = keyword('where');
export const For = keyword('for');
export const In = keyword('in');
export const If = keyword('if');
export const Repeat = keyword('repeat');
export const True = keyword('true');
export const False = keyword('false');

/** Longest first, so that a keyword never matches the start of a longer one (`in`, `input`). */
export const KEYWORDS: readonly TokenType[] = [
  Import,
  From,
  As,
  Block,
  Model,
  Let,
  Input,
  Output,
  Return,
  Where,
  For,
  In,
  If,
  Repeat,
  True,
  False,
].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length);

/** Type names and dtypes are ordinary identifiers; listed for editors and documentation. */
export const TYPE_NAMES: readonly string[] = ['int', 'float', 'bool', 'string', 'tensor'];
export const DTYPE_NAMES: readonly string[] = ['f32', 'i32'];

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const DocComment = createToken({ name: 'DocComment', pattern: /\/\/\/(?!\/)[^\n\r]*/, group: COMMENTS_GROUP });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: COMMENTS_GROUP });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: COMMENTS_GROUP,
  line_breaks: true,
});
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  group: COMMENTS_GROUP,
  line_breaks: true,
});

export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
  label: 'a string',
});
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/ });
export const SingleQuotedString = createToken({ name: 'SingleQuotedString', pattern: /'(?:[^'\\\n\r]|\\[^\n\r])*'/ });

export const MalformedNumber = createToken({
  name: 'MalformedNumber',
  pattern: {
    exec: (text: string, offset: number) => {
      const scanned = scanNumber(text, offset);
      return scanned?.problem ? ([text.slice(offset, offset + scanned.length)] as [string]) : null;
    },
  },
  start_chars_hint: ['.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  line_breaks: false,
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/,
  label: 'a number',
});

function operator(name: string, text: string, categories: TokenType[] = []): TokenType {
  const pattern = new RegExp(text.replace(/[|&*+?()[\]{}.\\/^$]/g, '\\$&'));
  return createToken({ name, pattern, categories, label: `\`${text}\`` });
}

export const EqualityOperator = createToken({ name: 'EqualityOperator', pattern: Lexer.NA });
export const RelationalOperator = createToken({ name: 'RelationalOperator', pattern: Lexer.NA });
export const AdditiveOperator = createToken({ name: 'AdditiveOperator', pattern: Lexer.NA });
export const MultiplicativeOperator = createToken({ name: 'MultiplicativeOperator', pattern: Lexer.NA });
export const UnaryOperator = createToken({ name: 'UnaryOperator', pattern: Lexer.NA });

export const Arrow = operator('Arrow', '->');
export const FatArrow = operator('FatArrow', '=>');
export const EqualEqual = operator('EqualEqual', '==', [EqualityOperator]);
export const NotEqual = operator('NotEqual', '!=', [EqualityOperator]);
export const LessEqual = operator('LessEqual', '<=', [RelationalOperator]);
export const GreaterEqual = operator('GreaterEqual', '>=', [RelationalOperator]);
export const AndAnd = operator('AndAnd', '&&');
export const OrOr = operator('OrOr', '||');
export const Equals = operator('Equals', '=');
export const Less = operator('Less', '<', [RelationalOperator]);
export const Greater = operator('Greater', '>', [RelationalOperator]);
export const Plus = operator('Plus', '+', [AdditiveOperator]);
export const Minus = operator('Minus', '-', [AdditiveOperator, UnaryOperator]);
export const Star = operator('Star', '*', [MultiplicativeOperator]);
export const Slash = operator('Slash', '/', [MultiplicativeOperator]);
export const Percent = operator('Percent', '%', [MultiplicativeOperator]);
export const Bang = operator('Bang', '!', [UnaryOperator]);
export const LParen = operator('LParen', '(');
export const RParen = operator('RParen', ')');
export const LBracket = operator('LBracket', '[');
export const RBracket = operator('RBracket', ']');
export const LBrace = operator('LBrace', '{');
export const RBrace = operator('RBrace', '}');
export const Comma = operator('Comma', ',');
export const Colon = operator('Colon', ':');
export const Question = operator('Question', '?');
export const At = operator('At', '@');
export const Ampersand = createToken({ name: 'Ampersand', pattern: /&/ });
export const Bar = createToken({ name: 'Bar', pattern: /\|/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, group: MISTAKES_GROUP, label: '`;`' });

/** Operators and punctuation in the order the lexer tries them (longest spelling first). */
export const PUNCTUATION: readonly TokenType[] = [
  Arrow,
  FatArrow,
  EqualEqual,
  NotEqual,
  LessEqual,
  GreaterEqual,
  AndAnd,
  OrOr,
  Equals,
  Less,
  Greater,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Question,
  At,
];

/** Tokens that only catch mistakes; the grammar never mentions them. */
export const MISTAKE_TOKENS: readonly TokenType[] = [
  FatArrow,
  Ampersand,
  Bar,
  Semicolon,
  SingleQuotedString,
  UnterminatedString,
  MalformedNumber,
  UnterminatedComment,
];

const CATEGORIES: readonly TokenType[] = [
  Keyword,
  EqualityOperator,
  RelationalOperator,
  AdditiveOperator,
  MultiplicativeOperator,
  UnaryOperator,
];

/** Every token type, in lexing order; the parser is built from the same list. */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  DocComment,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  SingleQuotedString,
  MalformedNumber,
  NumberLiteral,
  ...KEYWORDS,
  Identifier,
  ...PUNCTUATION,
  Ampersand,
  Bar,
  Semicolon,
  ...CATEGORIES,
];

const LEXER_OPTIONS: ILexerConfig = {
  positionTracking: 'full',
  lineTerminatorsPattern: /\n|\r\n/g,
  lineTerminatorCharacters: ['\n'],
  ensureOptimizations: true,
};

// Validations skipped at start-up, as for the parser; `validateLexer` runs them in the tests.
const lexer = new Lexer([...ALL_TOKENS], { ...LEXER_OPTIONS, skipValidations: true });

/** Builds the lexer with Chevrotain's token checks on; throws if a token definition is faulty. */
export function validateLexer(): void {
  new Lexer([...ALL_TOKENS], LEXER_OPTIONS);
}

export interface RawLexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly mistakes: IToken[];
  /** Runs of characters no token matches: [offset, length]. */
  readonly unexpected: ReadonlyArray<readonly [number, number]>;
}

/** Splits `source` into tokens; never throws. Errors are positions, reported by lexical-checks.ts. */
export function lex(source: string): RawLexResult {
  const result = lexer.tokenize(source);
  return {
    tokens: result.tokens,
    comments: result.groups[COMMENTS_GROUP] ?? [],
    mistakes: result.groups[MISTAKES_GROUP] ?? [],
    unexpected: result.errors.map((error) => [error.offset, error.length] as const),
  };
}
