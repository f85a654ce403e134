/**
 * A TextMate grammar for editors (VS Code, Sublime, GitHub linguist), built from the token
 * definitions of the lexer so that keywords, numbers and comments are coloured exactly as
 * they are lexed.
 */
import type { TokenType } from 'chevrotain';
import {
  DocComment,
  DTYPE_NAMES,
  False,
  Identifier,
  KEYWORDS,
  LineComment,
  NumberLiteral,
  PUNCTUATION,
  True,
  TYPE_NAMES,
} from '../src/parser/lexer.js';

function source(type: TokenType): string {
  return (type.PATTERN as RegExp).source;
}

function words(list: readonly string[]): string {
  return `\\b(?:${list.join('|')})\\b`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[|&*+?()[\]{}.\\/^$-]/g, '\\$&');
}

function keywordWords(types: readonly TokenType[]): string[] {
  return types.map((type) => source(type)).sort();
}

const OPERATORS = ['->', '==', '!=', '<=', '>=', '&&', '||', '=', '<', '>', '+', '-', '*', '/', '%', '!', '?'];

export function textMateGrammar(): object {
  const name = source(Identifier);
  const control = keywordWords(KEYWORDS.filter((type) => type !== True && type !== False));
  const punctuation = PUNCTUATION.map((type) => String(type.LABEL).replace(/`/g, '')).filter((text) =>
    OPERATORS.includes(text),
  );
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'seg',
    scopeName: 'source.seg',
    fileTypes: ['seg'],
    patterns: [
      'comments',
      'strings',
      'numbers',
      'declarations',
      'annotations',
      'keywords',
      'booleans',
      'types',
      'stages',
      'calls',
      'operators',
    ].map((rule) => ({ include: `#${rule}` })),
    repository: {
      comments: {
        patterns: [
          { name: 'comment.line.documentation.seg', match: source(DocComment) },
          { name: 'comment.line.double-slash.seg', match: source(LineComment) },
          { name: 'comment.block.seg', begin: '/\\*', end: '\\*/' },
        ],
      },
      strings: {
        name: 'string.quoted.double.seg',
        begin: '"',
        end: '"|$',
        patterns: [{ name: 'constant.character.escape.seg', match: '\\\\(?:["\\\\nt]|u\\{[0-9A-Fa-f]{1,6}\\})' }],
      },
      numbers: { name: 'constant.numeric.seg', match: `\\b${source(NumberLiteral)}\\b` },
      declarations: {
        match: `\\b(block|model)\\s+(${name})`,
        captures: { 1: { name: 'storage.type.seg' }, 2: { name: 'entity.name.type.seg' } },
      },
      annotations: {
        match: `(@)\\s*(${name})`,
        captures: {
          1: { name: 'punctuation.definition.annotation.seg' },
          2: { name: 'entity.name.function.decorator.seg' },
        },
      },
      keywords: { name: 'keyword.control.seg', match: words(control) },
      booleans: { name: 'constant.language.boolean.seg', match: words(keywordWords([True, False])) },
      types: { name: 'support.type.seg', match: words([...TYPE_NAMES, ...DTYPE_NAMES]) },
      stages: {
        match: `(->)\\s*(${name})`,
        captures: { 1: { name: 'keyword.operator.pipeline.seg' }, 2: { name: 'entity.name.function.seg' } },
      },
      calls: { match: `\\b(${name})\\s*(?=\\()`, captures: { 1: { name: 'entity.name.function.seg' } } },
      operators: { name: 'keyword.operator.seg', match: punctuation.map(escapeRegExp).join('|') },
    },
  };
}
