/**
 * Adding an op means its file, a line in the registry, and its tests. This walks the registry
 * and fails for any op that lacks:
 * - an execution case: an op the execution tests (exec-conv, exec-layers, exec-reference, all
 *   against tfjs-layers or plain references) run, found in their sources as `op: 'name'`,
 *   `op('name')` or an op module they import;
 * - a gradient case in gradient-cases.ts (run against finite differences by gradients.test.ts),
 *   unless the op declares `differentiable: false`;
 * - its section in docs/ops.md, as scripts/gen-ops-doc.ts writes it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { OPS_DOC_PATH } from '../../scripts/gen-ops-doc.js';
import { OPS } from '../../src/ops/registry.js';
import { CASES as GRADIENT_CASES } from './gradient-cases.js';

const EXECUTION_TESTS = ['exec-conv.test.ts', 'exec-layers.test.ts', 'exec-reference.test.ts'];

/** The op names an execution test's source runs. */
function executedOps(file: string): Set<string> {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const names = new Set<string>();
  for (const match of text.matchAll(/\bop(?::\s*|\()'(\w+)'/g)) names.add(match[1]!);
  for (const match of text.matchAll(/import \{ (\w+) \} from '\.\.\/\.\.\/src\/ops\/(?!registry)[\w-]+\.js'/g))
    names.add(match[1]!);
  return names;
}

const executed = new Set(EXECUTION_TESTS.flatMap((file) => [...executedOps(file)]));
const differentiated = new Set(GRADIENT_CASES.map((c) => c.op));
const docs = readFileSync(OPS_DOC_PATH, 'utf8');

describe('every op in the registry', () => {
  test('the execution tests are found and name ops the registry has', () => {
    const known = new Set(OPS.map((op) => op.name));
    expect([...executed].filter((name) => !known.has(name))).toEqual([]);
    expect(executed.size).toBeGreaterThan(20);
  });

  test.each(OPS.map((op) => [op.name, op] as const))('%s has an execution case', (name) => {
    expect(executed.has(name), `no execution test runs \`${name}\``).toBe(true);
  });

  test.each(OPS.map((op) => [op.name, op] as const))(
    '%s has a gradient case or declares itself non-differentiable',
    (name, op) => {
      if (op.differentiable === false) {
        expect(differentiated.has(name), `\`${name}\` says it has no gradient but has a gradient case`).toBe(false);
        return;
      }
      expect(differentiated.has(name), `no gradient case for \`${name}\` in gradient-cases.ts`).toBe(true);
    },
  );

  test.each(OPS.map((op) => [op.name, op] as const))('%s has its section in docs/ops.md', (name, op) => {
    expect(docs).toContain(`\n### ${name}\n`);
    expect(docs).toContain(op.summary);
  });

  test('gradient cases name only ops of the registry', () => {
    const known = new Set(OPS.map((op) => op.name));
    expect([...differentiated].filter((name) => !known.has(name))).toEqual([]);
  });
});
