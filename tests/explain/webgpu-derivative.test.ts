/**
 * Explanations by the derivative graph on WebGPU in headless chromium (SwiftShader's adapter):
 * a small classifier runs once on WebGPU, then Grad-CAM, Grad-CAM++ and LayerCAM must equal the
 * cpu backend's maps within 1e-4, with no console error or warning and no tensor left behind.
 * Building the derivative program once read the weights synchronously (`dataSync`), which on
 * WebGPU goes through a canvas and lost the device in this adapter; this test found it.
 * Skipped without chromium.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, openPage } from '../web/browser.js';
import { serveTestPage, watchSynchronousGpuReads, type TestSite } from '../web/test-page.js';
import { relativeError } from './helpers.js';
import type { WebGpuDerivativeResult } from './webgpu-derivative-entry.js';

describe.runIf(chromiumAvailable())('the derivative graph on WebGPU in headless chromium', () => {
  let site: TestSite;

  beforeAll(async () => {
    site = await serveTestPage({
      prefix: 'segc-webgpu-derivative-',
      entryPoint: join(dirname(fileURLToPath(import.meta.url)), 'webgpu-derivative-entry.ts'),
      title: 'derivative graph on WebGPU',
    });
  }, 120_000);

  afterAll(async () => {
    await site?.close();
  });

  it('gives the maps of the cpu backend within 1e-4', async () => {
    const session = await openPage(site.page, true);
    const synchronousReads = watchSynchronousGpuReads(session.page);
    try {
      await session.page.waitForFunction(() => window.segcWebGpuDerivative !== undefined);
      const result: WebGpuDerivativeResult = await session.page.evaluate(() => window.segcWebGpuDerivative());
      expect(result.backend).toBe('webgpu');
      expect(result.derivativeGraph, 'explain differentiates by the derivative graph on WebGPU').toBe(true);
      expect(result.webgpu.classIndex).toEqual(result.cpu.classIndex);
      result.cpu.raw.forEach((expected, method) => {
        expect(relativeError(result.webgpu.raw[method]!, expected), `raw map ${method}`).toBeLessThan(1e-4);
        expect(relativeError(result.webgpu.map[method]!, result.cpu.map[method]!), `map ${method}`).toBeLessThan(1e-4);
        expect(Math.max(...expected), 'a map that is not all zeros').toBeGreaterThan(0);
      });
      expect(result.tensors[1]).toBe(result.tensors[0]);
      // A synchronous read of a GPU tensor is what lost the device; tfjs warns when one happens.
      expect(synchronousReads).toEqual([]);
      expect(session.problems).toEqual([]);
    } finally {
      await session.close();
    }
  }, 150_000);
});
