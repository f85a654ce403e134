/**
 * The demo page: starts WebGPU (wasm where there is none), compiles the bundled DeepLabv3+,
 * fetches its weights, and for each image shows the mask overlay and a Grad-CAM heatmap for
 * the class picked. `window.segcRun(url, classIndex)` runs an image from a script and
 * `window.segcResult` holds the numbers of the last run, for tests and for people poking at
 * the page from the console.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sources } from 'segc:bundled-sources';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../../src/diagnostics/render.js';
import type { BackendChoice } from '../../src/runtime/backend.js';
import type { RgbImage } from '../../src/runtime/image.js';
import {
  backendRequestFrom, classHistogram, decodeImageBlob, describeBackend, fetchImage, fitToModel, gradCamHeatmap,
  heatmapOverlayImage, loadWebModel, maskOverlayImage, mostFrequentForeground, segment, startWebBackend, toImageData,
  type Heatmap, type Segmentation, type WebModel,
} from '../../src/web/index.js';
import type { SegcResult } from './result.js';
import * as view from './view.js';

/** The model was designed for the 64×64 `shapes` data; 64 also keeps software WebGPU quick. */
const MODEL_SIZE = 64;
const CLASS_NAMES = ['background', 'circle', 'square', 'triangle'];
const SAMPLES = [
  { label: 'Sample: shapes 1', url: 'samples/shapes-1.png' },
  { label: 'Sample: shapes 2', url: 'samples/shapes-2.png' },
];

interface Current {
  readonly image: RgbImage;
  readonly segmentation: Segmentation;
  readonly segmentMilliseconds: number;
}

let backend: BackendChoice | undefined;
let loaded: WebModel | undefined;
let current: Current | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Runs tasks one after another, so a click during a run waits for it instead of racing it. */
function serialise<T>(task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}

function className(index: number): string {
  return CLASS_NAMES[index] ?? `class ${index}`;
}

function report(error: unknown): void {
  const text = error instanceof DiagnosticError ? renderDiagnostics(error.diagnostics, new Map(Object.entries(sources.files))) : (error as Error).message ?? String(error);
  window.segcError = text;
  view.showProblem(text);
}

async function start(): Promise<void> {
  backend = await startWebBackend(backendRequestFrom(location.search), new URL('tfjs/', location.href).href);
  view.setStatus('backend', describeBackend(backend), backend.name !== 'webgpu');
  loaded = await loadWebModel(sources, new URL('weights/', location.href));
  view.setStatus('model', `${loaded.compiled.name} from ${sources.entry} (${loaded.model.weights.size} weight tensors), run at ${MODEL_SIZE}×${MODEL_SIZE}`);
  view.setStatus('weights', loaded.weightsOrigin, /random|untrained/.test(loaded.weightsOrigin));
  view.addSampleButtons(SAMPLES, (url) => void serialise(() => runImage(() => fetchImage(new URL(url, location.href)), url)).catch(report));
  view.acceptFiles((file) => void serialise(() => runImage(() => decodeImageBlob(file, file.name), file.name)).catch(report));
}

async function explainClass(classIndex: number): Promise<Heatmap> {
  const started = performance.now();
  const heatmap = await gradCamHeatmap(loaded!.model, current!.image, classIndex);
  view.drawImage('heatmap-canvas', await imageDataOf(heatmapOverlayImage(current!.image, heatmap)));
  view.setCaption('heatmap-caption', `Grad-CAM for “${className(heatmap.classIndex)}” at ${heatmap.target}`);
  view.selectClass(heatmap.classIndex);
  const gradCam = performance.now() - started;
  view.setStatus('timing', `segmentation ${current!.segmentMilliseconds.toFixed(0)} ms, Grad-CAM ${gradCam.toFixed(0)} ms on ${backend!.name}`);
  window.segcResult = await resultOf(heatmap, gradCam);
  return heatmap;
}

async function imageDataOf(image: RgbImage): Promise<ImageData> {
  try {
    return await toImageData(image);
  } finally {
    image.dispose();
  }
}

async function resultOf(heatmap: Heatmap, gradCam: number): Promise<SegcResult> {
  const { image, segmentation } = current!;
  return {
    backend: backend!.name,
    ...(backend!.adapter ? { adapter: backend!.adapter } : {}),
    width: segmentation.width,
    height: segmentation.height,
    classes: segmentation.classes,
    input: Array.from(await image.data()),
    logits: Array.from(segmentation.logits),
    mask: Array.from(segmentation.mask),
    heatmap: Array.from(heatmap.map),
    classIndex: heatmap.classIndex,
    target: heatmap.target,
    tensors: tf.memory().numTensors,
    milliseconds: { segment: current!.segmentMilliseconds, gradCam },
  };
}

/** Decodes, fits to the model, segments and explains; `classIndex` defaults to the largest foreground class. */
async function runImage(decode: () => Promise<RgbImage>, name: string, classIndex?: number): Promise<SegcResult> {
  view.showProblem(undefined);
  const decoded = await decode();
  const image = fitToModel(decoded, MODEL_SIZE, MODEL_SIZE);
  decoded.dispose();
  const started = performance.now();
  const segmentation = await segment(loaded!.model, image).catch((error: unknown) => {
    image.dispose();
    throw error;
  });
  current?.image.dispose();
  current = { image, segmentation, segmentMilliseconds: performance.now() - started };
  view.setCaption('input-caption', `Input: ${name} (as the model sees it, ${MODEL_SIZE}×${MODEL_SIZE})`);
  view.drawImage('input-canvas', await toImageData(image));
  view.drawImage('mask-canvas', await imageDataOf(maskOverlayImage(image, segmentation)));
  const names = Array.from({ length: segmentation.classes }, (_, index) => className(index));
  view.showLegend(names, classHistogram(segmentation.mask, segmentation.classes));
  const chosen = classIndex ?? mostFrequentForeground(segmentation.mask, segmentation.classes);
  view.fillClassPicker(names, chosen, (picked) => void serialise(() => explainClass(picked)).catch(report));
  await explainClass(chosen);
  return window.segcResult!;
}

window.segcReady = start();
window.segcReady.catch(report);
window.segcRun = async (imageUrl, classIndex) => {
  await window.segcReady;
  return serialise(() => runImage(() => fetchImage(new URL(imageUrl, location.href)), imageUrl, classIndex)).catch((error: unknown) => {
    report(error);
    throw error;
  });
};
