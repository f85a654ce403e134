/**
 * The page the GPU-weights test bundles: a small classifier whose weights are computed on
 * WebGPU (so they have no copy on the host) is put on ONNX Runtime Web, which exports it in the
 * page, runs it and explains it; the same model on cpu weights, run and explained by tfjs, is the
 * reference. Both sets of numbers go back through `window.segcOnnxGpuWeights`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { compileSource } from '../../src/compiler/compile.js';
import { explain } from '../../src/explain/explain.js';
import type { ExplainMethod } from '../../src/explain/request.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { memoryHost } from '../../src/web/memory-host.js';
import { loadOnnxRuntimeWeb, useOnnxRuntimeWeb, webOnnxExplainerOf } from '../../src/web/onnx.js';

/** A convolution with a batch norm to fold (read through tfjs ops on the GPU), a dense classifier. */
const SOURCE = `
model Tiny(classes: int = 10) {
  input image: f32[N, 16, 16, 2]
  let features = image -> conv(8, 3) -> bn -> relu -> maxpool(2) -> conv(16, 3) -> relu
  output logits = features -> gap -> dense(classes)
}`;

const METHODS: readonly ExplainMethod[] = ['gradcam', 'gradcampp', 'layercam', 'cam'];

export interface Explained {
  readonly logits: number[];
  /** What each map is: the method and the class asked for. */
  readonly labels: string[];
  /** Per method: the default class's map, then class 3's. */
  readonly maps: number[][];
  readonly classIndex: number[][];
}

export interface GpuWeightsResult {
  readonly backend: string;
  readonly executor: string;
  readonly onnx: Explained;
  readonly cpu: Explained;
  /** Live tensors before and after, models disposed. */
  readonly tensors: readonly [number, number];
}

declare global {
  interface Window {
    segcOnnxGpuWeights: () => Promise<GpuWeightsResult>;
  }
}

type Explainer = (image: tf.Tensor4D, method: ExplainMethod, classIndex?: number) => ReturnType<typeof explain>;

async function analyse(model: SegModel, values: Float32Array, explainer: Explainer): Promise<Explained> {
  const image = tf.tensor4d(values, [2, 16, 16, 2]);
  const outputs = await model.predictAsync(image);
  const result: Explained = {
    logits: Array.from(await outputs.logits!.data()),
    labels: [],
    maps: [],
    classIndex: [],
  };
  tf.dispose(Object.values(outputs));
  for (const method of METHODS)
    for (const classIndex of [undefined, 3]) {
      const explained = await explainer(image, method, classIndex);
      result.labels.push(`${method}, ${classIndex === undefined ? 'default class' : `class ${classIndex}`}`);
      result.maps.push(Array.from(await explained.map.data()));
      result.classIndex.push(explained.classIndex);
      tf.dispose([explained.raw, explained.map]);
    }
  image.dispose();
  return result;
}

window.segcOnnxGpuWeights = async () => {
  const compiled = compileSource(SOURCE, 'tiny.seg', {}, memoryHost({ 'tiny.seg': SOURCE })).models[0]!;
  const graph = compiled.graph!;
  await selectBackend('cpu');
  const before = tf.memory().numTensors;
  const declarations = weightDeclarations(graph);
  // Positive variances for the batch norm; the rest centred.
  const arrays = declarations.map((d, i) =>
    tf.tidy(() => {
      const random = tf.randomNormal([...d.shape], 0, 0.5, 'float32', i + 1);
      return (d.name.endsWith('movingVariance') ? tf.add(tf.abs(random), 0.5) : random).dataSync() as Float32Array;
    }),
  );
  const input = Float32Array.from({ length: 2 * 16 * 16 * 2 }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
  const modelOn = (make: (values: Float32Array, shape: number[]) => tf.Tensor) => {
    const weights = new Map(declarations.map((d, i) => [d.name, make(arrays[i]!, [...d.shape])]));
    const model = SegModel.fromTensors(graph, compiled.sizes, weights);
    tf.dispose([...weights.values()]);
    return model;
  };
  const reference = modelOn((values, shape) => tf.tensor(values, shape));
  const cpu = await analyse(reference, input, (image, method, classIndex) =>
    explain(reference, image, { method, ...(classIndex === undefined ? {} : { classIndex }) }),
  );
  reference.dispose();
  const choice = await selectBackend('webgpu');
  // Weights computed on the GPU, as a loader that dequantizes or converts them leaves them: no
  // copy on the host. tfjs runs small element-wise ops on the host unless told not to.
  const handOff = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const model = modelOn((values, shape) => tf.tidy(() => tf.mul(tf.tensor(values, shape), 1)));
  tf.env().set('WEBGPU_CPU_FORWARD', handOff);
  let onnx: Explained;
  let executor: string;
  try {
    // The wasm provider: what is tested is reading tfjs's WebGPU weights, not ONNX Runtime's GPU.
    await useOnnxRuntimeWeb(model, await loadOnnxRuntimeWeb(new URL('ort/', location.href)), ['wasm']);
    executor = model.executorName;
    const explainer = webOnnxExplainerOf(model)!;
    onnx = await analyse(model, input, (image, method, classIndex) =>
      explainer.explain(image, { method, ...(classIndex === undefined ? {} : { classIndex }) }),
    );
  } finally {
    model.dispose();
  }
  await selectBackend('cpu');
  return { backend: choice.name, executor, onnx, cpu, tensors: [before, tf.memory().numTensors] };
};
