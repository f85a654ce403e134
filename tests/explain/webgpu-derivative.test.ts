/**
 * Explanations by the derivative graph on WebGPU in headless chromium (SwiftShader's adapter):
 * a small classifier runs once on WebGPU, then Grad-CAM, Grad-CAM++ and LayerCAM must equal the
 * cpu backend's maps within 1e-4, with no console error or warning and no tensor left behind.
 * Building the derivative program once read the weights synchronously (`dataSync`), which on
 * WebGPU goes through a canvas and lost the device in this adapter; this test found it.
 * Skipped without chromium.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage } from '../../examples/web/bundle.js';
import { serveDirectory, type RunningServer } from '../../examples/web/serve.js';
import { chromiumAvailable, openPage } from '../web/browser.js';
import { relativeError } from './helpers.js';
import type { WebGpuDerivativeResult } from './webgpu-derivative-entry.js';

describe.runIf(chromiumAvailable())('the derivative graph on WebGPU in headless chromium', () => {
  let site: string;
  let server: RunningServer;

  beforeAll(async () => {
    site = await mkdtemp(join(tmpdir(), 'segc-webgpu-derivative-'));
    await bundlePage({
      entryPoint: join(dirname(fileURLToPath(import.meta.url)), 'webgpu-derivative-entry.ts'),
      outFile: join(site, 'page.js'),
    });
    await writeFile(
      join(site, 'index.html'),
      '<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>derivative graph on WebGPU</title>\n<script type="module" src="page.js"></script>\n',
    );
    server = await serveDirectory(site);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (site) await rm(site, { recursive: true, force: true });
  });

  it('gives the maps of the cpu backend within 1e-4', async () => {
    const session = await openPage(`${server.url}index.html`, true);
    const warnings: string[] = [];
    session.page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
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
      expect(warnings.filter((w) => /synchronously reading data from GPU/.test(w))).toEqual([]);
      expect(session.problems).toEqual([]);
    } finally {
      await session.close();
    }
  }, 150_000);
});
