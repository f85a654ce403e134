import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { grammarArtifacts } from '../../scripts/grammar-artifacts.js';
import { DIAGNOSTICS } from '../../src/diagnostics/codes.js';
import { KEYWORDS } from '../../src/parser/lexer.js';

/** The syntax codes (E01xx) of the diagnostics table. */
const SYNTAX_CODES: readonly string[] = Object.values(DIAGNOSTICS)
  .map((entry) => entry.code)
  .filter((code) => code.startsWith('E01'));

const artifacts = grammarArtifacts();

describe('generated grammar artefacts', () => {
  it.each([...artifacts.keys()])('%s is up to date', (path) => {
    const committed = readFileSync(path, 'utf8');
    expect(committed === artifacts.get(path), `${path} is stale: run npx tsx scripts/gen-grammar.ts`).toBe(true);
  });

  it('EBNF lists every parser rule', () => {
    const ebnf = artifacts.get('grammar/seg.ebnf')!;
    for (const rule of [
      'program',
      'declaration',
      'letStatement',
      'inputStatement',
      'expression',
      'repeatStage',
      'comprehension',
      'annotation',
    ]) {
      expect(ebnf).toMatch(new RegExp(`^${rule} +::= `, 'm'));
    }
  });

  it('TextMate grammar compiles and colours every keyword', () => {
    const grammar = JSON.parse(artifacts.get('grammar/seg.tmLanguage.json')!) as {
      repository: Record<string, { match?: string; patterns?: { match?: string }[] }>;
    };
    const patterns = Object.values(grammar.repository).flatMap((rule) => [
      rule.match,
      ...(rule.patterns ?? []).map((inner) => inner.match),
    ]);
    for (const pattern of patterns.filter((p): p is string => p !== undefined))
      expect(() => new RegExp(pattern)).not.toThrow();
    const keywordRegex = new RegExp(grammar.repository.keywords!.match!);
    const booleanRegex = new RegExp(grammar.repository.booleans!.match!);
    for (const keyword of KEYWORDS.map((type) => (type.PATTERN as RegExp).source)) {
      expect(keywordRegex.test(keyword) || booleanRegex.test(keyword)).toBe(true);
    }
    expect(keywordRegex.test('inputs')).toBe(false);
    expect(new RegExp(grammar.repository.comments!.patterns![0]!.match!).test('/// doc')).toBe(true);
  });

  it('docs/language.md documents every syntax code', () => {
    const reference = readFileSync('docs/language.md', 'utf8');
    for (const code of SYNTAX_CODES) expect(reference).toMatch(new RegExp(`\\| ${code} \\|`));
  });
});
