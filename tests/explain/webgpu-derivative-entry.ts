/**
 * The page the WebGPU derivative test bundles: a small classifier on seeded random weights runs
 * once on WebGPU (so its weights live on the GPU), then Grad-CAM, Grad-CAM++ and LayerCAM run
 * there by the derivative graph and on cpu; both sets of maps go back through
 * `window.segcWebGpuDerivative`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { derivativeOf, explain } from '../../src/explain/explain.js';
import { choosePlan, methodInputs, type ExplainMethod } from '../../src/explain/request.js';
import type { SegModel } from '../../src/runtime/model.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { seededInput, seededModel } from '../web/seeded-model.js';

/** Through a global pool: a dense classifier reads its kernel when the derivative is built. */
const SOURCE = `
model Tiny(classes: int = 10) {
  input image: f32[N, 16, 16, 2]
  let features = image -> conv(8, 3) -> relu -> maxpool(2) -> conv(64, 3) -> relu
  output logits = features -> gap -> dense(classes)
}`;

const METHODS: readonly ExplainMethod[] = ['gradcam', 'gradcampp', 'layercam'];

export interface WebGpuDerivativeResult {
  readonly backend: string;
  /** Whether explain on WebGPU had a derivative graph for the layer (else tfjs differentiates). */
  readonly derivativeGraph: boolean;
  readonly webgpu: { readonly raw: number[][]; readonly map: number[][]; readonly classIndex: number[][] };
  readonly cpu: { readonly raw: number[][]; readonly map: number[][]; readonly classIndex: number[][] };
  /** Live tensors before and after. */
  readonly tensors: readonly [number, number];
}

declare global {
  interface Window {
    segcWebGpuDerivative: () => Promise<WebGpuDerivativeResult>;
  }
}

async function maps(model: SegModel, values: Float32Array) {
  const image = tf.tensor4d(values, [2, 16, 16, 2]);
  const result = { raw: [] as number[][], map: [] as number[][], classIndex: [] as number[][] };
  for (const method of METHODS) {
    const explained = await explain(model, image, { method });
    result.raw.push(Array.from(await explained.raw.data()));
    result.map.push(Array.from(await explained.map.data()));
    result.classIndex.push(explained.classIndex);
    tf.dispose([explained.raw, explained.map]);
  }
  image.dispose();
  return result;
}

window.segcWebGpuDerivative = async () => {
  await selectBackend('cpu');
  const before = tf.memory().numTensors;
  const tiny = seededModel(SOURCE);
  const graph = tiny.graph;
  const input = seededInput();
  const reference = tiny.onHost();
  const cpu = await maps(reference, input);
  reference.dispose();
  const choice = await selectBackend('webgpu');
  // Weights computed on the GPU, then a forward run, as an application does before it explains.
  const model = tiny.computedOnDevice();
  const image = tf.tensor4d(input, [2, 16, 16, 2]);
  const outputs = model.predict(image);
  await Promise.all(Object.values(outputs).map((t) => t.data()));
  tf.dispose([image, ...Object.values(outputs)]);
  const webgpu = await maps(model, input);
  const plan = choosePlan(graph, undefined, 'gradcam');
  const layer = methodInputs(graph, plan, 'gradcam', undefined).nodes[0]!;
  const derivativeGraph = (await derivativeOf(model, layer, plan.score, [2, 16, 16, 2])) !== undefined;
  model.dispose();
  await selectBackend('cpu');
  return { backend: choice.name, derivativeGraph, webgpu, cpu, tensors: [before, tf.memory().numTensors] };
};
