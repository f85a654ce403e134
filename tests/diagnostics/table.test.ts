/**
 * The diagnostics table is the only place a code is spelt out: every code in it is unique, raised
 * somewhere in src/ through the table, and documented in docs/diagnostics.md under its anchor;
 * every code the doc mentions is in the table (or retired).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS, RETIRED_CODES, codes, diagnosticKind } from '../../src/diagnostics/codes.js';
import { diagnosticError } from '../../src/diagnostics/error.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TABLE_FILE = 'src/diagnostics/codes.ts';
const DOC = readFileSync(join(ROOT, 'docs', 'diagnostics.md'), 'utf8');
const ENTRIES = Object.entries(DIAGNOSTICS);

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const SOURCES = new Map(
  sourceFiles('src')
    .filter((path) => path !== TABLE_FILE)
    .map((path) => [path, readFileSync(join(ROOT, path), 'utf8')]),
);

/** Codes written out in program text: comments are left out, strings and templates are not. */
function rawCodes(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(/\b[EW]\d{4}\b/g)].map((m) => m[0]);
}

/** The text of the table row that carries the code's anchor in docs/diagnostics.md. */
function documentedRow(code: string, anchor: string): string | undefined {
  return DOC.split('\n').find((line) => line.startsWith(`| <a id="${anchor}"></a>${code} | `));
}

describe('the diagnostics table', () => {
  it('gives each code one entry, with the severity its letter says and a title', () => {
    const all = ENTRIES.map(([, entry]) => entry.code);
    expect(all.filter((code, index) => all.indexOf(code) !== index)).toEqual([]);
    for (const [name, entry] of ENTRIES) {
      expect(entry.code, name).toMatch(/^[EW]\d{4}$/);
      expect(entry.severity, name).toBe(entry.code.startsWith('W') ? 'warning' : 'error');
      expect(entry.title.length, name).toBeGreaterThan(5);
      expect(entry.anchor, name).toBe(entry.code.toLowerCase());
      expect(codes[name as keyof typeof codes]).toBe(entry.code);
      expect(diagnosticKind(entry.code)).toBe(entry);
    }
    expect(diagnosticKind('E9999')).toBeUndefined();
  });

  it('never reuses a retired code', () => {
    expect(Object.keys(RETIRED_CODES).length).toBeGreaterThan(0);
    for (const code of Object.keys(RETIRED_CODES)) expect(diagnosticKind(code), code).toBeUndefined();
  });

  it('has every code raised somewhere in src/ through the table', () => {
    const unused = ENTRIES.filter(([name]) => {
      const use = new RegExp(`\\bcodes\\.${name}\\b`);
      return ![...SOURCES.values()].some((text) => use.test(text));
    }).map(([name, entry]) => `${name} (${entry.code})`);
    expect(unused).toEqual([]);
  });

  it('is the only place in src/ where a code is written out', () => {
    expect(rawCodes("report('E0210', span)\nconst x = `error W0290: ...` // E0101 in a comment")).toEqual([
      'E0210',
      'W0290',
    ]);
    const raw = [...SOURCES].flatMap(([path, text]) => rawCodes(text).map((code) => `${path}: ${code}`));
    expect(raw).toEqual([]);
  });

  it('documents every code in docs/diagnostics.md under its anchor', () => {
    const undocumented = ENTRIES.filter(([, entry]) => {
      const row = documentedRow(entry.code, entry.anchor);
      return !row || row.replace(/\|/g, '').trim().length <= entry.code.length + entry.anchor.length + 16;
    }).map(([, entry]) => entry.code);
    expect(undocumented).toEqual([]);
    for (const code of Object.keys(RETIRED_CODES)) expect(documentedRow(code, code.toLowerCase()), code).toBeDefined();
  });

  it('has every code that docs/diagnostics.md mentions', () => {
    const mentioned = new Set(DOC.match(/\b[EW]\d{4}\b/g));
    const unknown = [...mentioned].filter((code) => !diagnosticKind(code) && !(code in RETIRED_CODES));
    expect(unknown).toEqual([]);
    expect(mentioned.size).toBeGreaterThan(ENTRIES.length);
  });
});

describe('diagnosticError', () => {
  it('makes one diagnostic of the code, with the severity from the table', () => {
    const span = { file: 'a.seg', start: { offset: 4, line: 1, column: 5 }, end: { offset: 8, line: 1, column: 9 } };
    const related = [{ span, message: 'declared here' }];
    expect(diagnosticError(codes.missingWeight, 'no value', { hint: 'give it', span, related }).diagnostics).toEqual([
      { code: 'E0402', severity: 'error', message: 'no value', span, hint: 'give it', related },
    ]);
  });

  it('points at the start of `file` without a span, and at no place without either', () => {
    const [inFile] = diagnosticError(codes.metricBadCount, 'bad', { file: '<metrics>' }).diagnostics;
    expect(inFile).toEqual({
      code: 'E0852',
      severity: 'error',
      message: 'bad',
      span: { file: '<metrics>', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } },
    });
    const [nowhere] = diagnosticError(codes.backendUnavailable, 'no', { related: [] }).diagnostics;
    expect(nowhere!.span.file).toBe('<unknown>');
    expect(nowhere).not.toHaveProperty('hint');
    expect(nowhere).not.toHaveProperty('related');
  });
});
