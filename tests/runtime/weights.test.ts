import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosticError, type Diagnostic, type Span } from '../../src/diagnostics/diagnostic.js';
import { loadWeights, saveWeights } from '../../src/runtime/node/weights-fs.js';
import {
  encodeWeights,
  loadWeightsFromStore,
  type ExpectedWeight,
  type WeightsStore,
} from '../../src/runtime/weights.js';
import { seededValues, useBackend, withoutLeaks } from './helpers.js';

let root: string;
let directory: string;
let counter = 0;

const declaredAt: Span = {
  file: 'aspp.seg',
  start: { offset: 120, line: 12, column: 5 },
  end: { offset: 130, line: 12, column: 15 },
};

const EXPECTED: ExpectedWeight[] = [
  { name: 'enc/conv/kernel', shape: [3, 3, 2, 4], dtype: 'float32', declaredAt },
  { name: 'enc/conv/bias', shape: [4], dtype: 'float32' },
  { name: 'head/classes', shape: [2, 3], dtype: 'int32' },
];

function makeTensors(): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ['enc/conv/kernel', tf.tensor(seededValues(72, 1), [3, 3, 2, 4])],
    ['enc/conv/bias', tf.tensor(seededValues(4, 2), [4])],
    [
      'head/classes',
      tf.tensor(
        [
          [1, -2, 3],
          [2147483647, 0, -2147483648],
        ],
        [2, 3],
        'int32',
      ),
    ],
  ]);
}

async function diagnosticsOf(run: () => Promise<unknown>): Promise<readonly Diagnostic[]> {
  const before = tf.memory().numTensors;
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DiagnosticError);
    expect(tf.memory().numTensors, 'no tensor is created before validation').toBe(before);
    return (error as DiagnosticError).diagnostics;
  }
  throw new Error('expected a DiagnosticError');
}

async function editModelJson(edit: (json: any) => void): Promise<void> {
  const path = join(directory, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8'));
  edit(json);
  await writeFile(path, JSON.stringify(json));
}

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'segc-weights-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

beforeEach(async () => {
  directory = join(root, `weights-${counter++}`);
  const tensors = makeTensors();
  await saveWeights(directory, tensors, { model: 'aspp.seg' });
  tf.dispose([...tensors.values()]);
});

describe('weights round trip', () => {
  it('loads exactly the values that were saved, in a tfjs-compatible model.json', async () => {
    const original = makeTensors();
    const loaded = await loadWeights(directory, EXPECTED);
    for (const [name, tensor] of original) {
      expect(loaded.get(name)!.dtype).toBe(tensor.dtype);
      expect(loaded.get(name)!.shape).toEqual(tensor.shape);
      expect(Array.from(loaded.get(name)!.dataSync())).toEqual(Array.from(tensor.dataSync()));
    }
    tf.dispose([...original.values(), ...loaded.values()]);
    const json = JSON.parse(await readFile(join(directory, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'enc/conv/bias',
      'enc/conv/kernel',
      'head/classes',
    ]);
    expect(json.segc).toMatchObject({
      format: 1,
      model: 'aspp.seg',
      byteLength: { 'group1-shard1of1.bin': (4 + 72 + 6) * 4 },
    });
    expect(json.segc.sha256['group1-shard1of1.bin']).toMatch(/^[0-9a-f]{64}$/);
    // The shards decode with tfjs's own reader, given only the tfjs part of model.json.
    const shard = await readFile(join(directory, 'group1-shard1of1.bin'));
    const decoded = tf.io.decodeWeights(new Uint8Array(shard).buffer, json.weightsManifest[0].weights);
    expect(Array.from(decoded['enc/conv/bias']!.dataSync())).toEqual(Array.from(seededValues(4, 2)));
    tf.dispose(Object.values(decoded));
  });

  it('splits large weights into 4 MiB shards and reads them back, from the directory or model.json', async () => {
    const big = new Map([['big', tf.tensor(seededValues(1_100_000, 3), [1_100_000])]]);
    const target = join(root, 'big');
    await saveWeights(target, big, { model: 'big.seg' });
    expect((await readdir(target)).sort()).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    const loaded = await loadWeights(join(target, 'model.json'), [
      { name: 'big', shape: [1_100_000], dtype: 'float32' },
    ]);
    expect(Array.from(loaded.get('big')!.dataSync())).toEqual(Array.from(big.get('big')!.dataSync()));
    tf.dispose([...big.values(), ...loaded.values()]);
  });

  it('reads through any store (the browser path) with the same checks', async () => {
    const tensors = makeTensors();
    const { modelJson, shards } = await encodeWeights(tensors, { model: 'm' }, 100);
    expect([...shards.keys()]).toEqual([
      'group1-shard1of4.bin',
      'group1-shard2of4.bin',
      'group1-shard3of4.bin',
      'group1-shard4of4.bin',
    ]);
    const files = new Map<string, Uint8Array>([
      ...shards,
      ['model.json', new TextEncoder().encode(JSON.stringify(modelJson))],
    ]);
    const store: WeightsStore = { locate: (name) => `mem://${name}`, read: async (name) => files.get(name) };
    await withoutLeaks(async () => {
      const loaded = await loadWeightsFromStore(store, EXPECTED);
      expect(Array.from(loaded.get('enc/conv/kernel')!.dataSync())).toEqual(Array.from(seededValues(72, 1)));
      tf.dispose([...loaded.values()]);
    });
    files.set('group1-shard3of4.bin', files.get('group1-shard3of4.bin')!.slice(1));
    const problems = await diagnosticsOf(() => loadWeightsFromStore(store, EXPECTED));
    expect(problems.map((d) => [d.code, d.span.file])).toEqual([['E0407', 'mem://group1-shard3of4.bin']]);
    tf.dispose([...tensors.values()]);
  });

  it('replaces an existing weights directory whole and leaves no temporary files', async () => {
    const tensors = new Map([['only', tf.tensor([1, 2, 3])]]);
    await saveWeights(directory, tensors, { model: 'other' });
    expect((await readdir(directory)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect((await readdir(root)).filter((entry) => entry.startsWith('.'))).toEqual([]);
    const loaded = await loadWeights(directory, [{ name: 'only', shape: [3], dtype: 'float32' }]);
    expect(Array.from(loaded.get('only')!.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([...tensors.values(), ...loaded.values()]);
  });
});

describe('saving refuses to damage anything', () => {
  it('will not replace a directory holding other files (E0410)', async () => {
    const foreign = join(root, `foreign-${counter++}`);
    await saveWeights(foreign, new Map([['a', tf.scalar(1)]]), { model: 'm' });
    await writeFile(join(foreign, 'notes.txt'), 'keep me');
    const tensors = new Map([['a', tf.scalar(2)]]);
    const problems = await diagnosticsOf(() => saveWeights(foreign, tensors, { model: 'm' }));
    expect(problems[0]!.code).toBe('E0410');
    expect(problems[0]!.message).toContain('notes.txt');
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
    tf.dispose([...tensors.values()]);
  });

  it('a failed save leaves the old weights loadable', async () => {
    const tensors = new Map([['flag', tf.tensor([true, false], [2], 'bool')]]);
    const problems = await diagnosticsOf(() => saveWeights(directory, tensors, { model: 'm' }));
    expect(problems[0]).toMatchObject({
      code: 'E0410',
      message: 'weight `flag` has dtype bool; segc saves float32 and int32',
    });
    const loaded = await loadWeights(directory, EXPECTED);
    expect(loaded.size).toBe(3);
    tf.dispose([...tensors.values(), ...loaded.values()]);
  });
});

describe('damaged or mismatched weights are diagnosed before anything loads', () => {
  it('E0400: no weights at the path', async () => {
    const [problem] = await diagnosticsOf(() => loadWeights(join(root, 'nowhere'), EXPECTED));
    expect(problem).toMatchObject({ code: 'E0400', message: `no weights at ${join(root, 'nowhere', 'model.json')}` });
  });

  it('E0401: model.json is not JSON', async () => {
    await writeFile(join(directory, 'model.json'), '{"weightsManifest": [');
    const [problem] = await diagnosticsOf(() => loadWeights(directory, EXPECTED));
    expect(problem!.code).toBe('E0401');
    expect(problem!.message).toMatch(/model\.json is not a segc weights file: is not valid JSON/);
  });

  it('E0401: the segc section is missing', async () => {
    await editModelJson((json) => delete json.segc);
    const [problem] = await diagnosticsOf(() => loadWeights(directory, EXPECTED));
    expect(problem).toMatchObject({
      code: 'E0401',
      message: `${join(directory, 'model.json')} is not a segc weights file: the \`segc\` section (format 1) is missing`,
    });
  });

  it('E0401: the manifest declares more bytes than the shards hold', async () => {
    await editModelJson((json) => {
      json.weightsManifest[0].weights[0].shape = [5];
    });
    // the model agrees with the edited entry, so only the byte count is left to disagree
    const [problem] = await diagnosticsOf(() =>
      loadWeights(
        directory,
        EXPECTED.map((w) => (w.name === 'enc/conv/bias' ? { ...w, shape: [5] } : w)),
      ),
    );
    expect(problem!.code).toBe('E0401');
    expect(problem!.message).toContain('declares 332 bytes of weights but its shards hold 328');
  });

  it('E0402: a declared weight is missing, named with its shape and .seg location', async () => {
    const [problem] = await diagnosticsOf(() =>
      loadWeights(directory, [
        ...EXPECTED,
        { name: 'aspp/rate6/kernel', shape: [3, 3, 4, 4], dtype: 'float32', declaredAt },
      ]),
    );
    expect(problem).toMatchObject({
      code: 'E0402',
      span: declaredAt,
      message: `weight \`aspp/rate6/kernel\` (shape [3,3,4,4]) is missing from ${join(directory, 'model.json')}; the model declares it at aspp.seg:12:5`,
    });
  });

  it('E0403: the file has a weight the model does not declare', async () => {
    const [problem] = await diagnosticsOf(() => loadWeights(directory, EXPECTED.slice(0, 2)));
    expect(problem).toMatchObject({
      code: 'E0403',
      message: `weight \`head/classes\` in ${join(directory, 'model.json')} is not declared by the model`,
    });
  });

  it('E0404: a weight has another shape', async () => {
    const expected = EXPECTED.map((w) => (w.name === 'enc/conv/kernel' ? { ...w, shape: [3, 3, 2, 8] } : w));
    const [problem] = await diagnosticsOf(() => loadWeights(directory, expected));
    expect(problem).toMatchObject({
      code: 'E0404',
      span: declaredAt,
      message:
        'weight `enc/conv/kernel` has shape [3,3,2,4] in the file but the model declares [3,3,2,8] at aspp.seg:12:5',
    });
  });

  it('E0405: a weight has another dtype', async () => {
    const expected = EXPECTED.map((w) => (w.name === 'head/classes' ? { ...w, dtype: 'float32' as const } : w));
    const [problem] = await diagnosticsOf(() => loadWeights(directory, expected));
    expect(problem).toMatchObject({
      code: 'E0405',
      message: 'weight `head/classes` has dtype int32 in the file but the model declares float32',
    });
  });

  it('E0406: a shard is missing', async () => {
    await unlink(join(directory, 'group1-shard1of1.bin'));
    const [problem] = await diagnosticsOf(() => loadWeights(directory, EXPECTED));
    expect(problem).toMatchObject({
      code: 'E0406',
      message: `weight shard ${join(directory, 'group1-shard1of1.bin')} is missing`,
    });
  });

  it('E0407: a shard is truncated', async () => {
    const path = join(directory, 'group1-shard1of1.bin');
    await writeFile(path, (await readFile(path)).subarray(0, 100));
    const [problem] = await diagnosticsOf(() => loadWeights(directory, EXPECTED));
    expect(problem).toMatchObject({
      code: 'E0407',
      message: `weight shard ${path} has 100 bytes but model.json records 328`,
    });
    expect(problem!.hint).toContain('truncated');
  });

  it('E0408: a shard is corrupted (same length, one byte changed)', async () => {
    const path = join(directory, 'group1-shard1of1.bin');
    const bytes = await readFile(path);
    bytes[17] = bytes[17]! ^ 0x40;
    await writeFile(path, bytes);
    const [problem] = await diagnosticsOf(() => loadWeights(directory, EXPECTED));
    expect(problem).toMatchObject({
      code: 'E0408',
      message: `weight shard ${path} is corrupted: its SHA-256 differs from the one in model.json`,
    });
  });

  it('E0409: a weight name appears twice', async () => {
    await editModelJson((json) => {
      json.weightsManifest[0].weights[1].name = 'enc/conv/bias';
      json.weightsManifest[0].weights[1].shape = [72];
    });
    const problems = await diagnosticsOf(() => loadWeights(directory, EXPECTED));
    expect(problems[0]).toMatchObject({
      code: 'E0409',
      message: `weight \`enc/conv/bias\` appears twice in ${join(directory, 'model.json')}`,
    });
  });

  it('reports every mismatch at once', async () => {
    const expected: ExpectedWeight[] = [
      { name: 'enc/conv/kernel', shape: [1], dtype: 'float32' },
      { name: 'missing', shape: [1], dtype: 'float32' },
    ];
    const problems = await diagnosticsOf(() => loadWeights(directory, expected));
    expect(problems.map((d) => d.code)).toEqual(['E0404', 'E0402', 'E0403', 'E0403']);
  });
});
