/**
 * The playground's run panel: pick a bundled image (or your own), and the model in the editor
 * runs on it in this page, on WebGPU or wasm as the demo page starts them, with its prediction
 * and a Grad-CAM overlay drawn beside the input. Which weights it ran with is always said: the
 * trained ones of the bundled example the text is, or seeded random ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../../src/diagnostics/render.js';
import type { RgbImage } from '../../src/runtime/image.js';
import {
  backendRequestFrom,
  decodeImageBlob,
  describeBackend,
  fetchImage,
  startWebBackend,
  toImageData,
} from '../../src/web/index.js';
import type { PlaygroundRun } from './globals.js';
import { PLAYGROUND_FILE } from './protocol.js';
import {
  type CatalogEntry,
  type LoadedModel,
  loadEditedModel,
  matchingExample,
  runModel,
  type RunResult,
} from './runner.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

async function draw(id: string, image: RgbImage): Promise<void> {
  const pixels = await toImageData(image);
  const canvas = element<HTMLCanvasElement>(id);
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

export interface RunPanel {
  /** Runs the editor's model on an image URL (relative to the page) and says what came out. */
  run(imageUrl: string): Promise<PlaygroundRun>;
}

/** Sets up the panel; `text` reads the editor, `library` is the bundled `std/` texts. */
export function startRunPanel(
  text: () => string,
  library: Readonly<Record<string, string>>,
  openExample: (text: string) => void,
): RunPanel & { edited(): void } {
  const pageUrl = location.href;
  let loaded: LoadedModel | undefined;
  let catalog: CatalogEntry[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  const imagePicker = element<HTMLSelectElement>('image-picker');
  const examplePicker = element<HTMLSelectElement>('example-picker');
  /** The example picker shows which bundled example the text is, if any. */
  const edited = () => {
    const index = catalog.indexOf(matchingExample(catalog, text())!);
    examplePicker.value = index < 0 ? '' : String(index);
  };
  const button = element<HTMLButtonElement>('run-button');

  const ready = (async () => {
    const backend = await startWebBackend(backendRequestFrom(location.search), new URL('tfjs/', pageUrl).href);
    element('run-backend').textContent = `backend: ${describeBackend(backend)}`;
    catalog = (await (await fetch(new URL('catalog.json', pageUrl))).json()) as CatalogEntry[];
    examplePicker.replaceChildren(
      new Option('(edited: no bundled example)', '', false, false),
      ...catalog.map(
        (entry, index) =>
          new Option(`${entry.file}${entry.weights ? ' (trained weights)' : ' (no trained weights)'}`, String(index)),
      ),
    );
    examplePicker.options[0]!.disabled = true;
    examplePicker.onchange = () => openExample(catalog[Number(examplePicker.value)]!.text);
    edited();
    imagePicker.replaceChildren(
      ...catalog.flatMap((entry) =>
        entry.images.map(
          (image) =>
            new Option(
              `${image.url.replace('images/', '')}${image.label === undefined ? '' : ` (label ${image.label})`}`,
              image.url,
            ),
        ),
      ),
    );
    button.disabled = false;
  })();

  const showProblem = (message: string | undefined) => {
    const box = element('run-problem');
    box.hidden = message === undefined;
    box.textContent = message ?? '';
  };

  async function model(): Promise<LoadedModel> {
    const current = text();
    if (loaded?.text === current) return loaded;
    loaded?.model.dispose();
    loaded = undefined;
    loaded = await loadEditedModel(current, catalog, library, pageUrl);
    const weights = element('run-weights');
    weights.textContent = `weights: ${loaded.weightsOrigin}`;
    weights.classList.toggle('warning', !loaded.example);
    return loaded;
  }

  function describe(result: RunResult, classes: readonly string[] | undefined, label: number | undefined): string {
    const name = (index: number) => classes?.[index] ?? String(index);
    if (result.kind === 'classifier') {
      const truth = label === undefined ? '' : `; the image's label is ${label}`;
      return `predicted ${name(result.predicted!)} (p = ${percent(result.probabilities![result.predicted!]!)})${truth}`;
    }
    const total = result.pixels!.reduce((sum, count) => sum + count, 0);
    return `pixels: ${result.pixels!.map((count, index) => `${name(index)} ${percent(count / total)}`).join(', ')}`;
  }

  async function runOn(decode: () => Promise<RgbImage>, label: number | undefined): Promise<PlaygroundRun> {
    await ready;
    showProblem(undefined);
    button.disabled = true;
    let image: RgbImage | undefined;
    let result: RunResult | undefined;
    try {
      const current = await model();
      image = await decode();
      result = await runModel(current.model, image);
      await draw('input-canvas', result.shown);
      await draw('heatmap-canvas', result.heatmap);
      element('mask-figure').hidden = !result.maskOverlay;
      if (result.maskOverlay) await draw('mask-canvas', result.maskOverlay);
      const classes = result.kind === 'segmentation' ? current.example?.maskClasses : current.example?.classes;
      element('heatmap-caption').textContent =
        `Grad-CAM for ${classes?.[result.classIndex] ?? result.classIndex} at ${result.target}`;
      element('run-result').textContent = describe(result, classes, label);
      const map = result.heatmapValues;
      return {
        kind: result.kind,
        inputSize: result.inputSize,
        ...(result.predicted === undefined
          ? {}
          : { predicted: result.predicted, probabilities: result.probabilities! }),
        ...(result.pixels ? { pixels: result.pixels, mask: Array.from(result.mask!) } : {}),
        classIndex: result.classIndex,
        target: result.target,
        trained: current.example?.weights !== undefined,
        weightsOrigin: current.weightsOrigin,
        heatmap: { min: Math.min(...map), max: Math.max(...map), size: map.length },
        tensors: 0,
      };
    } catch (error) {
      showProblem(
        error instanceof DiagnosticError
          ? renderDiagnostics(error.diagnostics, new Map([[PLAYGROUND_FILE, text()]]))
          : ((error as Error).message ?? String(error)),
      );
      throw error;
    } finally {
      if (result) tf.dispose([result.shown, result.heatmap, ...(result.maskOverlay ? [result.maskOverlay] : [])]);
      image?.dispose();
      button.disabled = false;
    }
  }

  /** One run at a time; the live tensor count is read once the run has cleaned up. */
  function serialise(task: () => Promise<PlaygroundRun>): Promise<PlaygroundRun> {
    const next = queue.then(task, task).then((run) => ({ ...run, tensors: tf.memory().numTensors }));
    queue = next.catch(() => undefined);
    return next;
  }

  const labelOf = (url: string) => catalog.flatMap((entry) => entry.images).find((image) => image.url === url)?.label;
  const runUrl = (url: string) => {
    if (Array.from(imagePicker.options).some((option) => option.value === url)) imagePicker.value = url;
    return serialise(() => runOn(() => fetchImage(new URL(url, pageUrl)), labelOf(url)));
  };
  const ignore = () => undefined;
  imagePicker.onchange = () => void runUrl(imagePicker.value).catch(ignore);
  button.onclick = () => void runUrl(imagePicker.value).catch(ignore);
  const file = element<HTMLInputElement>('image-file');
  file.onchange = () => {
    const chosen = file.files?.[0];
    file.value = '';
    if (chosen) void serialise(() => runOn(() => decodeImageBlob(chosen, chosen.name), undefined)).catch(ignore);
  };
  ready.catch((error: unknown) =>
    showProblem(`the run panel could not start: ${(error as Error).message ?? String(error)}`),
  );
  return { run: runUrl, edited };
}
