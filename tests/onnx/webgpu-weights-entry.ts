/**
 * The page the GPU-weights test bundles: a small classifier whose weights are computed on
 * WebGPU (so they have no copy on the host) is put on ONNX Runtime Web, which exports it in the
 * page, runs it and explains it; the same model on cpu weights, run and explained by tfjs, is the
 * reference. Both sets of numbers go back through `window.segcOnnxGpuWeights`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { explain } from '../../src/explain/explain.js';
import type { ExplainMethod } from '../../src/explain/request.js';
import type { SegModel } from '../../src/runtime/model.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { loadOnnxRuntimeWeb, useOnnxRuntimeWeb, webOnnxExplainerOf } from '../../src/web/onnx.js';
import { seededInput, seededModel } from '../web/seeded-model.js';

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
  await selectBackend('cpu');
  const before = tf.memory().numTensors;
  const tiny = seededModel(SOURCE);
  const input = seededInput();
  const reference = tiny.onHost();
  const cpu = await analyse(reference, input, (image, method, classIndex) =>
    explain(reference, image, { method, ...(classIndex === undefined ? {} : { classIndex }) }),
  );
  reference.dispose();
  const choice = await selectBackend('webgpu');
  // Weights computed on the GPU: no copy on the host.
  const model = tiny.computedOnDevice();
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
