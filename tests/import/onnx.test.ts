/**
 * `segc import` of ONNX models, checked against onnxruntime-node: small PyTorch networks per op
 * and pattern (conv-bn-relu, residual, inverted residual with hard-swish and squeeze-excitation,
 * an upsample-and-concatenate decoder, a classifier head with flatten and linear), exported at test
 * time by tests/import/onnx-models.py with torch.onnx.export, run by segc on cpu and wasm; outputs
 * must match within 1e-4. ONNX is channel-first, segc channel-last: inputs are transposed on the
 * way in and outputs back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSource } from '../../src/compiler/compile.js';
import { disposeImported, importModel } from '../../src/import/import.js';
import { SegModel } from '../../src/runtime/model.js';
import { testBackends, useBackend } from '../ops/backends.js';

const PYTHON = '/usr/bin/python3';
const torchMissing = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8', timeout: 120_000 });
  return probe.status === 0
    ? undefined
    : `${PYTHON} cannot import torch and onnx: ${probe.stderr.trim().split('\n').at(-1)}`;
})();
if (torchMissing) console.warn(`skipping the ONNX import tests: ${torchMissing}`);

/** Network name → input size [N, C, H, W], as tests/import/onnx-models.py exports them. */
const NETWORKS: Record<string, number[]> = {
  conv_bn_relu: [2, 3, 15, 13],
  residual: [2, 3, 12, 12],
  inverted_residual_se_hardswish: [2, 3, 16, 16],
  upsample_concat_decoder: [2, 3, 16, 16],
  upsample_concat_decoder_opset11: [2, 3, 16, 16],
  classifier_flatten_linear: [2, 3, 8, 8],
};

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'segc-import-onnx-'));
  if (torchMissing) return;
  const exported = spawnSync(PYTHON, ['tests/import/onnx-models.py', folder], { encoding: 'utf8', timeout: 300_000 });
  if (exported.status !== 0) throw new Error(`onnx-models.py failed:\n${exported.stderr}`);
}, 300_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Seeded values in [0, 1) in NCHW order. */
function inputValues(shape: number[], seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  });
}

async function onnxRuntime(file: string, values: Float32Array, shape: number[]): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(file);
  const result = await session.run({ x: new ort.Tensor('float32', values, shape) });
  await session.release();
  return result.y!;
}

/** NCHW values as an NHWC tensor, and an NHWC tensor's values in NCHW order. */
const toNhwc = (values: Float32Array, shape: number[]) =>
  tf.tidy(() => (shape.length === 4 ? tf.transpose(tf.tensor(values, shape), [0, 2, 3, 1]) : tf.tensor(values, shape)));
const toNchw = (x: tf.Tensor) => tf.tidy(() => (x.rank === 4 ? tf.transpose(x, [0, 3, 1, 2]) : tf.clone(x)));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  return diff;
}

describe.skipIf(torchMissing)('segc import of ONNX models exported by PyTorch, against onnxruntime-node', () => {
  for (const [name, shape] of Object.entries(NETWORKS)) {
    it(`${name}: the same outputs on ${testBackends().join(' and ')} (max abs diff ≤ 1e-4)`, async () => {
      const file = join(folder, `${name}.onnx`);
      const values = inputValues(shape, 7);
      const expected = await onnxRuntime(file, values, shape);
      const reference = expected.data as Float32Array;
      let spread = 0;
      for (const v of reference) spread = Math.max(spread, Math.abs(v - reference[0]!));
      expect(spread, 'the reference output varies').toBeGreaterThan(1e-3);
      for (const backend of testBackends()) {
        await useBackend(backend);
        const before = tf.memory().numTensors;
        const imported = await importModel(file);
        const compiled = compileSource(imported.source, `${imported.name}.seg`).models[0]!;
        const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, imported.weights);
        disposeImported(imported);
        const x = toNhwc(values, shape);
        const [got] = Object.values(model.predict(x));
        const back = toNchw(got!);
        expect(back.shape).toEqual(expected.dims);
        const diff = maxDiff(back.dataSync(), reference);
        tf.dispose([x, got!, back]);
        model.dispose();
        expect(tf.memory().numTensors, 'tensors left by the import and run').toBe(before);
        if (process.env.SEGC_IMPORT_DIFFS === '1') console.log(`${name}.onnx on ${backend}: max abs diff ${diff}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
      }
    }, 120_000);
  }
});
