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
  console.info(`${label}: logits max |diff| ${logitDifference.toExponential(2)}; mask differs at ${masks.differing} of ${reference.mask.length} pixels (${masks.nearTies} near-ties within ${TIE_TOLERANCE})`);
  expect(masks.unexplained).toBe(0);
}

function expectSameHeatmap(result: SegcResult, reference: Reference, label: string): void {
  expect(result.target).toBe(reference.target);
  const heatmapDifference = maxAbsoluteDifference(result.heatmap, reference.heatmaps.get(result.classIndex)!);
  console.info(`${label}: Grad-CAM (${result.target}, class ${result.classIndex}) max |diff| ${heatmapDifference.toExponential(2)}`);
  expect(heatmapDifference).toBeLessThanOrEqual(HEATMAP_TOLERANCE);
}

function runSample(page: Page, image: string, classIndex: number): Promise<SegcResult> {
  return page.evaluate(async ([url, index]) => {
    await window.segcReady;
    return window.segcRun(url, index);
  }, [image, classIndex] as const);
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
    second = await nodeReference(DEFAULT_MODEL_FILE, site, SECOND_SAMPLE, [largestForeground(secondMask, first.classes)]);
    await mkdir(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (site) await rm(site, { recursive: true, force: true });
  });

  async function withPage(webgpu: boolean, test: (session: BrowserSession) => Promise<void>): Promise<void> {
    const session = await openPage(server.url, webgpu);
    try {
      await test(session);
    } finally {
      await session.close();
    }
  }

  it('segments and explains on WebGPU, agreeing with the Node runtime', () => withPage(true, async ({ page, problems }) => {
    const result = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
    expect(result.backend).toBe('webgpu');
    expect(await page.textContent('#backend')).toMatch(/^webgpu on /);
    expectSameSegmentation(result, first, 'webgpu');
    expectSameHeatmap(result, first, 'webgpu');
    // A second run of the same image leaves as many live tensors as the first.
    const again = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
    expect(again.tensors).toBe(result.tensors);
    expect(again.mask).toEqual(result.mask);
    await page.screenshot({ path: join(ARTIFACTS, 'web-page-webgpu.png'), fullPage: true });
    expect(problems).toEqual([]);
  }), 150_000);

  it('falls back to wasm when the browser has no WebGPU, with the same results', () => withPage(false, async ({ page, problems }) => {
    const result = await runSample(page, FIRST_SAMPLE, CLASS_INDEX);
    expect(result.backend).toBe('wasm');
    expect(await page.textContent('#backend')).toMatch(/^wasm/);
    expectSameSegmentation(result, first, 'wasm');
    expectSameHeatmap(result, first, 'wasm');
    await page.screenshot({ path: join(ARTIFACTS, 'web-page-wasm.png'), fullPage: true });
    expect(problems).toEqual([]);
  }), 60_000);

  it('answers the sample button, the class picker, the file picker and a drop', () => withPage(false, async ({ page, problems }) => {
    await page.evaluate(() => window.segcReady);
    const sample = await resultAfter(page, () => page.click('text=Sample: shapes 1'));
    expectSameSegmentation(sample, first, 'sample button');
    expect(sample.classIndex).toBe(largestForeground(first.mask, first.classes));
    const picked = await resultAfter(page, async () => void (await page.selectOption('#class-picker', String(PICKED_CLASS))));
    expect(picked.classIndex).toBe(PICKED_CLASS);
    expectSameHeatmap(picked, first, 'class picker');
    expect(await page.textContent('#heatmap-caption')).toContain('“triangle”');
    const chosen = await resultAfter(page, () => page.setInputFiles('#file', join(site, SECOND_SAMPLE)));
    expectSameSegmentation(chosen, second, 'file picker');
    expectSameHeatmap(chosen, second, 'file picker');
    expect(await page.textContent('#input-caption')).toContain('shapes-2.png');
    const bytes = [...(await readFile(join(site, FIRST_SAMPLE)))];
    const dropped = await resultAfter(page, () => page.evaluate((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(content)], 'dropped.png', { type: 'image/png' }));
      document.getElementById('drop-zone')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes));
    expectSameSegmentation(dropped, first, 'drop');
    expect(await page.textContent('#input-caption')).toContain('dropped.png');
    expect(problems).toEqual([]);
  }), 60_000);

  it('shows a diagnostic, not a stack trace, for an image it cannot read', () => withPage(false, async ({ page }) => {
    await page.evaluate(() => window.segcReady);
    await expect(runSample(page, 'samples/absent.png', 1)).rejects.toThrow(/E0601: cannot fetch http:\/\/127\.0\.0\.1:\d+\/samples\/absent\.png: HTTP 404/);
    await expect(runSample(page, 'style.css', 1)).rejects.toThrow(/E0602: http:\/\/127\.0\.0\.1:\d+\/style\.css is not an image this browser can decode/);
    const shown = await page.textContent('#problems');
    expect(shown).toMatch(/error E0602: .*style\.css is not an image this browser can decode\n {2}hint: choose a PNG or JPEG file/);
    expect(shown).not.toMatch(/\n\s+at /);
  }), 60_000);

  it('shows a diagnostic when the weights are missing', async () => {
    const session = await openPage('about:blank', false);
    try {
      await session.page.route('**/weights/model.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
      await session.page.goto(server.url);
      await session.page.waitForFunction(() => window.segcReady !== undefined);
      await expect(session.page.evaluate(() => window.segcReady)).rejects.toThrow(/E0400: no weights at http:\/\/127\.0\.0\.1:\d+\/weights\/model\.json/);
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
