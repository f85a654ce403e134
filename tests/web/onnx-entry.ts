/// <reference path="../../examples/web/bundled-sources.d.ts" />
/**
 * The page the ONNX Runtime Web test bundles: it loads the bundled model twice from the same
 * weights, runs one image on tfjs (the reference) and on ONNX Runtime Web with the provider
 * asked for, and hands both sets of numbers back through `window.segcOnnxCompare`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sources } from 'segc:bundled-sources';
import {
  fetchImage,
  fitToModel,
  gradCamHeatmap,
  loadOnnxRuntimeWeb,
  loadWebModel,
  segment,
  startWebBackend,
  useOnnxRuntimeWeb,
  type OnnxWebProvider,
} from '../../src/web/index.js';

export interface OnnxComparison {
  readonly tfjsBackend: string;
  readonly executor: string;
  readonly tfjs: {
    readonly logits: number[];
    readonly mask: number[];
    readonly heatmap: number[];
    readonly target: string;
  };
  readonly onnx: {
    readonly logits: number[];
    readonly mask: number[];
    readonly heatmap: number[];
    readonly target: string;
  };
  /** Live tfjs tensors before and after, models disposed. */
  readonly tensors: readonly [number, number];
}

declare global {
  interface Window {
    segcOnnxCompare: (provider: OnnxWebProvider, imageUrl: string, classIndex: number) => Promise<OnnxComparison>;
    segcOnnxMissing: (folder: string) => Promise<{ name: string; message: string; hint: string }>;
  }
}

const MODEL_SIZE = 64;
const backend = startWebBackend('wasm', new URL('tfjs/', location.href).href);

async function analyse(model: Awaited<ReturnType<typeof loadWebModel>>['model'], imageUrl: string, classIndex: number) {
  const decoded = await fetchImage(imageUrl);
  const image = fitToModel(decoded, MODEL_SIZE, MODEL_SIZE);
  decoded.dispose();
  try {
    const segmentation = await segment(model, image);
    const heatmap = await gradCamHeatmap(model, image, classIndex);
    return {
      logits: Array.from(segmentation.logits),
      mask: Array.from(segmentation.mask),
      heatmap: Array.from(heatmap.map),
      target: heatmap.target,
    };
  } finally {
    image.dispose();
  }
}

window.segcOnnxCompare = async (provider, imageUrl, classIndex) => {
  const choice = await backend;
  const before = tf.memory().numTensors;
  const weights = new URL('weights/', location.href);
  const reference = await loadWebModel(sources, weights);
  const tfjs = await analyse(reference.model, imageUrl, classIndex).finally(() => reference.model.dispose());
  const onRuntime = await loadWebModel(sources, weights);
  let onnx: Awaited<ReturnType<typeof analyse>>;
  let executor: string;
  try {
    await useOnnxRuntimeWeb(onRuntime.model, await loadOnnxRuntimeWeb(new URL('ort/', location.href)), [provider]);
    executor = onRuntime.model.executorName;
    onnx = await analyse(onRuntime.model, imageUrl, classIndex);
  } finally {
    onRuntime.model.dispose();
  }
  return { tfjsBackend: choice.name, executor, tfjs, onnx, tensors: [before, tf.memory().numTensors] as const };
};

window.segcOnnxMissing = async (folder) => {
  try {
    await loadOnnxRuntimeWeb(new URL(folder, location.href));
  } catch (error) {
    const { name, message, hint } = error as Error & { hint: string };
    return { name, message, hint };
  }
  throw new Error(`onnxruntime-web loaded from ${folder}`);
};
