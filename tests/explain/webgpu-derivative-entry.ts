/**
 * The page the WebGPU derivative test bundles: a small classifier on seeded random weights runs
 * once on WebGPU (so its weights live on the GPU), then Grad-CAM, Grad-CAM++ and LayerCAM run
 * there by the derivative graph and on cpu; both sets of maps go back through
 * `window.segcWebGpuDerivative`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { compileSource } from '../../src/compiler/compile.js';
import { derivativeOf, explain } from '../../src/explain/explain.js';
import { choosePlan, methodInputs, type ExplainMethod } from '../../src/explain/request.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { memoryHost } from '../../src/web/memory-host.js';

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
  const compiled = compileSource(SOURCE, 'tiny.seg', {}, memoryHost({ 'tiny.seg': SOURCE })).models[0]!;
  const graph = compiled.graph!;
  await selectBackend('cpu');
  const before = tf.memory().numTensors;
  const declarations = weightDeclarations(graph);
  const arrays = declarations.map((d, i) =>
    tf.tidy(() => tf.randomNormal([...d.shape], 0, 0.5, 'float32', i + 1).dataSync() as Float32Array),
  );
  const input = Float32Array.from({ length: 2 * 16 * 16 * 2 }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
  const modelOn = (make: (values: Float32Array, shape: number[]) => tf.Tensor) => {
    const weights = new Map(declarations.map((d, i) => [d.name, make(arrays[i]!, [...d.shape])]));
    const model = SegModel.fromTensors(graph, compiled.sizes, weights);
    tf.dispose([...weights.values()]);
    return model;
  };
  const reference = modelOn((values, shape) => tf.tensor(values, shape));
  const cpu = await maps(reference, input);
  reference.dispose();
  const choice = await selectBackend('webgpu');
  // Weights computed on the GPU (as a loader that dequantizes or converts them leaves them), so
  // they have no copy on the host; then a forward run, as an application does before it explains.
  // tfjs runs small element-wise ops on the host; with no hand-off every weight is computed on the GPU.
  const handOff = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const model = modelOn((values, shape) => tf.tidy(() => tf.mul(tf.tensor(values, shape), 1)));
  tf.env().set('WEBGPU_CPU_FORWARD', handOff);
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
