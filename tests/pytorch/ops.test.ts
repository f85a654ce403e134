/**
 * The ops the examples do not use, and the corners of those they do, through the PyTorch
 * lowering: one model chains them at an odd input size (so `same` padding is uneven), and each
 * of its outputs equals segc's executor within 1e-4. Also: every op of the registry has a
 * lowering, so no model stops at E1103 today.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOWERINGS } from '../../src/codegen/pytorch/layers.js';
import { pytorchFiles } from '../../src/codegen/pytorch/index.js';
import { OPS } from '../../src/ops/registry.js';
import { SegModel } from '../../src/runtime/model.js';
import { type BuiltModel, weightsFor } from '../codegen/helpers.js';
import { compileText } from '../helpers/compile.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { python, readNpy, torchMissing, writeNpy, writeWeights } from './helpers.js';

const SOURCE = `model Ops() {
  input x: f32[N, H, W, 3] where H >= 40, W >= 40
  let a = x -> conv(8, 3, stride: 2, activation: relu6) -> bn -> leakyRelu(alpha: 0.2)
  let b = a -> dwconv(3, multiplier: 2, padding: valid, activation: tanh) -> hardSwish -> hardSigmoid(alpha: 1.5, beta: 0.25) -> prelu
  let c = b -> sepconv(8, 3, dilation: 2, activation: sigmoid) -> avgpool(3, stride: 2, padding: same)
  let d = c -> pad([1, 2, 0, 1], mode: reflect) -> pad([1], value: 0.5) -> pad([1, 1], mode: symmetric) -> maxpool(3, stride: 2, padding: same)
  let e = d -> convTranspose(6, 3, stride: 2) -> crop([1, 0, 1, 2]) -> channels(1, -1)
  let f = mul([e, e -> sigmoid]) -> upsample(factor: 2, mode: nearest, alignCorners: true, halfPixel: false)
  let g = f -> upsample(like: x, mode: bilinear, alignCorners: true, halfPixel: false) -> avgpool(2, padding: valid)
  let h = g -> crop(like: c) -> gmp(keep: true)
  output logits = concat([g -> gap, h -> flatten]) -> reshape([2, 1, 4]) -> conv(3, 1) -> flatten -> dense(7, activation: leakyRelu)
  output probabilities = logits -> softmax
  output maps = g
  output pooled = maxpool(x, 3, stride: 1, pad: 1) -> avgpool(3, stride: 2, pad: [1, 0])
}
`;

const missing = torchMissing();
const work = mkdtempSync(join(tmpdir(), 'segc-pytorch-ops-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('PyTorch lowering of every op', () => {
  it('has a lowering for every op of the registry', () => {
    expect(OPS.map((op) => op.name).filter((name) => !LOWERINGS[name])).toEqual([]);
  });
});

describe.skipIf(missing !== undefined)(
  `ops in PyTorch against the executor${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    beforeAll(() => useBackend('wasm'));

    it.each(['logits', 'probabilities', 'maps', 'pooled'])('output %s at 2×41×45×3', (output) => {
      const result = compileText(SOURCE);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const model = result.models[0] as BuiltModel;
      const directory = join(work, output);
      mkdirSync(directory);
      for (const file of pytorchFiles({
        graph: model.graph,
        sizes: model.sizes,
        source: 'test.seg',
        stem: 'ops',
        single: true,
      }))
        writeFileSync(join(directory, file.path), file.text);
      const weights = weightsFor(model, 13);
      const input = seededTensor([2, 41, 45, 3], 17);
      writeWeights(join(directory, 'w.safetensors'), weights);
      writeNpy(join(directory, 'x.npy'), input);
      const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
      const outputs = interpreter.predict(input);
      const run = python(
        ['ops.py', '--weights', 'w.safetensors', '--input', 'x.npy', '--output', 'y.npy', '--output-name', output],
        { cwd: directory },
      );
      expect(run.stderr).toBe('');
      const actual = readNpy(join(directory, 'y.npy'));
      const expected = outputs[output]!;
      expect(actual.shape).toEqual(expected.shape);
      const want = expected.dataSync();
      const scale = Math.max(1, ...Array.from(want, Math.abs));
      const worst = Math.max(...Array.from(want, (value, index) => Math.abs(value - actual.values[index]!)));
      expect(worst / scale).toBeLessThanOrEqual(1e-4);
      expect(Math.max(...Array.from(want, Math.abs)), 'a non-trivial output').toBeGreaterThan(1e-3);
      tf.dispose([...Object.values(outputs), ...weights.values(), input]);
      interpreter.dispose();
    });
  },
);
