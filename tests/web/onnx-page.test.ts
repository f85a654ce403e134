/**
 * The small DeepLabv3+ with its bundled weights on ONNX Runtime Web in headless chromium: the
 * model is exported to ONNX in the page and run on the wasm provider (and the WebGPU provider on
 * SwiftShader); its logits, mask and Grad-CAM map must equal the tfjs executor's (wasm backend)
 * in the same page within 1e-4. ONNX Runtime Web is served from `ort/` as a page would; a page
 * that cannot load it gets an error that says what to serve. Skipped without chromium or
 * without the optional onnxruntime-web package.
 */
import { createRequire } from 'node:module';
import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, DEFAULT_TRAINED_WEIGHTS } from '../../examples/web/build.js';
import { ONNX_RUNTIME_WEB_MODULE } from '../../src/web/onnx.js';
import { chromiumAvailable, openPage, runInPage } from './browser.js';
import { maxAbsoluteDifference } from './compare.js';
import type { OnnxComparison } from './onnx-entry.js';
import { serveTestPage, type TestSite } from './test-page.js';

const TOLERANCE = 1e-4;
const SAMPLE = 'samples/shapes-1.png';
const CLASS_INDEX = 1;

/** onnxruntime-web's dist/ folder, or undefined when the optional package is not installed. */
function runtimeFolder(): string | undefined {
  try {
    // The package's main file lies in dist/, beside the browser bundles and .wasm files.
    return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  } catch {
    return undefined;
  }
}

const ORT = runtimeFolder();

describe.runIf(chromiumAvailable() && ORT !== undefined)(
  'the small DeepLabv3+ on ONNX Runtime Web in headless chromium',
  () => {
    let site: TestSite;

    beforeAll(async () => {
      site = await serveTestPage({
        prefix: 'segc-onnx-web-',
        entryPoint: join(dirname(fileURLToPath(import.meta.url)), 'onnx-entry.ts'),
        title: 'segc on ONNX Runtime Web',
        name: 'onnx',
        prepare: async (directory) => {
          const built = await buildSite({ outDirectory: directory, weights: { directory: DEFAULT_TRAINED_WEIGHTS } });
          // The site serves onnxruntime-web from ort/ when the package is installed, as here.
          expect(built.onnxRuntimeWeb).toContain(ONNX_RUNTIME_WEB_MODULE);
          expect(built.onnxRuntimeWeb.filter((file) => file.endsWith('.wasm')).length).toBeGreaterThan(0);
        },
      });
    }, 180_000);

    afterAll(async () => {
      await site?.close();
    });

    async function compare(provider: 'wasm' | 'webgpu'): Promise<OnnxComparison> {
      const session = await openPage(site.page, provider === 'webgpu');
      try {
        await session.page.waitForFunction(() => window.segcOnnxCompare !== undefined);
        const result = await session.page.evaluate(
          ([image, index, asked]) => window.segcOnnxCompare(asked, image, index),
          [SAMPLE, CLASS_INDEX, provider] as const,
        );
        expect(session.problems).toEqual([]);
        return result;
      } finally {
        await session.close();
      }
    }

    function expectSame(result: OnnxComparison, provider: string): void {
      expect(result.tfjsBackend).toBe('wasm');
      expect(result.executor).toBe(`onnx (${provider})`);
      expect(result.onnx.logits.length).toBe(64 * 64 * 4);
      const logits = maxAbsoluteDifference(result.onnx.logits, result.tfjs.logits);
      const heatmap = maxAbsoluteDifference(result.onnx.heatmap, result.tfjs.heatmap);
      const maskDiffers = result.onnx.mask.filter((label, pixel) => label !== result.tfjs.mask[pixel]).length;
      console.info(
        `onnxruntime-web ${provider}: logits max |diff| ${logits.toExponential(2)}; Grad-CAM (${result.onnx.target}) max |diff| ${heatmap.toExponential(2)}; mask differs at ${maskDiffers} pixels`,
      );
      expect(logits).toBeLessThanOrEqual(TOLERANCE);
      expect(heatmap).toBeLessThanOrEqual(TOLERANCE);
      expect(result.onnx.target).toBe(result.tfjs.target);
      expect(maskDiffers).toBe(0);
      expect(result.tensors[1]).toBe(result.tensors[0]);
    }

    it('runs on the wasm provider with the outputs and Grad-CAM of the tfjs executor', async () => {
      expectSame(await compare('wasm'), 'wasm');
    }, 120_000);

    it('runs on the WebGPU provider with the outputs and Grad-CAM of the tfjs executor', async () => {
      expectSame(await compare('webgpu'), 'webgpu');
    }, 180_000);

    it('says what to serve when ONNX Runtime Web is not there', async () => {
      const session = await openPage(site.page, false);
      try {
        await session.page.waitForFunction(() => window.segcOnnxMissing !== undefined);
        const error = await session.page.evaluate(() => window.segcOnnxMissing('no-ort/'));
        expect(error.name).toBe('OnnxRuntimeWebMissing');
        expect(error.message).toMatch(
          new RegExp(
            `^ONNX Runtime Web could not be loaded from ${site.url}no-ort/${ONNX_RUNTIME_WEB_MODULE.replaceAll('.', '\\.')}: `,
          ),
        );
        expect(error.hint).toContain("serve the files of onnxruntime-web's dist/ folder");
      } finally {
        await session.close();
      }
    }, 60_000);

    it('runs the demo page on ONNX Runtime Web with ?executor=onnx, with the numbers of tfjs', async () => {
      const runs = [];
      for (const search of ['', '?executor=onnx']) {
        const session = await openPage(`${site.url}${search}`, false);
        try {
          runs.push(await runInPage(session.page, SAMPLE, CLASS_INDEX));
          if (search)
            expect(await session.page.textContent('#backend')).toMatch(
              /^wasm — .*; the model on ONNX Runtime Web \(wasm\)$/,
            );
          expect(session.problems).toEqual([]);
        } finally {
          await session.close();
        }
      }
      const [tfjs, onnx] = runs;
      expect([tfjs!.executor, onnx!.executor]).toEqual(['tfjs', 'onnx (wasm)']);
      expect(maxAbsoluteDifference(onnx!.logits, tfjs!.logits)).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsoluteDifference(onnx!.heatmap, tfjs!.heatmap)).toBeLessThanOrEqual(TOLERANCE);
      expect(onnx!.mask).toEqual(tfjs!.mask);
    }, 120_000);

    it('keeps the demo page on tfjs, and says why, where ONNX Runtime Web is not served', async () => {
      await rename(join(site.directory, 'ort'), join(site.directory, 'ort-away'));
      const session = await openPage(`${site.url}?executor=onnx`, false);
      try {
        const result = await runInPage(session.page, SAMPLE, CLASS_INDEX);
        expect(result.executor).toBe('tfjs');
        expect(result.backend).toBe('wasm');
        expect(await session.page.textContent('#backend')).toContain(
          `; not on ONNX Runtime Web: ONNX Runtime Web could not be loaded from ${site.url}ort/${ONNX_RUNTIME_WEB_MODULE}`,
        );
        // The browser reports the missing file itself; nothing else may go wrong.
        expect(session.problems.filter((problem) => !/status of 404/.test(problem))).toEqual([]);
      } finally {
        await session.close();
        await rename(join(site.directory, 'ort-away'), join(site.directory, 'ort'));
      }
    }, 60_000);
  },
);
