import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readManifestTensors } from '../../src/import/source-files.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { useBackend } from '../ops/backends.js';

/** A model.json beside one shard holding `bytes`; returns the model.json path. */
function folderWith(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'segc-shards-'));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), bytes);
  return join(dir, 'model.json');
}

async function problem(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiagnosticError);
  const [diagnostic] = (error as DiagnosticError).diagnostics;
  expect(diagnostic!.code).toBe('E1301');
  return `${diagnostic!.message} | ${diagnostic!.hint}`;
}

const plain = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' as const });

describe('the weights of a tfjs manifest', () => {
  it('are decoded by name, quantized ones expanded where the reader takes them, with no tensor left on error', async () => {
    await useBackend('cpu');
    const values = new Float32Array([1, 2, 3, 0.5]);
    const file = folderWith(
      new Uint8Array([...new Uint8Array(values.buffer), 0, 255]), // then two uint8 codes of a quantized weight
    );
    const manifest = [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          plain('a', [2, 2]),
          { ...plain('q', [2]), quantization: { dtype: 'uint8' as const, min: -1, scale: 2 / 255 } },
        ],
      },
    ];
    const tensors = await readManifestTensors(file, manifest, { quantized: true, writer: 'tfjs-converter' });
    expect(Array.from(tensors.get('a')!.dataSync())).toEqual([1, 2, 3, 0.5]);
    expect(Array.from(tensors.get('q')!.dataSync()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-1, 1]);
    tf.dispose([...tensors.values()]);

    const before = tf.memory().numTensors;
    expect(await problem(readManifestTensors(file, manifest, { quantized: false, writer: 'model.save' }))).toBe(
      `the weight \`q\` of ${file} is quantized to uint8; segc reads float32 and int32 weights | save the model again with float32 weights`,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('that are short or missing are E1301 naming the file and the shard', async () => {
    const file = folderWith(new Uint8Array(8));
    const short = [{ paths: ['group1-shard1of1.bin'], weights: [plain('a', [3])] }];
    expect(await problem(readManifestTensors(file, short, { quantized: true, writer: 'tfjs-converter' }))).toBe(
      `the weights of ${file} are short (8 bytes for 12) | convert the model again with tfjs-converter`,
    );
    const missing = [{ paths: ['nowhere.bin'], weights: [plain('a', [1])] }];
    expect(await problem(readManifestTensors(file, missing, { quantized: false, writer: 'model.save' }))).toBe(
      `cannot read the weights shard ${join(file, '..', 'nowhere.bin')} (ENOENT) | keep the shards beside model.json, as model.save wrote them`,
    );
  });
});
