import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, print, type ParseResult } from '../../src/parser/index.js';
import { program } from './arbitraries.js';
import { ASPP_SOURCE, DEEPLAB_SOURCE, stripSpans } from './helpers.js';

/** A hang guard, not a performance assertion: a healthy parse takes milliseconds. */
const TIME_LIMIT_MS = 2000;

const COMMENTED_SOURCE = `// A commented program.
import { ResNet } from "std/backbones.seg" // backbone

/// Doc.
block Head(x, classes: int = 10) {
  // leading
  let maps = [
    x -> conv(classes, 1), // trailing
    /* inline */ x,
  ]
  return concat(maps) /* end */
}
/* last */
`;

function repositorySources(): string[] {
  const sources: string[] = [];
  for (const folder of ['examples', 'std']) {
    let names: string[] = [];
    try {
      names = readdirSync(folder).filter((name) => name.endsWith('.seg'));
    } catch {
      continue;
    }
    for (const name of names) sources.push(readFileSync(join(folder, name), 'utf8'));
  }
  return sources;
}

const SEEDS = [ASPP_SOURCE, DEEPLAB_SOURCE, COMMENTED_SOURCE, ...repositorySources()];

/** Splits source into rough tokens (whitespace kept) so mutations hit whole words and operators. */
function roughTokens(source: string): string[] {
  return (
    source.match(
      /\s+|[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9.eE]*|"(?:[^"\\\n]|\\.)*"|\/\/[^\n]*|\/\*[\s\S]*?\*\/|->|==|!=|<=|>=|&&|\|\||./g,
    ) ?? []
  );
}

type Mutation = { kind: 'delete' | 'duplicate' | 'swap'; at: number } | { kind: 'insert'; at: number; text: string };

const insertion = fc.oneof(
  fc.constantFrom(
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    ',',
    ':',
    '=',
    '->',
    '=>',
    ';',
    '"',
    "'",
    '/*',
    '//',
    '@',
    '#',
    '.',
    'let',
    'block',
    '\n',
    '\\',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom<'delete' | 'duplicate' | 'swap'>('delete', 'duplicate', 'swap'), at: fc.nat() }),
  fc.record({ kind: fc.constant<'insert'>('insert'), at: fc.nat(), text: insertion }),
);

function mutate(source: string, mutations: readonly Mutation[]): string {
  const tokens = roughTokens(source);
  for (const change of mutations) {
    if (tokens.length === 0) break;
    const at = change.at % tokens.length;
    if (change.kind === 'delete') tokens.splice(at, 1);
    else if (change.kind === 'duplicate') tokens.splice(at, 0, tokens[at]!);
    else if (change.kind === 'swap' && at + 1 < tokens.length)
      [tokens[at], tokens[at + 1]] = [tokens[at + 1]!, tokens[at]!];
    else if (change.kind === 'insert') tokens.splice(at, 0, change.text);
  }
  return tokens.join('');
}

/** Parses and checks what must hold for any input whatsoever. */
function parseChecked(source: string): ParseResult {
  const start = performance.now();
  const result = parse(source, 'fuzz.seg');
  expect(performance.now() - start).toBeLessThan(TIME_LIMIT_MS);
  expect(result.program.kind).toBe('Program');
  for (const diagnostic of result.diagnostics) {
    expect(diagnostic.code).toMatch(/^E01[0-9][0-9]$/);
    expect(diagnostic.code).not.toBe('E0199');
    expect(diagnostic.span.file).toBe('fuzz.seg');
    expect(diagnostic.span.start.offset).toBeGreaterThanOrEqual(0);
    expect(diagnostic.span.end.offset).toBeLessThanOrEqual(source.length);
    expect(diagnostic.span.end.offset).toBeGreaterThanOrEqual(diagnostic.span.start.offset);
    expect(diagnostic.span.start.line).toBeGreaterThanOrEqual(1);
    expect(diagnostic.span.start.column).toBeGreaterThanOrEqual(1);
    expect(diagnostic.hint ?? '').not.toBe('');
  }
  return result;
}

/** For a clean parse: the formatter is stable, keeps the tree and keeps every comment. */
function checkFormatting(result: ParseResult): void {
  const printed = print(result.program);
  const again = parse(printed, 'printed.seg');
  expect(again.diagnostics).toEqual([]);
  expect(print(again.program)).toBe(printed);
  expect(stripSpans(again.program.imports)).toEqual(stripSpans(result.program.imports));
  expect(stripSpans(again.program.declarations)).toEqual(stripSpans(result.program.declarations));
  for (const comment of result.program.comments) {
    expect(printed).toContain(comment.text.startsWith('//') ? comment.text.trimEnd() : comment.text);
  }
  expect(again.program.comments.length).toBe(result.program.comments.length);
}

describe('parse never fails, whatever the input', () => {
  it('handles arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (source) => {
        parseChecked(source);
      }),
      { numRuns: 300 },
    );
  });

  it('handles token soups', () => {
    const piece = fc.constantFrom(
      'block',
      'model',
      'import',
      'from',
      'let',
      'input',
      'output',
      'return',
      'where',
      'for',
      'in',
      'if',
      'repeat',
      'as',
      'x',
      'conv',
      '1',
      '2.5',
      '"s"',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      '=',
      '==',
      '->',
      '?',
      '@',
      '-',
      '!',
      '*',
      '//c\n',
      '/*c*/',
      '///d\n',
      '\n',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), fc.constantFrom(' ', ''), (pieces, separator) => {
        parseChecked(pieces.join(separator));
      }),
      { numRuns: 300 },
    );
  });

  it('handles mutated example programs, and formats the ones that stay valid', () => {
    let clean = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        const result = parseChecked(mutate(seed, mutations));
        if (result.diagnostics.length === 0) {
          clean++;
          checkFormatting(result);
        }
      }),
      { numRuns: 300 },
    );
    // whitespace-only and comment mutations keep programs valid often enough to exercise the formatter
    expect(clean).toBeGreaterThan(10);
  });

  it('formats every seed program stably', () => {
    for (const seed of SEEDS) {
      const result = parseChecked(seed);
      expect(result.diagnostics).toEqual([]);
      checkFormatting(result);
    }
  });
});

describe('printing generated programs', () => {
  it('parse(print(ast)) equals ast up to spans, and printing is idempotent', () => {
    fc.assert(
      fc.property(program, (ast) => {
        const printed = print(ast);
        const result = parse(printed, 'generated.seg');
        expect(result.diagnostics).toEqual([]);
        expect(stripSpans(result.program)).toEqual(stripSpans(ast));
        expect(print(result.program)).toBe(printed);
      }),
      { numRuns: 250 },
    );
  });
});
