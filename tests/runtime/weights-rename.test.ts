/**
 * Weights saved before a rename: the layers that moved are found by structure (roles, shapes,
 * dtypes), by the recorded layer order, or by a prefix rename that other layers prove, and
 * reported as E0412; layers of equal structure that nothing tells apart are E0413 and never
 * paired by guess; anything else stays a missing or extra weight.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkpointSteps, type CheckpointContents } from '../../src/train/node/checkpoint.js';
import { useBackend } from './helpers.js';
import { compareWithModel, type ExpectedWeight, type WeightsModelJson } from '../../src/runtime/weights-manifest.js';
import { matchRenamedLayers, renamedWeights } from '../../src/runtime/weights-rename.js';

type W = [string, number[]];

const weights = (list: readonly W[]): ExpectedWeight[] =>
  list.map(([name, shape]) => ({ name, shape, dtype: 'float32' as const }));

function manifest(list: readonly W[], layers?: string[]): WeightsModelJson {
  return {
    format: 'segc-weights',
    generatedBy: 'test',
    weightsManifest: [
      { paths: [], weights: weights(list).map(({ name, shape, dtype }) => ({ name, shape: [...shape], dtype })) },
    ],
    segc: { format: 1, model: 'M', sha256: {}, byteLength: {}, ...(layers ? { layers } : {}) },
  };
}

const bn = (layer: string, c: number): W[] =>
  ['beta', 'gamma', 'movingMean', 'movingVariance'].map((role) => [`${layer}/${role}`, [c]]);

describe('matching renamed layers', () => {
  it('pairs a layer whose structure is unique and leaves the others alone', () => {
    const saved = weights([
      ['enc/aspp/conv/kernel', [1, 1, 8, 8]],
      ['enc/aspp/conv/bias', [8]],
      ['head/kernel', [8, 2]],
    ]);
    const model = weights([
      ['enc/aspp/project/kernel', [1, 1, 8, 8]],
      ['enc/aspp/project/bias', [8]],
      ['head/kernel', [8, 2]],
    ]);
    const match = matchRenamedLayers(saved, model);
    expect(match.ambiguous).toEqual([]);
    expect(match.renames).toEqual([
      {
        from: 'enc/aspp/conv',
        to: 'enc/aspp/project',
        weights: [
          { role: 'bias', shape: [8] },
          { role: 'kernel', shape: [1, 1, 8, 8] },
        ],
      },
    ]);
    expect([...renamedWeights(match.renames)]).toEqual([
      ['enc/aspp/conv/bias', 'enc/aspp/project/bias'],
      ['enc/aspp/conv/kernel', 'enc/aspp/project/kernel'],
    ]);
  });

  it('does not guess between layers of equal structure', () => {
    const saved = weights([...bn('a/bn', 16), ...bn('a/bn_1', 16)]);
    const model = weights([...bn('b/bn', 16), ...bn('b/bn_1', 16)]);
    const match = matchRenamedLayers(saved, model);
    expect(match.renames).toEqual([]);
    expect(match.ambiguous).toEqual([
      {
        structure: 'beta [16], gamma [16], movingMean [16], movingVariance [16]',
        saved: ['a/bn', 'a/bn_1'],
        model: ['b/bn', 'b/bn_1'],
      },
    ]);
  });

  it('pairs them by position when the file records its layer order', () => {
    const saved = weights([...bn('a/bn', 16), ...bn('a/bn_1', 16)]);
    const model = weights([...bn('b/first', 16), ...bn('b/second', 16)]);
    const inOrder = matchRenamedLayers(saved, model, ['a/bn_1', 'a/bn']);
    expect(inOrder.ambiguous).toEqual([]);
    expect(inOrder.renames.map((r) => [r.from, r.to])).toEqual([
      ['a/bn_1', 'b/first'],
      ['a/bn', 'b/second'],
    ]);
  });

  it('pairs them under a prefix rename that a unique layer proves', () => {
    const saved = weights([
      ...bn('features/bn', 16),
      ['features/conv/kernel', [3, 3, 1, 16]],
      ...bn('features/bn_1', 16),
    ]);
    const model = weights([['trunk/conv/kernel', [3, 3, 1, 16]], ...bn('trunk/bn', 16), ...bn('trunk/bn_1', 16)]);
    const match = matchRenamedLayers(saved, model);
    expect(match.ambiguous).toEqual([]);
    expect(match.renames.map((r) => [r.from, r.to])).toEqual([
      ['features/conv', 'trunk/conv'],
      ['features/bn', 'trunk/bn'],
      ['features/bn_1', 'trunk/bn_1'],
    ]);
  });

  it('takes pairs the user names, and only where the structures agree', () => {
    const saved = weights([...bn('a/bn', 16), ...bn('a/bn_1', 16), ['a/conv/kernel', [3]]]);
    const model = weights([...bn('x', 16), ...bn('y', 16), ['z/kernel', [4]]]);
    const match = matchRenamedLayers(
      saved,
      model,
      undefined,
      new Map([
        ['a/bn_1', 'x'],
        ['a/conv', 'z'],
      ]),
    );
    expect(match.renames.map((r) => [r.from, r.to])).toEqual([
      ['a/bn_1', 'x'],
      ['a/bn', 'y'],
    ]);
  });

  it('does not take a layer with a changed shape or role for a renamed one', () => {
    const saved = weights([['enc/conv/kernel', [3, 3, 8, 8]]]);
    expect(matchRenamedLayers(saved, weights([['enc/c/kernel', [3, 3, 8, 16]]]))).toEqual({
      renames: [],
      ambiguous: [],
    });
    expect(matchRenamedLayers(saved, weights([['enc/c/depthwiseKernel', [3, 3, 8, 8]]]))).toEqual({
      renames: [],
      ambiguous: [],
    });
  });
});

describe('loading weights saved before a rename', () => {
  it('reports the moved layers (E0412) with the migration command, not missing and extra weights', () => {
    const expected = weights([
      ['enc/aspp/project/kernel', [1, 1, 256, 256]],
      ['enc/aspp/project/bias', [256]],
    ]).map((w) => ({
      ...w,
      declaredAt: { file: 'net.seg', start: { offset: 0, line: 3, column: 5 }, end: { offset: 0, line: 3, column: 9 } },
    }));
    const json = manifest([
      ['enc/aspp/conv/bias', [256]],
      ['enc/aspp/conv/kernel', [1, 1, 256, 256]],
    ]);
    const problems = compareWithModel(json, expected, 'runs/old/model.json');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe('E0412');
    expect(problems[0]!.message).toBe(
      '1 layer of runs/old/model.json is saved under a name the model no longer uses (a `let` or block call was renamed):\n' +
        '  renamed: enc/aspp/conv → enc/aspp/project (bias [256], kernel [1,1,256,256])',
    );
    expect(problems[0]!.hint).toBe(
      'write the weights under the new names with `segc weights migrate net.seg --weights runs/old -o runs/old-renamed` (--dry-run shows the mapping first)',
    );
  });

  it('lists at most ten layers and counts the rest', () => {
    const count = 13;
    const saved = Array.from({ length: count }, (_, i): W => [`old/l${i}/kernel`, [i + 1]]);
    const model = Array.from({ length: count }, (_, i): W => [`new/l${i}/kernel`, [i + 1]]);
    const [problem] = compareWithModel(manifest(saved), weights(model), 'w/model.json');
    const lines = problem!.message.split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[10]).toBe('  renamed: old/l9 → new/l9 (kernel [10])');
    expect(lines[11]).toBe('  and 3 more');
  });

  it('reports layers it cannot pair (E0413) and still names what is missing or extra', () => {
    const json = manifest([...bn('a/bn', 16), ...bn('a/bn_1', 16), ['gone/kernel', [5]]]);
    const model = weights([...bn('b/bn', 16), ...bn('b/bn_1', 16), ['added/kernel', [7]]]);
    const problems = compareWithModel(json, model, 'w/model.json');
    expect(problems.map((p) => p.code)).toEqual(['E0413', 'E0402', 'E0403']);
    expect(problems[0]!.message).toBe(
      'layers of w/model.json and of the model have the same structure (beta [16], gamma [16], movingMean [16], movingVariance [16]) and nothing tells which is which:\n' +
        '  in the file: a/bn, a/bn_1\n  in the model: b/bn, b/bn_1',
    );
    expect(problems[0]!.hint).toContain('--map OLD=NEW');
    expect(problems[1]!.message).toContain('weight `added/kernel` (shape [7]) is missing');
    expect(problems[2]!.message).toBe('weight `gone/kernel` in w/model.json is not declared by the model');
  });
});

describe('safetensors saved before a rename', () => {
  it('reports E0412 without offering a command that reads segc folders only', () => {
    const json = manifest([['old/kernel', [2, 3]]]);
    const [problem] = compareWithModel(json, weights([['new/kernel', [2, 3]]]), 'model.safetensors');
    expect(problem!.code).toBe('E0412');
    expect(problem!.hint).toBe(
      'rename the keys where the file was written (e.g. the PyTorch state_dict), or rename the layers back in the .seg file',
    );
  });
});

describe('the layer order in saved weights', () => {
  it('is recorded by a training checkpoint, in the order of the model weights', async () => {
    await useBackend('cpu');
    const out = await mkdtemp(join(tmpdir(), 'segc-layers-'));
    const tensors = new Map<string, tf.Tensor>([
      ['stem/conv/kernel', tf.zeros([1, 1, 1, 2])],
      ['stem/bn/gamma', tf.ones([2])],
      ['head/dense/kernel', tf.zeros([2, 3])],
      ['stem/bn/beta', tf.zeros([2])],
    ]);
    try {
      const contents = { weights: tensors, optimizer: new Map(), state: { config: { model: 'M' } } };
      const { steps, staging } = checkpointSteps(out, contents as unknown as CheckpointContents);
      await steps[0]!.run();
      const json = JSON.parse(await readFile(join(staging, 'weights', 'model.json'), 'utf8'));
      expect(json.segc.layers).toEqual(['stem/conv', 'stem/bn', 'head/dense']);
    } finally {
      tf.dispose([...tensors.values()]);
      await rm(out, { recursive: true, force: true });
    }
  });
});
