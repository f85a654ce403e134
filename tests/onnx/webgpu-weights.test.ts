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
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOnnxRuntimeWeb } from '../../examples/web/assets.js';
import { bundlePage } from '../../examples/web/bundle.js';
import { serveDirectory, type RunningServer } from '../../examples/web/serve.js';
import { relativeError } from '../explain/helpers.js';
import { chromiumAvailable, openPage } from '../web/browser.js';
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
    let site: string;
    let server: RunningServer;

    beforeAll(async () => {
      site = await mkdtemp(join(tmpdir(), 'segc-onnx-gpu-weights-'));
      expect(await copyOnnxRuntimeWeb(site)).not.toEqual([]);
      await bundlePage({
        entryPoint: join(dirname(fileURLToPath(import.meta.url)), 'webgpu-weights-entry.ts'),
        outFile: join(site, 'page.js'),
      });
      await writeFile(
        join(site, 'index.html'),
        '<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>ONNX Runtime Web on GPU weights</title>\n<script type="module" src="page.js"></script>\n',
      );
      server = await serveDirectory(site);
    }, 120_000);

    afterAll(async () => {
      await server?.close();
      if (site) await rm(site, { recursive: true, force: true });
    });

    it('runs and explains as tfjs does on cpu, within 1e-4', async () => {
      const session = await openPage(`${server.url}index.html`, true);
      const warnings: string[] = [];
      session.page.on('console', (message) => {
        if (message.type() === 'warning') warnings.push(message.text());
      });
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
        expect(warnings.filter((w) => /synchronously reading data from GPU/.test(w))).toEqual([]);
        expect(session.problems).toEqual([]);
      } finally {
        await session.close();
      }
    }, 180_000);
  },
);
