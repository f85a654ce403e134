/**
 * The ONNX part of `segc/web` in a browser bundle: the exporter, the engine and the explainer
 * go in, nothing Node-only does, and onnxruntime-web does not either: it is loaded at run time
 * from a URL, so the bundle builds (and the page runs on tfjs) where the package is absent.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, PROJECT_ROOT } from '../../examples/web/bundle.js';
import { ONNX_RUNTIME_WEB_MODULE } from '../../src/web/onnx.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'segc-onnx-bundle-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('segc/web with ONNX Runtime Web in a bundle', () => {
  it('bundles the exporter and engine, no Node-only file, and not onnxruntime-web itself', async () => {
    const index = relative(scratch, join(PROJECT_ROOT, 'src/web/index.js')).split('\\').join('/');
    const entryPoint = join(scratch, 'entry.ts');
    await writeFile(
      entryPoint,
      `import { loadOnnxRuntimeWeb, useOnnxRuntimeWeb } from '${index}';\nconsole.log(loadOnnxRuntimeWeb, useOnnxRuntimeWeb);\n`,
    );
    const outFile = join(scratch, 'entry.js');
    const report = await bundlePage({ entryPoint, outFile, minify: false });
    for (const file of [
      'src/web/onnx.ts',
      'src/onnx/export.ts',
      'src/onnx/engine.ts',
      'src/explain/onnx-explainer.ts',
      'src/onnx/gradient.ts',
    ])
      expect(report.inputs).toContain(file);
    expect(
      report.inputs.filter((input) =>
        /\/node\/|src\/cli\/|node_modules\/onnxruntime-(?:web|node|common)\//.test(input),
      ),
    ).toEqual([]);
    const text = await readFile(outFile, 'utf8');
    // The runtime is reached through a URL made at run time, never through a package import.
    expect(text).toContain(ONNX_RUNTIME_WEB_MODULE);
    expect(text).not.toMatch(/from\s+["']onnxruntime-/);
    expect(text).not.toMatch(/import\(\s*["']onnxruntime-/);
  }, 60_000);
});
