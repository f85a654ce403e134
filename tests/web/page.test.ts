/**
 * The demo page end to end in headless chromium: build the bundle, serve it on 127.0.0.1, run a
 * bundled image on WebGPU (SwiftShader) and on the wasm fallback, and check the page's numbers
 * against the Node runtime on cpu for the same image and weights; then drive the page as a
 * person would (sample button, class picker, file picker, drop) and feed it bad input.
 *
 * Tolerances: logits within 1e-3 (absolute; they are of order 10, and WebGPU sums in another
 * order than the cpu kernels); the mask exactly, except pixels whose top two reference logits
 * are within 2e-3 of each other, where either class is right (their count is printed); the
 * Grad-CAM map, already normalised to [0, 1], within 1e-2. The input pixels exactly.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../examples/web/build.js';
import { DEFAULT_MODEL_FILE } from '../../examples/web/bundle.js';
import type { SegcResult } from '../../examples/web/result.js';
import { serveDirectory, type RunningServer } from '../../examples/web/serve.js';
import { CHROMIUM, chromiumAvailable, openPage, type BrowserSession } from './browser.js';
import { compareMasks, maxAbsoluteDifference } from './compare.js';
import { nodeReference, type Reference } from './reference.js';

const LOGIT_TOLERANCE = 1e-3;
const TIE_TOLERANCE = 2 * LOGIT_TOLERANCE;
const HEATMAP_TOLERANCE = 1e-2;
const FIRST_SAMPLE = 'samples/shapes-1.png';
const SECOND_SAMPLE = 'samples/shapes-2.png';
const CLASS_INDEX = 1;
const PICKED_CLASS = 3;
const ARTIFACTS = resolve('tests/artifacts');
const ON_CI = process.env.CI === 'true';

function expectSameSegmentation(result: SegcResult, reference: Reference, label: string): void {
  expect(result.width * result.height).toBe(reference.mask.length);
  expect(result.classes).toBe(reference.classes);
  // The browser's decoder and pngjs must hand the model the same pixels.
  expect(maxAbsoluteDifference(result.input, reference.input)).toBe(0);
  const logitDifference = maxAbsoluteDifference(result.logits, reference.logits);
  expect(logitDifference).toBeLessThanOrEqual(LOGIT_TOLERANCE);
  const masks = compareMasks(result.mask, reference.mask, reference.logits, reference.classes, TIE_TOLERANCE);
  console.info(
    `${label}: logits max |diff| ${logitDifference.toExponential(2)}; mask differs at ${masks.differing} of ${reference.mask.length} pixels (${masks.nearTies} near-ties within ${TIE_TOLERANCE})`,
  );
  expect(masks.unexplained).toBe(0);
}

function expectSameHeatmap(result: SegcResult, reference: Reference, label: string): void {
  expect(result.target).toBe(reference.target);
  const heatmapDifference = maxAbsoluteDifference(result.heatmap, reference.heatmaps.get(result.classIndex)!);
  console.info(
    `${label}: Grad-CAM (${result.target}, class ${result.classIndex}) max |diff| ${heatmapDifference.toExponential(2)}`,
  );
  expect(heatmapDifference).toBeLessThanOrEqual(HEATMAP_TOLERANCE);
}

function runSample(page: Page, image: string, classIndex: number): Promise<SegcResult> {
  return page.evaluate(
    async ([url, index]) => {
      await window.segcReady;
      return window.segcRun(url, index);
    },
    [image, classIndex] as const,
  );
}

/** Performs `action` and waits for the run it starts to publish its result. */
async function resultAfter(page: Page, action: () => Promise<void>): Promise<SegcResult> {
  await page.evaluate(() => {
    window.segcResult = undefined;
  });
  await action();
  await page.waitForFunction(() => window.segcResult !== undefined, undefined, { timeout: 30_000 });
  return page.evaluate(() => window.segcResult!);
}

/** The largest non-background class of a mask, computed here independently of the page. */
function largestForeground(mask: ArrayLike<number>, classes: number): number {
  const counts = new Array<number>(classes).fill(0);
  for (let pixel = 0; pixel < mask.length; pixel++) counts[mask[pixel]!]!++;
  return counts.slice(1).reduce((best, count, index) => (count > counts[best]! ? index + 1 : best), 1);
}

describe.runIf(chromiumAvailable())('the demo page in headless chromium', () => {
  let site: string;
  let server: RunningServer;
  let first: Reference;
  let second: Reference;

  beforeAll(async () => {
    site = await mkdtemp(join(tmpdir(), 'segc-web-'));
    // Seeded random weights: the test must not depend on a training run.
    await buildSite({ outDirectory: site, weights: { seed: 0 } });
    server = await serveDirectory(site);
    first = await nodeReference(DEFAULT_MODEL_FILE, site, FIRST_SAMPLE, [CLASS_INDEX, PICKED_CLASS]);
    const secondMask = (await nodeReference(DEFAULT_MODEL_FILE, site, SECOND_SAMPLE, [])).mask;
    second = await nodeReference(DEFAULT_MODEL_FILE, site, SECOND_SAMPLE, [
      largestForeground(secondMask, first.classes),
    ]);
    await mkdir(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (site) await rm(site, { recursive: true, force: true });
  });

  async function withPage(
    webgpu: boolean,
    test: (session: BrowserSession) => Promise<void>,
    search = '',
  ): Promise<void> {
    const session = await openPage(`${server.url}${search}`, webgpu);
    try {
      await test(session);
    } finally {
      await session.close();
    }
  }

  it(
    'segments and explains on WebGPU when asked by name, agreeing with the Node runtime',
    () =>
      withPage(
        true,
        async ({ page, problems }) => {
          const result = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
          expect(result.backend).toBe('webgpu');
          expect(await page.textContent('#backend')).toMatch(
            /^webgpu on .*swiftshader.*\(software adapter: slower than wasm; choose wasm to compare\)$/i,
          );
          expect(await page.inputValue('#backend-picker')).toBe('webgpu');
          expectSameSegmentation(result, first, 'webgpu');
          expectSameHeatmap(result, first, 'webgpu');
          // A second run of the same image leaves as many live tensors as the first.
          const again = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
          expect(again.tensors).toBe(result.tensors);
          expect(again.mask).toEqual(result.mask);
          await page.screenshot({ path: join(ARTIFACTS, 'web-page-webgpu.png'), fullPage: true });
          expect(problems).toEqual([]);
        },
        '?backend=webgpu',
      ),
    150_000,
  );

  it(
    'passes over a software WebGPU adapter on auto and runs on wasm',
    () =>
      withPage(true, async ({ page, problems }) => {
        const result = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
        expect(result.backend).toBe('wasm');
        expect(await page.textContent('#backend')).toMatch(
          /^wasm — auto: no WebGPU \(only a software adapter is available \(.*swiftshader.*\)\); wasm$/i,
        );
        expect(await page.inputValue('#backend-picker')).toBe('auto');
        expectSameSegmentation(result, first, 'auto');
        expect(problems).toEqual([]);
      }),
    60_000,
  );

  it(
    'falls back to wasm when the browser has no WebGPU, with the same results',
    () =>
      withPage(false, async ({ page, problems }) => {
        const result = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
        expect(result.backend).toBe('wasm');
        expect(await page.textContent('#backend')).toMatch(/^wasm/);
        expectSameSegmentation(result, first, 'wasm');
        expectSameHeatmap(result, first, 'wasm');
        await page.screenshot({ path: join(ARTIFACTS, 'web-page-wasm.png'), fullPage: true });
        expect(problems).toEqual([]);
      }),
    60_000,
  );

  it(
    'answers the sample button, the class picker, the file picker and a drop',
    () =>
      withPage(false, async ({ page, problems }) => {
        await page.evaluate(() => window.segcReady);
        const sample = await resultAfter(page, () => page.click('text=Sample: shapes 1'));
        expectSameSegmentation(sample, first, 'sample button');
        expect(sample.classIndex).toBe(largestForeground(first.mask, first.classes));
        const picked = await resultAfter(
          page,
          async () => void (await page.selectOption('#class-picker', String(PICKED_CLASS))),
        );
        expect(picked.classIndex).toBe(PICKED_CLASS);
        expectSameHeatmap(picked, first, 'class picker');
        expect(await page.textContent('#heatmap-caption')).toContain('“triangle”');
        const chosen = await resultAfter(page, () => page.setInputFiles('#file', join(site, SECOND_SAMPLE)));
        expectSameSegmentation(chosen, second, 'file picker');
        expectSameHeatmap(chosen, second, 'file picker');
        expect(await page.textContent('#input-caption')).toContain('shapes-2.png');
        const bytes = [...(await readFile(join(site, FIRST_SAMPLE)))];
        const dropped = await resultAfter(page, () =>
          page.evaluate((content) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(content)], 'dropped.png', { type: 'image/png' }));
            document
              .getElementById('drop-zone')!
              .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
          }, bytes),
        );
        expectSameSegmentation(dropped, first, 'drop');
        expect(await page.textContent('#input-caption')).toContain('dropped.png');
        expect(problems).toEqual([]);
      }),
    60_000,
  );

  it(
    'shows progress and disables every control while a run is in flight',
    () =>
      withPage(false, async ({ page, problems }) => {
        await page.evaluate(() => window.segcReady);
        const controls = () =>
          page.evaluate(() => ({
            progress: !document.getElementById('progress')!.hidden,
            text: document.getElementById('progress-text')!.textContent,
            disabled: Array.from(
              document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>(
                '#samples button, #file, #backend-picker, #class-picker',
              ),
            ).map((c) => c.disabled),
            busy: document.getElementById('drop-zone')!.getAttribute('aria-busy'),
            fileButton: getComputedStyle(document.querySelector('label[for="file"]')!).opacity,
          }));
        expect(await controls()).toEqual({
          progress: false,
          text: '',
          disabled: [false, false, false, false, true],
          busy: 'false',
          fileButton: '1',
        });
        // The image is held back until the busy page has been checked and photographed.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        await page.route('**/samples/shapes-1.png', async (route) => {
          await held;
          await route.continue();
        });
        // The state is read in the same task as the click: the page must be busy before any await.
        const during = await page.evaluate(() => {
          window.segcResult = undefined;
          document.querySelector<HTMLButtonElement>('#samples button')!.click();
          return {
            progress: !document.getElementById('progress')!.hidden,
            text: document.getElementById('progress-text')!.textContent,
            disabled: Array.from(
              document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>(
                '#samples button, #file, #backend-picker, #class-picker',
              ),
            ).map((c) => c.disabled),
          };
        });
        expect(during).toEqual({
          progress: true,
          text: 'running samples/shapes-1.png…',
          disabled: [true, true, true, true, true],
        });
        expect(await controls()).toMatchObject({ busy: 'true', fileButton: '0.55' });
        await page.screenshot({ path: join(ARTIFACTS, 'web-page-busy.png'), fullPage: true });
        release();
        await page.waitForFunction(() => window.segcResult !== undefined, undefined, { timeout: 30_000 });
        expect(await controls()).toEqual({
          progress: false,
          text: '',
          disabled: [false, false, false, false, false],
          busy: 'false',
          fileButton: '1',
        });
        expect(problems).toEqual([]);
      }),
    60_000,
  );

  it(
    'letterboxes a wide image, shows it as dropped, and cuts the results back to it',
    () =>
      withPage(false, async ({ page, problems }) => {
        await page.evaluate(() => window.segcReady);
        const wide = new PNG({ width: 96, height: 48 });
        for (let pixel = 0; pixel < 96 * 48; pixel++)
          wide.data.set([(pixel % 96) * 2, 40, 200 - (pixel % 96), 255], pixel * 4);
        const bytes = [...PNG.sync.write(wide)];
        const result = await resultAfter(page, () =>
          page.evaluate((content) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(content)], 'wide.png', { type: 'image/png' }));
            document
              .getElementById('drop-zone')!
              .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
          }, bytes),
        );
        // 96×48 scaled by 2/3 is 64×32, centred: 16 rows of grey above and below.
        expect(result.box).toEqual({ top: 16, left: 0, height: 32, width: 64 });
        const rowsOfGrey = [...result.input.slice(0, 16 * 64 * 3), ...result.input.slice(48 * 64 * 3)];
        expect(new Set(rowsOfGrey)).toEqual(new Set([0.5]));
        const canvases = await page.evaluate(() =>
          ['input-canvas', 'mask-canvas', 'heatmap-canvas'].map((id) => {
            const canvas = document.getElementById(id) as HTMLCanvasElement;
            return [canvas.width, canvas.height, getComputedStyle(canvas).objectFit];
          }),
        );
        expect(canvases).toEqual([
          [96, 48, 'contain'],
          [64, 32, 'contain'],
          [64, 32, 'contain'],
        ]);
        expect(await page.textContent('#input-caption')).toBe(
          'Input: wide.png, 96×48 (letterboxed to 64×64 for the model)',
        );
        await page.screenshot({ path: join(ARTIFACTS, 'web-page-letterbox.png'), fullPage: true });
        expect(problems).toEqual([]);
      }),
    60_000,
  );

  it(
    'paints each class in its legend colour and wraps captions between words',
    () =>
      withPage(false, async ({ page, problems }) => {
        const result = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
        const drawn = await page.evaluate(() => {
          const canvas = document.getElementById('mask-canvas') as HTMLCanvasElement;
          const swatches = Array.from(document.querySelectorAll<HTMLElement>('#legend .swatch')).map(
            (s) => getComputedStyle(s).backgroundColor,
          );
          return {
            pixels: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data),
            swatches,
          };
        });
        const legend = drawn.swatches.map((colour) => colour.match(/\d+/g)!.map(Number));
        expect(legend).toHaveLength(result.classes);
        // alpha·colour + (1 − alpha)·grey: above its smallest channel, a pixel is alpha × its class colour above that colour's smallest.
        const alpha = 0.6;
        let worst = 0;
        for (let pixel = 0; pixel < result.mask.length; pixel++) {
          const rgb = drawn.pixels.slice(pixel * 4, pixel * 4 + 3);
          const colour = legend[result.mask[pixel]!]!;
          const [low, lowColour] = [Math.min(...rgb), Math.min(...colour)];
          for (let channel = 0; channel < 3; channel++)
            worst = Math.max(worst, Math.abs(rgb[channel]! - low - alpha * (colour[channel]! - lowColour)));
        }
        expect(worst).toBeLessThanOrEqual(1);
        // Every line of the Grad-CAM caption starts after a space, a `/` or a `_`.
        const breaks = await page.evaluate(() => {
          const caption = document.getElementById('heatmap-caption')!;
          const text = caption.textContent ?? '';
          const range = document.createRange();
          const walker = document.createTreeWalker(caption, NodeFilter.SHOW_TEXT);
          const tops: number[] = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let offset = 0; offset < node.textContent!.length; offset++) {
              range.setStart(node, offset);
              range.setEnd(node, offset + 1);
              tops.push(range.getBoundingClientRect().top);
            }
          }
          return tops.flatMap((top, index) => (index > 0 && top > tops[index - 1]! + 1 ? [text[index - 1]!] : []));
        });
        expect(breaks.length).toBeGreaterThan(0);
        for (const before of breaks) expect(before).toMatch(/[ /_]/);
        await page.screenshot({ path: join(ARTIFACTS, 'web-page-legend.png'), fullPage: true });
        expect(problems).toEqual([]);
      }),
    60_000,
  );

  it(
    'shows a diagnostic, not a stack trace, for an image it cannot read',
    () =>
      withPage(false, async ({ page }) => {
        await page.evaluate(() => window.segcReady);
        await expect(runSample(page, 'samples/absent.png', 1)).rejects.toThrow(
          /E0601: cannot fetch http:\/\/127\.0\.0\.1:\d+\/samples\/absent\.png: HTTP 404/,
        );
        await expect(runSample(page, 'style.css', 1)).rejects.toThrow(
          /E0602: http:\/\/127\.0\.0\.1:\d+\/style\.css is not an image this browser can decode/,
        );
        const shown = await page.textContent('#problems');
        expect(shown).toMatch(
          /error E0602: .*style\.css is not an image this browser can decode\n {2}hint: choose a PNG or JPEG file/,
        );
        expect(shown).not.toMatch(/\n\s+at /);
      }),
    60_000,
  );

  it('shows a diagnostic when the weights are missing', async () => {
    const session = await openPage('about:blank', false);
    try {
      await session.page.route('**/weights/model.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
      await session.page.goto(server.url);
      await session.page.waitForFunction(() => window.segcReady !== undefined);
      await expect(session.page.evaluate(() => window.segcReady)).rejects.toThrow(
        /E0400: no weights at http:\/\/127\.0\.0\.1:\d+\/weights\/model\.json/,
      );
      const shown = await session.page.textContent('#problems');
      expect(shown).toMatch(/error E0400: no weights at .*\n {2}hint: /);
      expect(shown).not.toMatch(/\n\s+at /);
    } finally {
      await session.close();
    }
  }, 60_000);
});

// Where chromium is missing the page tests above are skipped by their runIf; on CI that is a failure.
if (!chromiumAvailable() && ON_CI) {
  describe('the demo page without chromium', () => {
    it(`needs ${CHROMIUM} on CI`, () => {
      expect.fail(`${CHROMIUM} is not installed; CI must install chromium to run the browser tests`);
    });
  });
}
