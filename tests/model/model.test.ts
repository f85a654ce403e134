/**
 * SegModel: input validation, tensor discipline (predict, training steps, thrown errors), batch
 * norm statistics in training mode, and a weights round trip through the tfjs format.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { loadWeights, saveWeights } from '../../src/runtime/node/weights-fs.js';
import { useBackend } from '../ops/backends.js';
import { compileText } from '../helpers/compile.js';

const SOURCE = `model Tiny(classes: int = 3) {
  input image: f32[N, H, W, 3] where H % 4 == 0, W % 4 == 0
  let features = image -> conv(4, 3, bias: false) -> bn -> relu -> conv(4, 3, stride: 2, dilation: 1) -> bn -> relu
  let context = features -> conv(4, 3, dilation: 2) -> bn -> relu -> dropout(0.5)
  output logits = context -> conv(classes, 1) -> upsample(like: image, mode: bilinear)
  output mask = argmax(logits, axis: -1)
}
`;

function tinyModel(seed = 1): SegModel {
  const compiled = compileText(SOURCE).models[0]!;
  return SegModel.random(compiled.graph!, compiled.sizes, seed);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DiagnosticError) return error.diagnostics[0]!.code;
    throw error;
  }
  return undefined;
}

beforeAll(async () => {
  registerGradients();
  await useBackend('cpu');
});

afterAll(() => undefined);

describe('SegModel', () => {
  it('leaves no tensor behind after predict and dispose', () => {
    const before = tf.memory().numTensors;
    const model = tinyModel();
    const x = tf.randomUniform([2, 8, 12, 3]);
    const outputs = model.predict(x);
    expect(outputs.logits!.shape).toEqual([2, 8, 12, 3]);
    expect(outputs.mask!.dtype).toBe('int32');
    tf.dispose([x, ...Object.values(outputs)]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('folds and fuses without changing results or leaking: sepconv, dwconv, leaky ReLU with its own slope', () => {
    const source =
      'model F() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> sepconv(4, 3) -> bn -> leakyRelu(0.3) -> dwconv(3, bias: false) -> bn -> relu6 -> dense(2, activation: none) -> leakyRelu(0.2)\n}\n';
    const compiled = compileText(
      source.replace('-> dense(2, activation: none) -> leakyRelu(0.2)', '-> conv(2, 1) -> leakyRelu(0.2)'),
    ).models[0]!;
    const before = tf.memory().numTensors;
    const model = SegModel.random(compiled.graph!, compiled.sizes, 2);
    expect(model.inference.nodes.map((n) => `${n.op}:${String(n.attrs.activation ?? '')}`)).toEqual([
      'input:',
      'sepconv:leakyRelu',
      'dwconv:relu6',
      'conv:leakyRelu',
    ]);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3);
    const folded = model.predict(x).y!;
    const source_ = model.run(x).outputs.y!;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(folded, source_))).dataSync()[0])).toBeLessThan(1e-5);
    tf.dispose([x, folded, source_]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('folds again after the weights change (predict during training sees the new weights)', () => {
    const model = tinyModel(6);
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 2);
    const before = model.predict(x);
    const gamma = model.weights.get('features/bn/gamma')!;
    gamma.assign(tf.tidy(() => tf.mul(gamma, 3)));
    const after = model.predict(x);
    const reference = model.run(x).outputs;
    const difference = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
    expect(difference(after.logits!, reference.logits!)).toBeLessThan(1e-5);
    expect(difference(after.logits!, before.logits!)).toBeGreaterThan(1e-3);
    tf.dispose([x, ...Object.values(before), ...Object.values(after), ...Object.values(reference)]);
    model.dispose();
  });

  it('rejects inputs that break the declared shape, before running anything', () => {
    const model = tinyModel();
    const before = tf.memory().numTensors;
    const wrongRank = tf.zeros([8, 8, 3]);
    const wrongChannels = tf.zeros([1, 8, 8, 1]);
    const wrongSize = tf.zeros([1, 10, 8, 3]);
    expect(codeOf(() => model.predict(wrongRank))).toBe('E0421');
    expect(codeOf(() => model.predict(wrongChannels))).toBe('E0422');
    expect(codeOf(() => model.predict(wrongSize))).toBe('E0423');
    tf.dispose([wrongRank, wrongChannels, wrongSize]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('releases every intermediate when a node throws mid-run', () => {
    const model = tinyModel();
    const x = tf.randomUniform([1, 8, 8, 3]);
    const conv = model.graph.nodes.find((n) => n.name === 'context/conv')!;
    const wrong = tf.zeros([1, 3, 3, 7]);
    const before = tf.memory().numTensors;
    expect(() => model.run(x, { substitute: new Map([[conv.id, wrong]]) })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, wrong]);
    model.dispose();
  });

  it('trains: loss falls, batch-norm statistics move, and no tensor leaks per step', () => {
    const model = tinyModel(4);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 9);
    const labels = tf.oneHot(
      tf.tensor3d(
        [...Array(128).keys()].map((i) => i % 3),
        [2, 8, 8],
        'int32',
      ),
      3,
    );
    const optimizer = tf.train.adam(0.05);
    const mean = model.weights.get('features/bn/movingMean')!;
    const meanBefore = mean.dataSync().slice();
    const losses: number[] = [];
    let counts: number[] = [];
    for (let step = 0; step < 8; step++) {
      const updates: [string, tf.Tensor][] = [];
      const loss = optimizer.minimize(
        () => {
          const { outputs } = model.run(x, {
            training: true,
            needsGradient: true,
            seed: step,
            updateState: (name, value) => updates.push([name, value]),
          });
          return tf.losses.softmaxCrossEntropy(labels, outputs.logits!) as tf.Scalar;
        },
        true,
        model.trainableVariables(),
      )!;
      for (const [name, value] of updates) {
        model.weights.get(name)!.assign(value);
        value.dispose();
      }
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    counts = counts.slice(2);
    expect(new Set(counts).size).toBe(1);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    expect(mean.dataSync()).not.toEqual(meanBefore);
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
  });

  it('round-trips weights through the tfjs format with identical outputs', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'segc-weights-'));
    try {
      const model = tinyModel(5);
      await saveWeights(join(directory, 'w'), model.weightTensors(), { model: 'Tiny' });
      const expected = weightDeclarations(model.graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype }));
      const loaded = await loadWeights(join(directory, 'w'), expected);
      const again = SegModel.fromTensors(model.graph, model.sizes, loaded);
      const x = tf.randomUniform([1, 8, 8, 3]);
      const a = model.predict(x);
      const b = again.predict(x);
      expect(Array.from(b.logits!.dataSync())).toEqual(Array.from(a.logits!.dataSync()));
      tf.dispose([x, ...Object.values(a), ...Object.values(b), ...loaded.values()]);
      model.dispose();
      again.dispose();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
