/**
 * Training steps on tiny models: the loss falls over a few steps on cpu and wasm (and WebGPU) for each
 * task (segmentation, classification, ACoL), the number of live tensors is the same after
 * every step, batch-norm moving statistics move, and frozen and statistics weights are not
 * touched by the optimizer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from '../../src/runtime/gradients.js';
import { batchTensors, disposeBatch } from '../../src/train/inputs.js';
import { Optimizer } from '../../src/train/optimizer.js';
import { trainableByName, trainStep } from '../../src/train/step.js';
import { inferTask, inputSpec } from '../../src/train/task.js';
import { testBackends, useBackend } from '../ops/backends.js';
import { TINY_ACOL, TINY_CLASSIFIER, TINY_SEGMENTATION, colourSamples, tintSamples, tinyModel } from './fixtures.js';

const STEPS = 12;

beforeAll(() => registerGradients());
afterAll(() => useBackend('cpu'));

const CASES = [
  {
    name: 'segmentation',
    source: TINY_SEGMENTATION,
    samples: () => colourSamples(8, 8, 3),
    kind: 'segmentation',
    rate: 0.05,
  },
  {
    name: 'classification',
    source: TINY_CLASSIFIER,
    samples: () => tintSamples(9, 8, 5),
    kind: 'classification',
    rate: 0.05,
  },
  { name: 'ACoL', source: TINY_ACOL, samples: () => tintSamples(9, 8, 7), kind: 'acol', rate: 0.05 },
] as const;

// WebGPU (SwiftShader here) joins with SEGC_TEST_WEBGPU=1.
describe.each(testBackends())('training steps on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('$name: the loss falls and no tensor leaks', async ({ source, samples, kind, rate }) => {
    const model = tinyModel(source);
    const task = inferTask(model.graph);
    expect(task.kind).toBe(kind);
    const optimizer = new Optimizer({ name: 'adam' }, trainableByName(model));
    const batch = batchTensors(samples(), inputSpec(model.graph), task);
    const counts: number[] = [];
    const losses: number[] = [];
    for (let step = 0; step < STEPS; step++) {
      losses.push(
        (await trainStep(model, task, optimizer, batch, { learningRate: rate, weightDecay: 1e-4, seed: step })).loss,
      );
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[STEPS - 1]!).toBeLessThan(0.7 * losses[0]!);
    disposeBatch(batch);
    optimizer.dispose();
    model.dispose();
  });
});

describe('what a step changes', () => {
  beforeAll(() => useBackend('wasm'));

  it('moves batch-norm statistics through updateState and every trainable weight through the optimizer', async () => {
    const model = tinyModel(TINY_SEGMENTATION);
    const task = inferTask(model.graph);
    const before = new Map([...model.weights].map(([name, variable]) => [name, Array.from(variable.dataSync())]));
    const optimizer = new Optimizer({ name: 'sgd', momentum: 0.9 }, trainableByName(model));
    const batch = batchTensors(colourSamples(4, 8, 1), inputSpec(model.graph), task);
    const leaksBefore = tf.memory().numTensors;
    await trainStep(model, task, optimizer, batch, { learningRate: 0.1, weightDecay: 0, seed: 0 });
    expect(tf.memory().numTensors).toBe(leaksBefore);
    const changed = [...model.weights].filter(([name, variable]) =>
      Array.from(variable.dataSync()).some((v, i) => v !== before.get(name)![i]),
    );
    expect(changed.map(([name]) => name).sort()).toEqual([...model.weights.keys()].sort());
    // movingMean = 0.9 · 0 + 0.1 · batch mean of the conv output: check one channel by hand.
    const mean = model.weights.get([...model.weights.keys()].find((n) => n.endsWith('movingMean'))!)!.dataSync();
    expect(Array.from(mean).some((v) => v !== 0)).toBe(true);
    disposeBatch(batch);
    optimizer.dispose();
    model.dispose();
  });

  it('reports a non-finite loss as a diagnostic instead of applying it', async () => {
    const model = tinyModel(TINY_CLASSIFIER);
    const task = inferTask(model.graph);
    const optimizer = new Optimizer({ name: 'sgd' }, trainableByName(model));
    const samples = tintSamples(3, 8, 1).map((s) => ({ ...s, image: s.image.map(() => Number.NaN) }));
    const batch = batchTensors(samples, inputSpec(model.graph), task);
    const kernelBefore = Array.from(
      model.weights.get([...model.weights.keys()].find((n) => n.endsWith('dense/kernel'))!)!.dataSync(),
    );
    await expect(
      trainStep(model, task, optimizer, batch, { learningRate: 0.1, weightDecay: 0, seed: 0 }),
    ).rejects.toThrow(/the loss became NaN/);
    expect(
      Array.from(model.weights.get([...model.weights.keys()].find((n) => n.endsWith('dense/kernel'))!)!.dataSync()),
    ).toEqual(kernelBefore);
    disposeBatch(batch);
    optimizer.dispose();
    model.dispose();
  });
});
