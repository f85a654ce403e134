/**
 * The same explanations on wasm and WebGPU as on cpu, on a tiny model (WebGPU here is
 * SwiftShader, about a hundred times slower than wasm). Without a WebGPU adapter its case is
 * skipped with the reason, except in CI (CI=true), where that is a failure.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { explain } from '../../src/explain/explain.js';
import type { ExplainMethod } from '../../src/explain/request.js';
import { type BackendName, selectBackend } from '../../src/runtime/backend.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import type { SegModel } from '../../src/runtime/model.js';
import { compileGraph, randomModel, relativeError, withoutLeaks } from './helpers.js';

const TINY = `
model TinyNin(classes: int = 3) {
  input image: f32[N, 8, 8, 2]
  let features = image -> conv(4, 3) -> relu -> conv(4, 3) -> relu
  output logits = features -> conv(classes, 1) @classmap -> gap
}`;

const METHODS: readonly ExplainMethod[] = ['cam', 'gradcam', 'gradcampp', 'layercam'];
let webgpuProblem = '';

beforeAll(async () => {
  registerGradients();
  await selectBackend('wasm');
  try {
    await selectBackend('webgpu');
  } catch (error) {
    if (!(error instanceof DiagnosticError) || process.env.CI === 'true') throw error;
    webgpuProblem = error.message;
  }
  await tf.setBackend('cpu');
}, 120_000);

afterAll(() => tf.setBackend('cpu'));

/** Raw maps of every method on `backend`, read asynchronously (WebGPU has no sync readback in Node). */
async function rawMaps(backend: BackendName, model: SegModel, inputValues: Float32Array): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return withoutLeaks(async () => {
    const image = tf.tensor4d(inputValues, [1, 8, 8, 2]);
    const maps: Float32Array[] = [];
    for (const method of METHODS) {
      const result = await explain(model, image, { method, classIndex: 1, target: 'features' });
      maps.push((await result.raw.data()) as Float32Array);
      tf.dispose([result.map, result.raw]);
    }
    image.dispose();
    return maps;
  });
}

describe.each(['wasm', 'webgpu'] as const)('explanations on %s match cpu', (backend) => {
  it('CAM, Grad-CAM, Grad-CAM++ and LayerCAM raw maps, 1e-4 relative', async (context) => {
    if (backend === 'webgpu' && webgpuProblem) return context.skip(`no WebGPU adapter: ${webgpuProblem}`);
    await tf.setBackend('cpu');
    const model = randomModel(compileGraph(TINY), 41);
    const inputValues = Float32Array.from({ length: 128 }, (_, i) => Math.abs(Math.sin(i * 0.37)));
    try {
      const expected = await rawMaps('cpu', model, inputValues);
      const actual = await rawMaps(backend, model, inputValues);
      actual.forEach((map, index) => expect(relativeError(map, expected[index]!), METHODS[index]).toBeLessThan(1e-4));
    } finally {
      await tf.setBackend('cpu');
      model.dispose();
    }
  });
});
