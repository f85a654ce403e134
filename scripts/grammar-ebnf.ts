/**
 * An EBNF reference of the `.seg` grammar, written by walking the parser's grammar productions
 * (so it cannot drift from the parser), followed by the token definitions it refers to.
 */
import {
  Alternation,
  Alternative,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  Terminal,
  type IProduction,
  type Rule,
  type TokenType,
} from 'chevrotain';
import {
  AdditiveOperator,
  EqualityOperator,
  Identifier,
  MultiplicativeOperator,
  NumberLiteral,
  RelationalOperator,
  StringLiteral,
  UnaryOperator,
} from '../src/parser/lexer.js';

/** Token types written by name in the grammar, defined at the end. */
const NAMED_TOKENS: readonly TokenType[] = [Identifier, NumberLiteral, StringLiteral];
const OPERATOR_GROUPS: ReadonlyArray<readonly [TokenType, readonly string[]]> = [
  [EqualityOperator, ['==', '!=']],
  [RelationalOperator, ['<', '<=', '>', '>=']],
  [AdditiveOperator, ['+', '-']],
  [MultiplicativeOperator, ['*', '/', '%']],
  [UnaryOperator, ['-', '!']],
];

function terminal(type: TokenType): string {
  if (NAMED_TOKENS.includes(type) || OPERATOR_GROUPS.some(([group]) => group === type)) return type.name;
  const label = type.LABEL ?? type.name;
  return `'${label.replace(/^`|`$/g, '')}'`;
}

function isAtomic(production: IProduction): boolean {
  return production instanceof Terminal || production instanceof NonTerminal || production instanceof Alternation;
}

function group(definition: readonly IProduction[], suffix: string): string {
  const text = sequence(definition);
  return definition.length === 1 && isAtomic(definition[0]!) ? `${text}${suffix}` : `(${text})${suffix}`;
}

function production(node: IProduction): string {
  if (node instanceof Terminal) return terminal(node.terminalType);
  if (node instanceof NonTerminal) return node.nonTerminalName;
  if (node instanceof Option) return group(node.definition, '?');
  if (node instanceof Repetition) return group(node.definition, '*');
  if (node instanceof RepetitionMandatory) return group(node.definition, '+');
  if (node instanceof Alternation) return `(${alternatives(node).join(' | ')})`;
  if (node instanceof Alternative) return sequence(node.definition);
  throw new Error(`no EBNF form for ${node.constructor.name}`);
}

function sequence(definition: readonly IProduction[]): string {
  return definition.map(production).join(' ');
}

function alternatives(node: Alternation): string[] {
  return node.definition.map((alternative) => sequence((alternative as Alternative).definition));
}

function rule(node: Rule, width: number): string {
  const name = node.name.padEnd(width);
  const only = node.definition[0];
  if (node.definition.length === 1 && only instanceof Alternation) {
    const margin = `\n${' '.repeat(width)}   | `;
    return `${name} ::= ${alternatives(only).join(margin)}`;
  }
  return `${name} ::= ${sequence(node.definition)}`;
}

function tokenRules(): string[] {
  const patterns = NAMED_TOKENS.map((type) => `${type.name} ::= /${(type.PATTERN as RegExp).source}/`);
  const operators = OPERATOR_GROUPS.map(
    ([type, spellings]) => `${type.name} ::= ${spellings.map((text) => `'${text}'`).join(' | ')}`,
  );
  return [...patterns, ...operators];
}

export function ebnfSource(rules: readonly Rule[]): string {
  const width = Math.max(...rules.map((node) => node.name.length));
  return [
    '(* The grammar of .seg files, generated from src/parser/parser.ts by scripts/gen-grammar.ts; do not edit. *)',
    "(* 'x' is literal text, x? optional, x* zero or more, x+ one or more. Comments and whitespace may appear between tokens. *)",
    '',
    ...rules.map((node) => rule(node, width)),
    '',
    '(* Tokens. A string may hold the escapes \\" \\\\ \\n \\t and \\u{XXXX}; the lexer reports any other. *)',
    ...tokenRules(),
    '',
  ].join('\n');
}
