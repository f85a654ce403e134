/**
 * The demo page: starts a hardware WebGPU adapter (wasm where there is none, or only a software
 * one), compiles the bundled DeepLabv3+, fetches its weights, and for each image shows the image
 * as given, the mask overlay and a Grad-CAM heatmap for the class picked. An image of any shape
 * is letterboxed onto the model's square input and the results are cut back to the image; while
 * anything runs, a progress line says what and the controls are disabled. `window.segcRun(url, classIndex)` runs an image from a script and
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
  type Box,
  backendRequestFrom,
  classHistogram,
  cropToBox,
  decodeImageBlob,
  describeBackend,
  fetchImage,
  gradCamHeatmap,
  heatmapOverlayImage,
  letterbox,
  loadWebModel,
  maskOverlayImage,
  mostFrequentForeground,
  segment,
  shrinkToFit,
  startWebBackend,
  toImageData,
  loadOnnxRuntimeWeb,
  useOnnxRuntimeWeb,
  type OnnxWebProvider,
  type Heatmap,
  type Segmentation,
  type WebModel,
} from '../../src/web/index.js';
import type { SegcResult } from './result.js';
import * as view from './view.js';

/** The model was designed for the 64×64 `shapes` data; 64 also keeps software WebGPU quick. */
const MODEL_SIZE = 64;
/** The input is shown as given, scaled down to this many pixels on its longer side at most. */
const SHOWN_SIZE = 512;
const CLASS_NAMES = ['background', 'circle', 'square', 'triangle'];
const SAMPLES = [
  { label: 'Sample: shapes 1', url: 'samples/shapes-1.png' },
  { label: 'Sample: shapes 2', url: 'samples/shapes-2.png' },
];

interface Current {
  readonly image: RgbImage;
  /** Where the image sits in the model's letterboxed input. */
  readonly box: Box;
  readonly segmentation: Segmentation;
  readonly segmentMilliseconds: number;
}

let backend: BackendChoice | undefined;
let loaded: WebModel | undefined;
let current: Current | undefined;
let queue: Promise<unknown> = Promise.resolve();
let inFlight = 0;

/** Runs tasks one after another, so a call during a run waits for it instead of racing it. */
function serialise<T>(task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}

/** A serialised task with the page busy from this moment (controls off at once) until all settle. */
function track<T>(activity: string, task: () => Promise<T>): Promise<T> {
  inFlight++;
  view.setBusy(activity);
  return serialise(task).finally(() => {
    if (--inFlight === 0) view.setBusy(undefined);
  });
}

function className(index: number): string {
  return CLASS_NAMES[index] ?? `class ${index}`;
}

function report(error: unknown): void {
  const text =
    error instanceof DiagnosticError
      ? renderDiagnostics(error.diagnostics, new Map(Object.entries(sources.files)))
      : ((error as Error).message ?? String(error));
  window.segcError = text;
  view.showProblem(text);
}

async function start(): Promise<void> {
  const request = backendRequestFrom(location.search);
  view.offerBackends(request, (name) => {
    const url = new URL(location.href);
    url.searchParams.set('backend', name);
    location.assign(url);
  });
  view.setBusy('starting the backend…');
  backend = await startWebBackend(request, new URL('tfjs/', location.href).href);
  view.setStatus('backend', describeBackend(backend), backend.name !== 'webgpu' || backend.software === true);
  view.setBusy('compiling the model and loading its weights…');
  loaded = await loadWebModel(sources, new URL('weights/', location.href));
  if (new URLSearchParams(location.search).get('executor') === 'onnx') await useOnnx(loaded.model);
  view.setStatus(
    'model',
    `${loaded.compiled.name} from ${sources.entry} (${loaded.model.weights.size} weight tensors), run at ${MODEL_SIZE}×${MODEL_SIZE}`,
  );
  view.setStatus('weights', loaded.weightsOrigin, /random|untrained/.test(loaded.weightsOrigin));
  view.addSampleButtons(
    SAMPLES,
    (url) =>
      void track(`running ${url}…`, () => runImage(() => fetchImage(new URL(url, location.href)), url)).catch(report),
  );
  view.acceptFiles(
    (file) =>
      void track(`running ${file.name}…`, () => runImage(() => decodeImageBlob(file, file.name), file.name)).catch(
        report,
      ),
  );
}

/**
 * `?executor=onnx`: the model runs on ONNX Runtime Web (tfjs still decodes and draws). Where
 * its files are not served, the page stays on tfjs and the backend line says why.
 */
async function useOnnx(model: WebModel['model']): Promise<void> {
  view.setBusy('loading ONNX Runtime Web…');
  // The providers follow the page's tfjs choice: WebGPU only where `auto` took it (a hardware adapter) or it was asked for.
  const providers: OnnxWebProvider[] = backend!.name === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
  try {
    await useOnnxRuntimeWeb(model, await loadOnnxRuntimeWeb(new URL('ort/', location.href)), providers);
    view.setStatus('backend', `${describeBackend(backend!)}; the model on ONNX Runtime Web (${providers.join(', ')})`);
  } catch (error) {
    view.setStatus(
      'backend',
      `${describeBackend(backend!)}; not on ONNX Runtime Web: ${(error as Error).message}`,
      true,
    );
  }
}

async function explainClass(classIndex: number): Promise<Heatmap> {
  const started = performance.now();
  const heatmap = await gradCamHeatmap(loaded!.model, current!.image, classIndex);
  view.drawImage('heatmap-canvas', await imageDataOf(cropped(heatmapOverlayImage(current!.image, heatmap))));
  view.setCaption('heatmap-caption', `Grad-CAM for “${className(heatmap.classIndex)}” at ${heatmap.target}`);
  view.selectClass(heatmap.classIndex);
  const gradCam = performance.now() - started;
  view.setStatus(
    'timing',
    `segmentation ${current!.segmentMilliseconds.toFixed(0)} ms, Grad-CAM ${gradCam.toFixed(0)} ms on ${backend!.name}`,
  );
  window.segcResult = await resultOf(heatmap, gradCam);
  return heatmap;
}

/** The part of a model-sized picture that shows the image (the letterbox bars cut off); disposes `picture`. */
function cropped(picture: RgbImage): RgbImage {
  try {
    return cropToBox(picture, current!.box);
  } finally {
    picture.dispose();
  }
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
    executor: loaded!.model.executorName,
    ...(backend!.adapter ? { adapter: backend!.adapter } : {}),
    width: segmentation.width,
    height: segmentation.height,
    box: current!.box,
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

/**
 * Decodes, shows the image as given, letterboxes it onto the model's input, segments and
 * explains; `classIndex` defaults to the largest foreground class.
 */
async function runImage(decode: () => Promise<RgbImage>, name: string, classIndex?: number): Promise<SegcResult> {
  view.showProblem(undefined);
  const decoded = await decode();
  const [, height, width] = decoded.shape;
  view.setCaption(
    'input-caption',
    `Input: ${name}, ${width}×${height} (letterboxed to ${MODEL_SIZE}×${MODEL_SIZE} for the model)`,
  );
  const { image, box } = letterbox(decoded, MODEL_SIZE, MODEL_SIZE);
  const shown = shrinkToFit(decoded, SHOWN_SIZE);
  decoded.dispose();
  view.drawImage('input-canvas', await imageDataOf(shown));
  const started = performance.now();
  const segmentation = await segment(loaded!.model, image).catch((error: unknown) => {
    image.dispose();
    throw error;
  });
  current?.image.dispose();
  current = { image, box, segmentation, segmentMilliseconds: performance.now() - started };
  view.drawImage('mask-canvas', await imageDataOf(cropped(maskOverlayImage(image, segmentation))));
  const names = Array.from({ length: segmentation.classes }, (_, index) => className(index));
  view.showLegend(names, classHistogram(segmentation.mask, segmentation.classes));
  const chosen = classIndex ?? mostFrequentForeground(segmentation.mask, segmentation.classes);
  view.fillClassPicker(
    names,
    chosen,
    (picked) => void track(`Grad-CAM for ${className(picked)}…`, () => explainClass(picked)).catch(report),
  );
  await explainClass(chosen);
  return window.segcResult!;
}

window.segcReady = start().finally(() => view.setBusy(undefined));
window.segcReady.catch(report);
window.segcRun = async (imageUrl, classIndex) => {
  await window.segcReady;
  return track(`running ${imageUrl}…`, () =>
    runImage(() => fetchImage(new URL(imageUrl, location.href)), imageUrl, classIndex),
  ).catch((error: unknown) => {
    report(error);
    throw error;
  });
};
