/**
 * The situations syntax-errors.ts knows how to word, most specific first. Each rule looks at
 * one error site and either writes the diagnostic or passes.
 */
import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { sourceBetween, syntaxError, type ErrorSite, type SyntaxRule } from './error-site.js';
import {
  As,
  At,
  Block,
  Comma,
  Equals,
  For,
  Identifier,
  Import,
  Input,
  Keyword,
  LBrace,
  LBracket,
  Let,
  LParen,
  Model,
  Output,
  RBrace,
  RBracket,
  Return,
  RParen,
  Where,
} from './lexer.js';
import { STATEMENT_WORDS, statementHint, topLevelHint } from './syntax-hints.js';
import {
  alternatives,
  declarationNameBefore,
  describeOpener,
  describeToken,
  describeTokenType,
  findOpener,
  isEndOfFile,
  OPENER_OF,
} from './token-words.js';
import { codes } from '../diagnostics/codes.js';

function is(token: IToken | undefined, type: TokenType): boolean {
  return token !== undefined && !isEndOfFile(token) && tokenMatcher(token, type);
}

function expects(site: ErrorSite, ...names: string[]): boolean {
  return names.some((name) => site.expectation.expected.includes(name));
}

const found = (site: ErrorSite): string => describeToken(site.token);
const CLOSERS = [RParen, RBracket, RBrace];
const isCloser = (token: IToken | undefined): boolean => CLOSERS.some((type) => is(token, type));

const OPENERS = [LParen, LBracket, LBrace];
const STATEMENT_KEYWORDS = [Let, Input, Output, Return, Block, Model, Import];

/** The index of the first token of the `where` constraint that `index` is in, if it is in one. */
function constraintStart(site: ErrorSite, index: number): number | undefined {
  let depth = 0;
  let start: number | undefined;
  for (let cursor = index - 1; cursor >= 0; cursor--) {
    const token = site.tokens[cursor]!;
    if (isCloser(token)) depth++;
    else if (OPENERS.some((type) => is(token, type)) && --depth < 0) return undefined;
    else if (STATEMENT_KEYWORDS.some((type) => is(token, type))) return undefined;
    else if (depth === 0 && is(token, Comma)) start ??= cursor + 1;
    else if (depth === 0 && is(token, Where)) return start ?? cursor + 1;
  }
  return undefined;
}

const assignmentInWhere: SyntaxRule = (site) => {
  if (!is(site.token, Equals)) return undefined;
  const start = constraintStart(site, site.index);
  if (start === undefined) return undefined;
  const left = sourceBetween(site, start, site.index - 1);
  const right = site.tokens[site.index + 1];
  const example = right && !isEndOfFile(right) ? `\`${left} == ${right.image}\`` : '`==`';
  return syntaxError(
    codes.assignmentInWhere,
    site,
    '`=` in a `where` clause: constraints compare with `==`',
    `write ${example}`,
  );
};

const topLevel: SyntaxRule = (site) => {
  if (site.expectation.rule !== 'program' && site.expectation.kind !== 'redundantInput') return undefined;
  if (isCloser(site.token)) {
    return syntaxError(
      codes.unmatchedBracket,
      site,
      `${found(site)} closes nothing`,
      'remove it, or add the opening bracket it was meant to close',
    );
  }
  return syntaxError(
    codes.expectedDeclaration,
    site,
    `expected \`import\`, \`block\` or \`model\` but found ${found(site)}`,
    topLevelHint(site),
  );
};

function openerRelated(site: ErrorSite, open: number) {
  const span = site.lines.tokenSpan(site.tokens[open]!);
  return span ? [{ span, message: `\`${site.tokens[open]!.image}\` opened here` }] : undefined;
}

const declarationBody: SyntaxRule = (site) => {
  if (site.expectation.rule !== 'declaration' || !expects(site, 'RBrace')) return undefined;
  const name = declarationNameBefore(site.tokens, site.index) ?? 'this declaration';
  const open = findOpener(site.tokens, site.index, LBrace);
  const startsDeclaration = [Block, Model, Import, At].some((type) => is(site.token, type));
  if (isEndOfFile(site.token) || startsDeclaration) {
    const related = open === undefined ? undefined : openerRelated(site, open);
    return syntaxError(
      codes.unclosedBracket,
      site,
      `expected \`}\` to close the body of \`${name}\` but found ${found(site)}`,
      'add the missing `}`',
      related,
    );
  }
  if (is(site.token, RParen) || is(site.token, RBracket)) {
    return syntaxError(
      codes.unmatchedBracket,
      site,
      `${found(site)} closes nothing`,
      'remove it, or add the opening bracket it was meant to close',
    );
  }
  return syntaxError(
    codes.expectedStatement,
    site,
    `expected a statement (${STATEMENT_WORDS}) but found ${found(site)}`,
    statementHint(site),
  );
};

const SEPARATED_ITEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^the argument list|^the arguments/, 'arguments'],
  [/^the parameter list/, 'parameters'],
  [/^the list$/, 'items'],
  [/^the dimensions/, 'dimensions'],
  [/^the names/, 'names'],
];

function startsValue(token: IToken | undefined): boolean {
  return token !== undefined && !isEndOfFile(token) && !isCloser(token) && !tokenMatcher(token, Keyword)
    ? /^[A-Za-z_0-9"([\-!]/.test(token.image)
    : false;
}

function closingHint(site: ErrorSite, closer: string, what: string): string {
  const items = SEPARATED_ITEMS.find(([pattern]) => pattern.test(what))?.[1];
  const sameLine =
    site.previous !== undefined && site.token !== undefined && site.previous.endLine === site.token.startLine;
  if (items && sameLine && startsValue(site.token)) return `separate ${items} with \`,\``;
  if (is(site.token, Comma) && is(site.previous, Comma)) return 'remove the extra `,`';
  return `add the missing \`${closer}\``;
}

const unclosedBracket: SyntaxRule = (site) => {
  const closerName = site.expectation.expected.find((name) => OPENER_OF.has(name));
  if (site.expectation.kind !== 'mismatch' || closerName === undefined) return undefined;
  const closer = describeTokenType(closerName).replace(/`/g, '');
  const open = findOpener(site.tokens, site.index, OPENER_OF.get(closerName)!);
  if (open === undefined) return undefined;
  const what = describeOpener(site.tokens, open);
  const message = `expected \`${closer}\` to close ${what} but found ${found(site)}`;
  return syntaxError(codes.unclosedBracket, site, message, closingHint(site, closer, what), openerRelated(site, open));
};

const missingEquals: SyntaxRule = (site) => {
  const rule = site.expectation.rule;
  if (!expects(site, 'Equals') || (rule !== 'letStatement' && rule !== 'outputStatement')) return undefined;
  let start = site.index - 1;
  while (start > 0 && !is(site.tokens[start - 1], Let) && !tokenMatcher(site.tokens[start - 1]!, Keyword)) start--;
  const target = sourceBetween(site, start, site.index - 1);
  const keyword = rule === 'letStatement' ? 'let' : 'output';
  return syntaxError(
    codes.missingEquals,
    site,
    `expected \`=\` after \`${target}\` but found ${found(site)}`,
    `write \`${keyword} ${target} = <value>\``,
  );
};

const NAME_HINTS: ReadonlyArray<readonly [TokenType, string]> = [
  [Let, 'write `let name = <value>` or `let (first, second) = <value>`'],
  [At, 'an annotation is `@` and a name, as in `@classmap`'],
  [Block, 'write `block Name(parameters) { ... }`'],
  [Model, 'write `model Name(parameters) { ... }`'],
  [As, 'write `as` and the new name'],
  [For, 'write `for r in rates: <item>`'],
];

const expectedName: SyntaxRule = (site) => {
  const wantsName =
    expects(site, 'Identifier') && (site.expectation.kind === 'mismatch' || site.expectation.rule === 'letStatement');
  if (!wantsName) return undefined;
  if (is(site.token, Keyword) && !isEndOfFile(site.token)) {
    return syntaxError(
      codes.keywordAsName,
      site,
      `${found(site)} is a keyword and cannot be used as a name`,
      `${found(site)} is a keyword; rename it`,
    );
  }
  const after = site.previous ? ` after ${describeToken(site.previous)}` : '';
  const hint = NAME_HINTS.find(([type]) => is(site.previous, type))?.[1] ?? 'a name starts with a letter or `_`';
  if (site.expectation.rule === 'tensorType') {
    return syntaxError(
      codes.expectedName,
      site,
      `expected a dtype such as \`f32\`${after} but found ${found(site)}`,
      'write a dtype and the dimensions, as in `f32[N, H, W, 3]`',
    );
  }
  return syntaxError(codes.expectedName, site, `expected a name${after} but found ${found(site)}`, hint);
};

const EXPRESSION_RULES = new Set(['unary', 'primary', 'postfix', 'listItem', 'expression', 'ternary']);

const expectedExpression: SyntaxRule = (site) => {
  const { kind, rule } = site.expectation;
  if (rule === 'parenthesized' && kind === 'earlyExit') {
    const next = { ...site, index: site.index + 1, token: site.tokens[site.index + 1], previous: site.token };
    return syntaxError(
      codes.expectedExpression,
      next,
      `expected a value after \`,\` but found ${found(next)}`,
      'a tuple needs at least two values; remove the `,` to keep one',
    );
  }
  if (kind !== 'noViableAlternative' || !EXPRESSION_RULES.has(rule)) return undefined;
  const after = site.previous ? ` after ${describeToken(site.previous)}` : '';
  return syntaxError(
    codes.expectedExpression,
    site,
    `expected an expression${after} but found ${found(site)}`,
    'write a value here: a name, a number, a list or a call',
  );
};

const expectedStage: SyntaxRule = (site) => {
  if (site.expectation.kind !== 'noViableAlternative' || site.expectation.rule !== 'stage') return undefined;
  return syntaxError(
    codes.expectedStage,
    site,
    `expected an operation or block after \`->\` but found ${found(site)}`,
    'a stage is a name or a call, as in `-> relu` or `-> conv(64, 3)`',
  );
};

const declarationKeyword: SyntaxRule = (site) => {
  if (site.expectation.rule !== 'declaration' || !expects(site, 'Block', 'Model')) return undefined;
  return syntaxError(
    codes.unexpectedToken,
    site,
    `expected \`block\` or \`model\` after the annotations but found ${found(site)}`,
    'annotations stand before a `block` or `model` declaration',
  );
};

/** Context words and hints for single expected tokens, by rule. */
const PURPOSES: Readonly<Record<string, readonly [string, string]>> = {
  'importDeclaration:LBrace': ['after `import`', 'write `import { Name } from "file.seg"`'],
  'importDeclaration:From': ['after the import list', 'write `import { Name } from "file.seg"`'],
  'importDeclaration:StringLiteral': ['after `from`', 'the module path is a string, as in `from "./aspp.seg"`'],
  'declaration:LParen': [
    'after the declaration name',
    'parameters go in parentheses, even when there are none: `block A() { ... }`',
  ],
  'declaration:LBrace': ['to open the body', 'the statements of a declaration go in braces: `{ ... }`'],
  'inputStatement:Colon': ['after the input name', 'write `input image: f32[N, H, W, 3]`'],
  'tensorType:LBracket': ['after the dtype', 'give the dimensions in brackets, as in `f32[N, H, W, 3]`'],
  'comprehension:In': ['after the loop variable', 'write `for r in rates: <item>`'],
  'comprehension:Colon': ['before the item of the comprehension', 'write `for r in rates: <item>`'],
  'ternary:Colon': ['between the branches of `?`', 'write `condition ? then : otherwise`'],
  'repeatStage:LBrace': ['to open the `repeat` body', 'write `repeat 3 { conv(64, 3) -> relu }`'],
};

const unexpectedToken: SyntaxRule = (site) => {
  const { expected, rule } = site.expectation;
  const purpose = expected.length === 1 ? PURPOSES[`${rule}:${expected[0]}`] : undefined;
  if (rule === 'importDeclaration' && expected[0] === 'LBrace' && is(site.token, Identifier)) {
    return syntaxError(
      codes.unexpectedToken,
      site,
      `expected \`{\` after \`import\` but found ${found(site)}`,
      `write \`import { ${site.token!.image} } from "file.seg"\``,
    );
  }
  const words = alternatives(expected.map(describeTokenType));
  const message = `expected ${words}${purpose ? ` ${purpose[0]}` : ''} but found ${found(site)}`;
  return syntaxError(codes.unexpectedToken, site, message, purpose?.[1] ?? 'see the grammar in docs/language.md');
};

/** Most specific first; `unexpectedToken` always applies. */
export const SYNTAX_RULES: readonly SyntaxRule[] = [
  assignmentInWhere,
  topLevel,
  declarationBody,
  declarationKeyword,
  unclosedBracket,
  missingEquals,
  expectedName,
  expectedStage,
  expectedExpression,
  unexpectedToken,
];
