/**
 * The playground in headless chromium: Monaco with the language service in a web worker. Type a
 * mistake and its marker appears on the line typed on; hover a name and its shape shows; pick a
 * digit and the trained classifier in the editor names it, with a Grad-CAM over it; edit the
 * model and it runs on seeded random weights, and the page says so.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPlayground } from '../../examples/playground/build.js';
import type { PlaygroundRun } from '../../examples/playground/globals.js';
import { serveDirectory, type RunningServer } from '../../examples/web/serve.js';
import * as tf from '@tensorflow/tfjs-core';
import { compileSource, hasErrors } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { resizeImage, vocPalette } from '../../src/runtime/image.js';
import { SegModel } from '../../src/runtime/model.js';
import { readImage } from '../../src/runtime/node/image-io.js';
import { chromiumAvailable, openPage, type BrowserSession } from '../web/browser.js';

const out = mkdtempSync(join(tmpdir(), 'segc-playground-'));
/** Screenshots to look at (git-ignored). */
const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The class probabilities Node's cpu backend computes for `text` on seeded random weights (seed
 * 0, as `segc run` without `--weights`), the PNG decoded with pngjs, resized and turned grey as
 * `segc run` does: the page's run must give the same numbers.
 */
async function nodeProbabilities(text: string, image: string): Promise<number[]> {
  await selectBackend('cpu');
  const result = compileSource(text, join(ROOT, 'examples', 'edited.seg'), {}, nodeHost());
  expect(hasErrors(result.diagnostics)).toBe(false);
  const compiled = result.models.find((m) => m.graph)!;
  const model = SegModel.random(compiled.graph!, compiled.sizes, 0);
  const original = await readImage(join(ROOT, 'examples', 'images', image));
  try {
    const input = tf.tidy(() => tf.mean(resizeImage(original, 28, 28), 3, true));
    const outputs = model.predict(input);
    const values = Array.from(await outputs.probabilities!.data());
    tf.dispose([input, ...Object.values(outputs)]);
    return values;
  } finally {
    original.dispose();
    model.dispose();
  }
}

const TRUTH = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'images', 'truth.json'), 'utf8'),
) as Record<string, { model: string; label?: number }>;
let server: RunningServer;
let session: BrowserSession;

interface Marker {
  startLineNumber: number;
  startColumn: number;
  endColumn: number;
  code: string;
  message: string;
}

describe.skipIf(!chromiumAvailable())('the playground page', () => {
  beforeAll(async () => {
    await buildPlayground(out);
    server = await serveDirectory(out);
    session = await openPage(`${server.url}index.html`, false);
    session.page.on('worker', (worker) =>
      worker.on('console', (message) => {
        if (message.type() === 'error') session.problems.push(`worker console error: ${message.text()}`);
      }),
    );
    await session.page.waitForFunction(() => window.playground?.shown.shapes === true, undefined, { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  const markers = () =>
    session.page.evaluate(() => window.monaco.editor.getModelMarkers({ owner: 'segc' }) as unknown as Marker[]);

  test('the example opens without problems', async () => {
    expect(await markers()).toEqual([]);
    expect(session.problems).toEqual([]);
  });

  test('a mistake typed on line 12 gets a marker on line 12', async () => {
    const { page } = session;
    await page.evaluate(() => {
      const editor = window.playground!.editor;
      editor.focus();
      editor.setPosition({ lineNumber: 12, column: editor.getModel()!.getLineMaxColumn(12) });
    });
    await page.keyboard.type('x');
    await page.waitForFunction(() => window.monaco.editor.getModelMarkers({ owner: 'segc' }).length > 0);
    const found = await markers();
    expect(
      found.map((m) => ({
        line: m.startLineNumber,
        start: m.startColumn,
        end: m.endColumn,
        code: m.code,
        message: m.message,
      })),
    ).toEqual([
      {
        line: 12,
        start: 42,
        end: 47,
        code: 'E0211',
        message: 'unknown block or operation `relux`\nhint: did you mean `relu`?',
      },
    ]);
    await page.waitForSelector('.squiggly-error');
    await page.keyboard.press('Backspace');
    await page.waitForFunction(
      () => window.monaco.editor.getModelMarkers({ owner: 'segc' }).length === 0 && window.playground!.shown.shapes,
    );
  }, 30_000);

  /** Replaces the filter count of the last convolution (line 17) as an edit in the editor. */
  const setFilters = (from: string, to: string) =>
    session.page.evaluate(
      ([before, after]) => {
        const editor = window.playground!.editor;
        const column = editor.getModel()!.getLineContent(17).indexOf(`conv(${before}`) + 'conv('.length + 1;
        editor.executeEdits('test', [
          {
            range: { startLineNumber: 17, startColumn: column, endLineNumber: 17, endColumn: column + before.length },
            text: after,
          },
        ]);
      },
      [from, to] as const,
    );
  const diagramShows = (text: string) =>
    session.page.waitForFunction(
      (wanted) => document.querySelector('#diagram svg')?.textContent?.includes(wanted),
      text,
      { timeout: 15_000 },
    );

  test('the diagram is redrawn after an edit', async () => {
    // The last convolution of the example has 64 filters: [N, 7, 7, 64].
    await diagramShows('[N, 7, 7, 64]');
    await setFilters('64', '48');
    await diagramShows('[N, 7, 7, 48]');
    expect(await session.page.locator('#diagram svg').textContent()).not.toContain('[N, 7, 7, 64]');
    await setFilters('48', '64');
    await diagramShows('[N, 7, 7, 64]');
  }, 40_000);

  test('hovering a name shows its shape', async () => {
    const { page } = session;
    // `features` in `let logits = GapHead(features, classes)`, line 19.
    const point = await page.evaluate(() => {
      const editor = window.playground!.editor;
      const column = editor.getModel()!.getLineContent(19).indexOf('features') + 3;
      const visible = editor.getScrolledVisiblePosition({ lineNumber: 19, column })!;
      const box = editor.getDomNode()!.getBoundingClientRect();
      return { x: box.left + visible.left + 2, y: box.top + visible.top + visible.height / 2 };
    });
    await page.mouse.move(point.x, point.y);
    await page.waitForSelector('.monaco-hover-content :text("f32[N, 7, 7, 64]")', { timeout: 15_000 });
    const text = await page.locator('.monaco-hover-content', { hasText: 'f32[N, 7, 7, 64]' }).first().textContent();
    expect(text).toContain('(let) features');
    expect(text).toContain('shape f32[N, 7, 7, 64] in model GapCam');
    expect(session.problems).toEqual([]);
  }, 30_000);
  const run = (url: string) => session.page.evaluate((imageUrl) => window.playground!.run(imageUrl), url);

  /** Pixels of a canvas that are not all one colour: its width, height and count of distinct colours. */
  const canvasContent = (id: string) =>
    session.page.evaluate((canvasId) => {
      const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return { width: canvas.width, height: canvas.height, colours: colours.size };
    }, id);

  test('a picked digit runs with the trained weights: the predicted class is its label, with a Grad-CAM', async () => {
    const digits = Object.entries(TRUTH).filter(([, truth]) => truth.model === 'gap_cam');
    expect(digits).toHaveLength(10);
    const runs: PlaygroundRun[] = [];
    for (const [image, truth] of digits) {
      const result = await run(`images/${image}`);
      expect({ image, predicted: result.predicted }).toEqual({ image, predicted: truth.label });
      expect(result.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      runs.push(result);
    }
    const last = runs[runs.length - 1]!;
    expect(last).toMatchObject({
      kind: 'classifier',
      inputSize: [28, 28],
      trained: true,
      classIndex: 9,
      heatmap: { min: 0, max: 1, size: 28 * 28 },
    });
    expect(last.weightsOrigin).toBe('segc train, the weights of examples/gap_cam.seg');
    // Only the model's weights stay alive between runs.
    expect(new Set(runs.map((r) => r.tensors)).size).toBe(1);
    expect(await canvasContent('input-canvas')).toMatchObject({ width: 28, height: 28 });
    const heatmap = await canvasContent('heatmap-canvas');
    expect(heatmap).toMatchObject({ width: 28, height: 28 });
    expect(heatmap.colours).toBeGreaterThan(20);
    expect(await session.page.locator('#run-result').textContent()).toMatch(
      /^predicted 9 \(p = \d+\.\d%\); the image's label is 9$/,
    );
    expect(await session.page.locator('#run-weights').textContent()).toBe(
      'weights: segc train, the weights of examples/gap_cam.seg',
    );
    // A file of one's own goes through the browser's decoder the same way; it has no label.
    await session.page.locator('#image-file').setInputFiles(join(ROOT, 'examples', 'images', 'digit-4.png'));
    await session.page.waitForFunction(
      () => document.getElementById('run-result')!.textContent!.startsWith('predicted 4 '),
      undefined,
      { timeout: 30_000 },
    );
    expect(await session.page.locator('#run-result').textContent()).toMatch(/^predicted 4 \(p = \d+\.\d%\)$/);
    await run('images/digit-9.png');
    await session.page.mouse.move(0, 0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await session.page.screenshot({ path: join(ARTIFACTS, 'playground-run.png') });
    expect(session.problems).toEqual([]);
  }, 120_000);

  test('an edited model runs on seeded random weights and the page says so', async () => {
    const picked = () => session.page.locator('#example-picker').inputValue();
    expect(await picked()).toBe('0');
    await setFilters('64', '48');
    expect(await picked()).toBe('');
    const random = await run('images/digit-3.png');
    expect(random).toMatchObject({ kind: 'classifier', trained: false, inputSize: [28, 28] });
    expect(random.weightsOrigin).toBe(
      'seeded random weights (seed 0), untrained: the source is no bundled example with trained weights',
    );
    expect(await session.page.locator('#run-weights').textContent()).toContain(
      'seeded random weights (seed 0), untrained',
    );
    expect(await session.page.locator('#run-weights').getAttribute('class')).toBe('warning');
    expect(random.heatmap.size).toBe(28 * 28);
    const edited = await session.page.evaluate(() => window.playground!.editor.getModel()!.getValue());
    const reference = await nodeProbabilities(edited, 'digit-3.png');
    expect(random.probabilities).toHaveLength(10);
    random.probabilities!.forEach((p, index) => expect(p).toBeCloseTo(reference[index]!, 4));
    await setFilters('48', '64');
    const trained = await run('images/digit-3.png');
    expect(trained).toMatchObject({ trained: true, predicted: 3 });
    expect(await picked()).toBe('0');
    // The edited model (as many weight tensors, other shapes) was disposed when the text changed back.
    expect(trained.tensors).toBe(random.tensors);
  }, 60_000);

  test('a model with errors does not run, and the page shows the diagnostic', async () => {
    const { page } = session;
    const original = await page.evaluate(() => window.playground!.editor.getModel()!.getValue());
    await page.evaluate(() => {
      const editor = window.playground!.editor;
      editor.executeEdits('test', [
        { range: { startLineNumber: 12, startColumn: 1, endLineNumber: 12, endColumn: 1 }, text: '    -> nonsense\n' },
      ]);
    });
    await expect(run('images/digit-1.png')).rejects.toThrow();
    const problem = await page.locator('#run-problem').textContent();
    expect(problem).toContain('E0211');
    expect(problem).toContain('playground.seg:12:');
    await page.evaluate((text) => window.playground!.editor.getModel()!.setValue(text), original);
    expect((await run('images/digit-1.png')).predicted).toBe(1);
    expect(await page.locator('#run-problem').isHidden()).toBe(true);
    // A model whose input is no image is refused with the shape it has.
    await page.evaluate(() => {
      const editor = window.playground!.editor;
      const column = editor.getModel()!.getLineContent(9).indexOf('28, 1]') + 5;
      editor.executeEdits('test', [
        { range: { startLineNumber: 9, startColumn: column, endLineNumber: 9, endColumn: column + 1 }, text: '2' },
      ]);
    });
    await expect(run('images/digit-1.png')).rejects.toThrow();
    expect(await page.locator('#run-problem').textContent()).toBe(
      'the model `GapCam` cannot run on a picked image: its input `image` is [N, 28, 28, 2], where the playground runs one input of [N, H, W, 1] or [N, H, W, 3]',
    );
    await page.evaluate((text) => window.playground!.editor.getModel()!.setValue(text), original);
    // A file that is no image is refused with the decoder's diagnostic.
    await page.locator('#image-file').setInputFiles(join(ROOT, 'examples', 'gap_cam.seg'));
    await page.waitForSelector('#run-problem:not([hidden])', { timeout: 15_000 });
    expect((await page.locator('#run-problem').textContent())!.trim()).toBe(
      'gap_cam.seg:1:1: error E0602: gap_cam.seg is not an image this browser can decode\n  hint: choose a PNG or JPEG file',
    );
  }, 60_000);
  /** Opens a bundled example with the picker above the editor, as a person would. */
  const openExample = async (file: string) => {
    const { page } = session;
    const value = await page.locator('#example-picker option', { hasText: file }).getAttribute('value');
    await page.locator('#example-picker').selectOption(value!);
    await page.waitForFunction(
      () =>
        window.playground!.shown.version === window.playground!.editor.getModel()!.getVersionId() &&
        window.playground!.shown.shapes,
      undefined,
      { timeout: 30_000 },
    );
    expect(await markers()).toEqual([]);
  };

  test('the ACoL example names the digits on its 64×64 canvases', async () => {
    await openExample('examples/acol.seg');
    for (const [image, truth] of Object.entries(TRUTH).filter(([, t]) => t.model === 'acol')) {
      const result = await run(`images/${image}`);
      expect({ image, predicted: result.predicted, trained: result.trained, inputSize: result.inputSize }).toEqual({
        image,
        predicted: truth.label,
        trained: true,
        inputSize: [64, 64],
      });
    }
  }, 60_000);

  test('the small DeepLabv3+ segments a bundled image close to its true mask, with a Grad-CAM of the class found', async () => {
    await openExample('examples/deeplabv3plus_small.seg');
    const result = await run('images/shapes-a.png');
    expect(result).toMatchObject({
      kind: 'segmentation',
      trained: true,
      inputSize: [64, 64],
      heatmap: { min: 0, max: 1, size: 64 * 64 },
    });
    // The true mask is drawn in the VOC palette: class c has the colour palette[3c..3c+2].
    const truth = PNG.sync.read(
      readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'images', 'shapes-a.mask.png')),
    );
    const palette = vocPalette(4);
    const labels = Array.from({ length: 64 * 64 }, (_, pixel) =>
      [0, 1, 2, 3].find((c) => [0, 1, 2].every((k) => truth.data[pixel * 4 + k] === palette[c * 3 + k])),
    );
    expect(labels.every((label) => label !== undefined)).toBe(true);
    const agree = result.mask!.filter((label, pixel) => label === labels[pixel]).length / labels.length;
    expect(agree).toBeGreaterThan(0.95);
    // The class explained is the most frequent foreground class found, which the true mask also has most of.
    const truthCounts = [1, 2, 3].map((c) => labels.filter((label) => label === c).length);
    expect(result.classIndex).toBe(1 + truthCounts.indexOf(Math.max(...truthCounts)));
    expect((await canvasContent('mask-canvas')).colours).toBeGreaterThan(2);
    expect((await canvasContent('heatmap-canvas')).colours).toBeGreaterThan(20);
    expect(await session.page.locator('#mask-figure').isVisible()).toBe(true);
    // Class names come from classes.json beside the trained weights.
    const names = ['background', 'circle', 'square', 'triangle'];
    expect(await session.page.locator('#run-result').textContent()).toMatch(
      /^pixels: background \d+\.\d%, circle \d+\.\d%, square \d+\.\d%, triangle \d+\.\d%$/,
    );
    expect(await session.page.locator('#heatmap-caption').textContent()).toBe(
      `Grad-CAM for ${names[result.classIndex]} at ${result.target}`,
    );
    await session.page.screenshot({ path: join(ARTIFACTS, 'playground-segmentation.png') });
    expect(session.problems).toEqual([]);
  }, 120_000);
  test('on WebGPU (the software adapter here) a digit gets the answer it gets on wasm', async () => {
    await openExample('examples/gap_cam.seg');
    const onWasm = await run('images/digit-7.png');
    expect(await session.page.locator('#run-backend').textContent()).toMatch(/^backend: wasm/);
    const gpu = await openPage(`${server.url}index.html?backend=webgpu`, true);
    try {
      await gpu.page.waitForFunction(() => window.playground?.shown.shapes === true, undefined, { timeout: 60_000 });
      const onGpu = await gpu.page.evaluate(() => window.playground!.run('images/digit-7.png'));
      expect(await gpu.page.locator('#run-backend').textContent()).toMatch(/^backend: webgpu on /);
      expect(onGpu).toMatchObject({
        kind: 'classifier',
        trained: true,
        predicted: 7,
        heatmap: { min: 0, max: 1, size: 28 * 28 },
      });
      onGpu.probabilities!.forEach((p, index) => expect(p).toBeCloseTo(onWasm.probabilities![index]!, 3));
      expect(gpu.problems).toEqual([]);
    } finally {
      await gpu.close();
    }
  }, 150_000);
});
