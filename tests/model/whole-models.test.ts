/**
 * Whole models through segc's executor (inference graph: batch norm folded, activations fused)
 * against the same network assembled from tfjs-layers with the same weights, on cpu and wasm.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { testBackends, useBackend } from '../ops/backends.js';
import { compileText } from '../helpers/compile.js';
import { layersReference } from '../../bench/lib/layers-network.js';

const MODELS: readonly { file: string; shape: number[] }[] = [
  { file: 'examples/gap_cam.seg', shape: [1, 28, 28, 1] },
  { file: 'examples/nin.seg', shape: [1, 28, 28, 1] },
  { file: 'examples/aspp.seg', shape: [1, 32, 32, 3] },
  { file: 'examples/deeplabv3plus_small.seg', shape: [1, 32, 32, 3] },
];

/** Random weights with non-trivial batch-norm statistics, so folding is really exercised. */
function randomWeights(model: SegModel, seed: number): Map<string, tf.Tensor> {
  return new Map(
    weightDeclarations(model.graph).map((d, i) => {
      const shape = [...d.shape];
      const s = seed + i;
      if (d.name.endsWith('/movingVariance'))
        return [d.name, tf.tidy(() => tf.add(tf.randomUniform(shape, 0, 1, 'float32', s), 0.5))];
      if (d.name.endsWith('/gamma')) return [d.name, tf.randomUniform(shape, 0.5, 1.5, 'float32', s)];
      const scale =
        d.name.endsWith('/movingMean') || d.name.endsWith('/beta') || d.name.endsWith('/bias')
          ? 0.1
          : Math.sqrt(2 / shape.slice(0, -1).reduce((a, b) => a * b, 1));
      return [d.name, tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', s), scale))];
    }),
  );
}

/** Max |a − b| over max |b|. Read with `data()`: WebGPU in Node cannot read synchronously. */
async function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): Promise<number> {
  const ratio = tf.tidy(() =>
    tf.div(tf.max(tf.abs(tf.sub(actual, expected))), tf.maximum(tf.max(tf.abs(expected)), 1e-6)),
  );
  const [value] = await ratio.data();
  ratio.dispose();
  return value!;
}

beforeAll(() => registerGradients());
afterAll(async () => useBackend('cpu'));

describe.each(testBackends())('whole models on %s', (backend) => {
  it.each(MODELS)('$file matches tfjs-layers', async ({ file, shape }) => {
    await useBackend(backend);
    const compiled = compileText(readFileSync(file, 'utf8')).models[0]!;
    const before = tf.memory().numTensors;
    const seedModel = SegModel.random(compiled.graph!, compiled.sizes, 3);
    const weights = randomWeights(seedModel, 11);
    seedModel.dispose();
    const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, weights);
    const { model: reference, outputNames } = layersReference(compiled.graph!, shape, weights);
    const x = tf.randomUniform(shape, 0, 1, 'float32', 5);
    const ours = model.predict(x);
    const theirs = reference.predict(x);
    const expected = Array.isArray(theirs) ? theirs : [theirs];
    for (const [i, name] of outputNames.entries()) {
      expect(ours[name]!.shape).toEqual(expected[i]!.shape);
      expect(await maxRelativeError(ours[name]!, expected[i]!)).toBeLessThanOrEqual(backend === 'webgpu' ? 1e-3 : 1e-4);
    }
    tf.dispose([x, ...Object.values(ours), ...expected, ...weights.values()]);
    reference.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
