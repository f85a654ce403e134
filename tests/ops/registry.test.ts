/**
 * The registry and the generated docs: every op is listed once with a well-formed signature,
 * and docs/ops.md matches what the generator writes today.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { OPS_DOC_PATH, renderOpsDoc } from '../../scripts/gen-ops-doc.js';
import { attributeParams, tensorParams } from '../../src/ops/op.js';
import { OPS, findOp } from '../../src/ops/registry.js';
import { dim } from '../../src/shapes/symbolic.js';

const EXPECTED = [
  'conv',
  'dwconv',
  'sepconv',
  'convTranspose',
  'dense',
  'bn',
  'relu',
  'relu6',
  'leakyRelu',
  'prelu',
  'sigmoid',
  'tanh',
  'softmax',
  'hardSwish',
  'hardSigmoid',
  'maxpool',
  'avgpool',
  'gap',
  'gmp',
  'upsample',
  'concat',
  'add',
  'mul',
  'max',
  'dropout',
  'flatten',
  'reshape',
  'pad',
  'crop',
  'channels',
  'argmax',
  'erase',
];

describe('registry', () => {
  test('lists every op of the language exactly once', () => {
    expect(OPS.map((op) => op.name).sort()).toEqual([...EXPECTED].sort());
  });

  test('findOp finds each op by its name and nothing else', () => {
    for (const op of OPS) expect(findOp(op.name)).toBe(op);
    expect(findOp('conv2d')).toBeUndefined();
  });

  test.each(OPS.map((op) => [op.name, op] as const))(
    '%s: tensor params first, unique names, documented',
    (_name, op) => {
      const tensors = tensorParams(op).length;
      expect(op.params.slice(0, tensors)).toEqual(tensorParams(op));
      expect(attributeParams(op).length).toBe(op.params.length - tensors);
      expect(new Set(op.params.map((p) => p.name)).size).toBe(op.params.length);
      expect(op.summary.length).toBeGreaterThan(5);
      for (const param of op.params) expect(param.doc.length).toBeGreaterThan(3);
    },
  );

  test.each(OPS.map((op) => [op.name, op] as const))(
    '%s: the facts it declares name its own tensor params and agree with its spatial effect',
    (_name, op) => {
      const tensors = tensorParams(op).map((p) => p.name);
      for (const input of op.shapeOnlyInputs ?? []) expect(tensors).toContain(input);
      if (op.erasing) expect(tensors.slice(1)).toContain(op.erasing.classMaps);
      if (op.combines) expect(op.spatial).toBe('merge');
      if (op.globalPool) expect(op.spatial).toBe('global');
      if (op.resamples) expect(op.receptiveField).toBeDefined();
      if (op.linearInChannels) {
        // A [2, 7] input to 3 outputs: the declared kernel is a weight of shape [7, 3].
        const weights = op.weights?.([{ dtype: 'f32', shape: [dim(2), dim(7)] }], { units: 3 }) ?? [];
        expect(weights.find((w) => w.role === op.linearInChannels!.kernel)?.shape).toEqual([7, 3]);
      }
    },
  );

  test('every default passes validation', () => {
    const required: Record<string, Record<string, unknown>> = {
      conv: { filters: 4 },
      sepconv: { filters: 4 },
      convTranspose: { filters: 4 },
      dense: { units: 3 },
      reshape: { shape: [-1] },
      pad: { amount: [1] },
      channels: { start: 0, end: 1 },
    };
    for (const op of OPS) expect(op.validate?.((required[op.name] ?? {}) as never)).toBeUndefined();
  });
});

describe('docs/ops.md', () => {
  test('is up to date with the registry (regenerate with `npx tsx scripts/gen-ops-doc.ts`)', () => {
    expect(readFileSync(new URL(`../../${OPS_DOC_PATH}`, import.meta.url), 'utf8')).toBe(renderOpsDoc());
  });

  test('documents every op with a section and the conventions that matter', () => {
    const text = renderOpsDoc();
    for (const name of EXPECTED) expect(text).toContain(`### ${name}\n`);
    for (const phrase of ['bottom and right', 'alignCorners', 'momentum', '0.01 follows PyTorch', 'targetClasses'])
      expect(text).toContain(phrase);
  });
});
