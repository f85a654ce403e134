/**
 * One mistake, one error: a single misspelling seeded anywhere in a valid example (a name read
 * as a value, an operation or block called, a named argument) yields exactly one error, whose
 * span covers the misspelling, however many later lines use what it broke.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as ast from '../../src/parser/ast.js';
import { parse } from '../../src/parser/index.js';
import { compileText } from '../helpers/compile.js';

/** Small enough to compile dozens of times; together they use every construct of the language. */
const EXAMPLES = ['acol.seg', 'aspp.seg', 'deeplabv3plus_small.seg', 'gap_cam.seg', 'nin.seg', 'spp.seg', 'unet.seg'];

interface Site {
  readonly offset: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  readonly kind: 'value' | 'callee' | 'argument' | 'number';
}

const NOT_CODE = new Set(['ImportDecl', 'InputStmt', 'Comment', 'TypeRef', 'Annotation']);

function site(identifier: ast.Identifier, kind: Site['kind']): Site {
  const { start, end } = identifier.span;
  return { offset: start.offset, end: end.offset, line: start.line, column: start.column, kind };
}

/** Every place where a name is read: values, callees and argument names (not declarations). */
function sites(node: unknown, into: Site[] = []): Site[] {
  if (Array.isArray(node)) {
    node.forEach((child) => sites(child, into));
    return into;
  }
  if (typeof node !== 'object' || node === null || !('kind' in node)) return into;
  const typed = node as ast.Node & Record<string, unknown>;
  if (NOT_CODE.has(typed.kind)) return into;
  switch (typed.kind) {
    case 'Identifier':
      into.push(site(typed as unknown as ast.Identifier, 'value'));
      return into;
    case 'NumberLiteral':
      into.push(site(typed as unknown as ast.Identifier, 'number'));
      return into;
    case 'CallExpr':
    case 'CallStage': {
      const call = typed as unknown as ast.CallExpr;
      into.push(site(call.callee, 'callee'));
      for (const argument of call.args ?? []) {
        if (argument.name) into.push(site(argument.name, 'argument'));
        sites(argument.value, into);
      }
      return into;
    }
    case 'LetStmt':
    case 'OutputStmt':
      return sites((typed as unknown as ast.LetStmt).value, into);
    case 'Param':
      return sites((typed as unknown as ast.Param).default, into);
    case 'Comprehension': {
      const item = typed as unknown as ast.Comprehension;
      return sites([item.iterable, item.condition, item.body], into);
    }
    case 'RepeatStage': {
      const stage = typed as unknown as ast.RepeatStage;
      return sites([stage.count, stage.stages], into);
    }
    case 'BlockDecl':
    case 'ModelDecl': {
      const declaration = typed as unknown as ast.BlockDecl;
      return sites([declaration.params, declaration.body], into);
    }
    default:
      for (const [key, value] of Object.entries(typed)) if (key !== 'span') sites(value, into);
      return into;
  }
}

const sources = EXAMPLES.map((name) => {
  const path = join('examples', name);
  const source = readFileSync(path, 'utf8');
  const all = sites(parse(source, path).program.declarations);
  return {
    path,
    source,
    sites: all.filter((s) => s.kind !== 'number'),
    numbers: all.filter((s) => s.kind === 'number'),
  };
});

describe('a single seeded mistake', () => {
  it('every example compiles without errors before it is changed', () => {
    for (const { path, source } of sources) {
      expect(
        compileText(source).diagnostics.filter((d) => d.severity === 'error'),
        path,
      ).toEqual([]);
      expect(sources.find((s) => s.path === path)!.sites.length).toBeGreaterThan(5);
    }
  });

  it('yields exactly one error, at the misspelt name', () => {
    const mistake = fc
      .integer({ min: 0, max: sources.length - 1 })
      .chain((file) =>
        fc.record({ file: fc.constant(file), at: fc.integer({ min: 0, max: sources[file]!.sites.length - 1 }) }),
      );
    fc.assert(
      fc.property(mistake, ({ file, at }) => {
        const { path, source, sites: places } = sources[file]!;
        const place = places[at]!;
        const changed = `${source.slice(0, place.end)}q${source.slice(place.end)}`;
        const errors = compileText(changed).diagnostics.filter((d) => d.severity === 'error');
        const shown = errors.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`);
        expect(shown, `${path} with a ${place.kind} misspelt at ${place.line}:${place.column}`).toHaveLength(1);
        // At the misspelling: its span covers the name (a wrong enum value is shown with its argument).
        const { start, end } = errors[0]!.span;
        expect(
          start.offset <= place.offset && place.offset < end.offset,
          `${shown[0]} for ${place.line}:${place.column}`,
        ).toBe(true);
      }),
      { seed: 15, numRuns: 80 },
    );
  }, 120_000);

  it('a number changed anywhere (a channel count, a kernel, a rate) yields at most one error', () => {
    const change = fc
      .integer({ min: 0, max: sources.length - 1 })
      .chain((file) =>
        fc.record({ file: fc.constant(file), at: fc.integer({ min: 0, max: sources[file]!.numbers.length - 1 }) }),
      );
    fc.assert(
      fc.property(change, ({ file, at }) => {
        const { path, source, numbers } = sources[file]!;
        const place = numbers[at]!;
        const written = source.slice(place.offset, place.end);
        const changed = `${source.slice(0, place.offset)}${written.includes('.') ? `${written}1` : Number(written) + 1}${source.slice(place.end)}`;
        const errors = compileText(changed).diagnostics.filter((d) => d.severity === 'error');
        const shown = errors.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`);
        expect(
          shown.length,
          `${path} with ${written} changed at ${place.line}:${place.column}: ${shown.join(' | ')}`,
        ).toBeLessThanOrEqual(1);
      }),
      { seed: 15, numRuns: 40 },
    );
  }, 120_000);
});
