/**
 * The safetensors reader and writer: a round trip through segc, files written by PyTorch's side
 * (segc_torch.write_safetensors) read here, names checked against the model as for any weights
 * (exact messages), and malformed files refused with a diagnostic rather than a crash.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  safetensorsToWeights,
  tensorKey,
} from '../../src/runtime/safetensors.js';
import { useBackend } from '../ops/backends.js';
import { PYTHON_FILES, pythonSourcesModule } from '../../scripts/gen-pytorch-runtime.js';
import { REPOSITORY } from '../codegen/helpers.js';
import { python, torchMissing } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'segc-safetensors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => useBackend('cpu'));

const EXPECTED = [
  { name: 'enc/conv/kernel', shape: [1, 1, 2, 3], dtype: 'float32' as const },
  { name: 'enc/conv/bias', shape: [3], dtype: 'float32' as const },
];

function sample(): Map<string, { shape: number[]; values: Float32Array | Int32Array }> {
  return new Map([
    ['enc.conv.kernel', { shape: [1, 1, 2, 3], values: Float32Array.from([1, -2, 3.5, 1e-8, -0, 6]) }],
    ['enc.conv.bias', { shape: [3], values: Float32Array.from([0.1, 0.2, 0.3]) }],
  ]);
}

function diagnosticsOf(body: () => unknown): string[] {
  try {
    body();
  } catch (error) {
    if (error instanceof DiagnosticError) return error.diagnostics.map((d) => `${d.code} ${d.message}`);
    throw error;
  }
  throw new Error('expected a DiagnosticError');
}

describe('safetensors', () => {
  it('round-trips names, shapes and values, with the data 8-aligned', () => {
    const bytes = encodeSafetensors(sample(), { model: 'M' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const file = decodeSafetensors(bytes, 'w.safetensors');
    expect(file.metadata).toEqual({ model: 'M' });
    expect(file.entries.map((e) => [e.key, e.dtype, e.shape, Array.from(e.values)])).toEqual([
      ['enc.conv.bias', 'F32', [3], Array.from(Float32Array.from([0.1, 0.2, 0.3]))],
      ['enc.conv.kernel', 'F32', [1, 1, 2, 3], [1, -2, 3.5, Math.fround(1e-8), -0, 6]],
    ]);
    const tensors = safetensorsToWeights([{ source: 'w.safetensors', file }], EXPECTED);
    expect([...tensors.keys()]).toEqual(['enc/conv/kernel', 'enc/conv/bias']);
    tf.dispose([...tensors.values()]);
    expect(tensorKey('enc/conv/kernel')).toBe('enc.conv.kernel');
  });

  it('checks names against the model as for any weights', () => {
    const arrays = sample();
    arrays.delete('enc.conv.bias');
    arrays.set('enc.conv.extra', { shape: [1], values: Float32Array.from([1]) });
    arrays.set('enc.conv.kernel', { shape: [2, 3], values: new Float32Array(6) });
    const file = decodeSafetensors(encodeSafetensors(arrays), 'w.safetensors');
    expect(diagnosticsOf(() => safetensorsToWeights([{ source: 'w.safetensors', file }], EXPECTED))).toEqual([
      'E0404 weight `enc/conv/kernel` has shape [2,3] in the file but the model declares [1,1,2,3]',
      'E0402 weight `enc/conv/bias` (shape [3]) is missing from w.safetensors; the model declares it',
      'E0403 weight `enc/conv/extra` in w.safetensors is not declared by the model',
    ]);
  });

  it('refuses a weight present in two shards', () => {
    const file = decodeSafetensors(encodeSafetensors(sample()), 'a.safetensors');
    expect(
      diagnosticsOf(() =>
        safetensorsToWeights(
          [
            { source: 'a.safetensors', file },
            { source: 'b.safetensors', file },
          ],
          EXPECTED,
        ),
      ),
    ).toEqual([
      'E0409 weight `enc/conv/bias` appears twice (in a.safetensors and b.safetensors)',
      'E0409 weight `enc/conv/kernel` appears twice (in a.safetensors and b.safetensors)',
    ]);
  });

  it('refuses malformed files with a diagnostic', () => {
    const good = encodeSafetensors(sample());
    const headerLength = Number(new DataView(good.buffer).getBigUint64(0, true));
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + headerLength))) as Record<
      string,
      { dtype: string; data_offsets: number[] }
    >;
    const rewrite = (change: (h: typeof header) => void): Uint8Array => {
      const copy = structuredClone(header);
      change(copy);
      const text = new TextEncoder().encode(JSON.stringify(copy));
      const bytes = new Uint8Array(8 + text.length + good.length - 8 - headerLength);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
      bytes.set(text, 8);
      bytes.set(good.subarray(8 + headerLength), 8 + text.length);
      return bytes;
    };
    const cases: [Uint8Array, string][] = [
      [good.subarray(0, 5), 'E0401 f is not a safetensors file: it is 5 bytes long'],
      [
        huge,
        `E0401 f is not a safetensors file: its header claims 1099511627776 bytes, the file holds ${good.length - 8}`,
      ],
      [
        rewrite((h) => (h['enc.conv.bias']!.dtype = 'BF16')),
        'E0401 f is not a safetensors file: tensor `enc.conv.bias` has dtype "BF16"; segc reads F32, I32 and I64',
      ],
      [
        rewrite((h) => (h['enc.conv.bias']!.data_offsets = [0, 8])),
        'E0401 f is not a safetensors file: tensor `enc.conv.bias` [3] F32 needs 12 bytes but data_offsets [0, 8] give 8 of a 36-byte body',
      ],
      [
        rewrite((h) => (h['enc.conv.kernel']!.data_offsets = [12, 400])),
        'E0401 f is not a safetensors file: tensor `enc.conv.kernel` [1, 1, 2, 3] F32 needs 24 bytes but data_offsets [12, 400] give 388 of a 36-byte body',
      ],
    ];
    for (const [bytes, message] of cases) expect(diagnosticsOf(() => decodeSafetensors(bytes, 'f'))).toEqual([message]);
  });

  it('loads a file, a folder of shards, or a training output folder through loadWeights', async () => {
    const folder = join(work, 'shards');
    const kernel = new Map([...sample()].filter(([key]) => key.endsWith('kernel')));
    const bias = new Map([...sample()].filter(([key]) => key.endsWith('bias')));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'model-00001-of-00002.safetensors'), encodeSafetensors(kernel));
    writeFileSync(join(folder, 'model-00002-of-00002.safetensors'), encodeSafetensors(bias));
    const loaded = await loadWeights(folder, EXPECTED);
    expect(Array.from(loaded.get('enc/conv/bias')!.dataSync())).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.3])));
    tf.dispose([...loaded.values()]);
    await expect(loadWeights(join(folder, 'model-00001-of-00002.safetensors'), EXPECTED)).rejects.toThrow(
      /`enc\/conv\/bias` \(shape \[3\]\) is missing/,
    );
    const tooLong = join(work, 'long.safetensors');
    writeFileSync(tooLong, new Uint8Array(8 + 100 * 1024 * 1024 + 8 * 9 + 1));
    await expect(loadWeights(tooLong, EXPECTED)).rejects.toThrow(
      `${tooLong} holds ${8 + 100 * 1024 * 1024 + 8 * 9 + 1} bytes, more than the model's weights can take (${8 + 100 * 1024 * 1024 + 8 * 9})`,
    );
    rmSync(tooLong);
    const run = join(work, 'run');
    mkdirSync(join(run, 'checkpoint'), { recursive: true });
    writeFileSync(join(run, 'checkpoint', 'weights.safetensors'), encodeSafetensors(sample()));
    writeFileSync(join(run, 'checkpoint', 'train-state.json'), '{}');
    const fromRun = await loadWeights(run, EXPECTED);
    expect(fromRun.get('enc/conv/kernel')!.shape).toEqual([1, 1, 2, 3]);
    tf.dispose([...fromRun.values()]);
  });
});

describe('the Python runtime sources', () => {
  it('src/codegen/pytorch/python-sources.ts is up to date (npx tsx scripts/gen-pytorch-runtime.ts)', () => {
    expect(readFileSync(join(REPOSITORY, 'src/codegen/pytorch/python-sources.ts'), 'utf8')).toBe(
      pythonSourcesModule(REPOSITORY),
    );
    expect(PYTHON_FILES).toEqual(['segc_torch.py', 'segc_train.py']);
  });
});

const missing = torchMissing();
describe.skipIf(missing !== undefined)('safetensors from PyTorch', () => {
  it('reads what segc_torch.write_safetensors wrote from a state_dict, int64 included', () => {
    const path = join(work, 'torch.safetensors');
    const script = [
      'import sys, torch',
      `sys.path.insert(0, ${JSON.stringify(join(REPOSITORY, 'src/codegen/pytorch/python'))})`,
      'import segc_torch',
      "segc_torch.write_safetensors(sys.argv[1], {'enc.conv.kernel': torch.arange(6, dtype=torch.float32).reshape(1, 1, 2, 3) / 4, 'enc.conv.bias': torch.tensor([1.5, -2.0, 3.0]), 'count': torch.tensor([7], dtype=torch.int64)}, {'step': 3})",
    ].join('\n');
    const run = python(['-c', script, path]);
    expect(run.stderr).toBe('');
    const file = decodeSafetensors(new Uint8Array(readFileSync(path)), path);
    expect(file.metadata).toEqual({ step: '3' });
    expect(file.entries.map((e) => [e.key, e.dtype, e.shape, Array.from(e.values)])).toEqual([
      ['count', 'I64', [1], [7]],
      ['enc.conv.bias', 'F32', [3], [1.5, -2, 3]],
      ['enc.conv.kernel', 'F32', [1, 1, 2, 3], [0, 0.25, 0.5, 0.75, 1, 1.25]],
    ]);
  });
});
