/**
 * ONNX Runtime Web for a model whose tfjs weights live only on the GPU (tfjs-backend-webgpu, in
 * headless chromium with SwiftShader's adapter): `useOnnxRuntimeWeb` exports the model in the
 * page, then runs and explains it (Grad-CAM, Grad-CAM++, LayerCAM and CAM, the default class and
 * a requested one), and everything must equal the model on cpu weights run by tfjs within 1e-4,
 * with no console error, no synchronous GPU read and no tensor left behind. The export once read
 * the weights with `dataSync`, which on WebGPU goes through a canvas and lost the device in this
 * adapter. Skipped without chromium or onnxruntime-web.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOnnxRuntimeWeb } from '../../examples/web/assets.js';
import { relativeError } from '../explain/helpers.js';
import { chromiumAvailable, openPage } from '../web/browser.js';
import { serveTestPage, watchSynchronousGpuReads, type TestSite } from '../web/test-page.js';
import type { GpuWeightsResult } from './webgpu-weights-entry.js';

function onnxRuntimeWebInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('onnxruntime-web');
    return true;
  } catch {
    return false;
  }
}

describe.runIf(chromiumAvailable() && onnxRuntimeWebInstalled())(
  'ONNX Runtime Web on weights that live on the GPU, in headless chromium',
  () => {
    let site: TestSite;

    beforeAll(async () => {
      site = await serveTestPage({
        prefix: 'segc-onnx-gpu-weights-',
        entryPoint: join(dirname(fileURLToPath(import.meta.url)), 'webgpu-weights-entry.ts'),
        title: 'ONNX Runtime Web on GPU weights',
        prepare: async (directory) => {
          expect(await copyOnnxRuntimeWeb(directory)).not.toEqual([]);
        },
      });
    }, 120_000);

    afterAll(async () => {
      await site?.close();
    });

    it('runs and explains as tfjs does on cpu, within 1e-4', async () => {
      const session = await openPage(site.page, true);
      const synchronousReads = watchSynchronousGpuReads(session.page);
      try {
        await session.page.waitForFunction(() => window.segcOnnxGpuWeights !== undefined);
        const result: GpuWeightsResult = await session.page.evaluate(() => window.segcOnnxGpuWeights());
        expect(result.backend).toBe('webgpu');
        expect(result.executor).toBe('onnx (wasm)');
        expect(relativeError(result.onnx.logits, result.cpu.logits), 'logits').toBeLessThan(1e-4);
        expect(result.onnx.classIndex).toEqual(result.cpu.classIndex);
        expect(result.onnx.labels).toEqual(result.cpu.labels);
        expect(result.cpu.maps).toHaveLength(8);
        result.cpu.maps.forEach((expected, i) => {
          const label = result.cpu.labels[i]!;
          expect(relativeError(result.onnx.maps[i]!, expected), label).toBeLessThan(1e-4);
          expect(Math.max(...expected), `${label}: a map that is not all zeros`).toBeGreaterThan(0);
        });
        expect(result.tensors[1]).toBe(result.tensors[0]);
        expect(synchronousReads).toEqual([]);
        expect(session.problems).toEqual([]);
      } finally {
        await session.close();
      }
    }, 180_000);
  },
);
