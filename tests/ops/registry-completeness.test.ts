/**
 * Adding an op means its file, a line in the registry, and its tests. This walks the registry
 * and fails for any op that lacks:
 * - an execution case: an entry for it in the case data the execution tests run
 *   (exec-conv-cases.ts, exec-layers-cases.ts, exec-reference-cases.ts: against tfjs-layers
 *   or plain references);
 * - a gradient case in gradient-cases.ts (run against finite differences by gradients.test.ts),
 *   unless the op declares `differentiable: false`;
 * - its section in docs/ops.md, as scripts/gen-ops-doc.ts writes it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { OPS_DOC_PATH } from '../../scripts/gen-ops-doc.js';
import { OPS } from '../../src/ops/registry.js';
import { CASES_BY_OP as CONVOLUTION_CASES } from './exec-conv-cases.js';
import { LAYER_CASES } from './exec-layers-cases.js';
import { PLAIN_CASES } from './exec-reference-cases.js';
import { CASES as GRADIENT_CASES } from './gradient-cases.js';

/** Where each op's execution cases are, by the file that holds them: what a reader adds to. */
const EXECUTION_CASES: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    'exec-conv-cases.ts': Object.entries(CONVOLUTION_CASES)
      .filter(([, cases]) => cases.length > 0)
      .map(([op]) => op),
    'exec-layers-cases.ts': LAYER_CASES.map((c) => c.op),
    'exec-reference-cases.ts': PLAIN_CASES.map((c) => c.op),
  }),
);

const executed = new Set([...EXECUTION_CASES.values()].flat());
const differentiated = new Set(GRADIENT_CASES.map((c) => c.op));
const docs = readFileSync(OPS_DOC_PATH, 'utf8');

describe('every op in the registry', () => {
  test('execution cases name only ops of the registry', () => {
    const known = new Set(OPS.map((op) => op.name));
    expect([...executed].filter((name) => !known.has(name))).toEqual([]);
  });

  test.each(OPS.map((op) => [op.name, op] as const))('%s has an execution case', (name) => {
    const files = [...EXECUTION_CASES.keys()].join(', ');
    expect(executed.has(name), `no execution case for \`${name}\` in ${files}`).toBe(true);
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
