/**
 * examples/embed/browser bundled by Vite and run in headless chromium (cpu backend): the
 * interpreter's prediction and Grad-CAM, and a module from `segc build` with its `gradCam`,
 * with no gradient registration by the app. Compared with the interpreter in Node on the same
 * image and weights: the class exactly, the probability to 1e-6, the raw maps to 1e-5 of their
 * largest value (1e-4 for the module, which runs the folded graph, as tests/codegen/grad-cam).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbedResult } from '../../examples/embed/browser/result.js';
import { buildEmbedExample } from '../../examples/embed/browser/build.js';
import { serveDirectory, type RunningServer } from '../../examples/web/serve.js';
import { chromiumAvailable, openPage, type BrowserSession } from '../web/browser.js';
import { type GapCamRun, REPOSITORY, gapCamReference, relativeError } from './reference.js';

describe.runIf(chromiumAvailable())('the Vite example in headless chromium', { timeout: 300_000 }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let result: EmbedResult;
  let expected: GapCamRun;
  let distribution: string;

  beforeAll(async () => {
    expected = await gapCamReference();
    distribution = await buildEmbedExample();
    server = await serveDirectory(distribution);
    session = await openPage(server.url, false);
    await session.page.waitForFunction(() => window.embedResult !== undefined);
    result = await session.page.evaluate(() => window.embedResult!);
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  it('bundles one copy of tfjs-core, the ES build, with its gradients', () => {
    const assets = join(distribution, 'assets');
    const bundle = readdirSync(assets)
      .filter((name) => name.endsWith('.js'))
      .map((name) => readFileSync(join(assets, name), 'utf8'))
      .join('\n');
    // Each copy of tfjs-core reads its global engine's environment once, in getOrMakeEngine.
    expect(bundle.match(/_tfengine\.ENV/g)).toHaveLength(1);
    expect((bundle.match(/gradFunc/g) ?? []).length).toBeGreaterThan(100);
  });

  it('runs the interpreter and Grad-CAM as Node does', () => {
    expect(session.problems).toEqual([]);
    expect(result.interpreter.classIndex).toBe(expected.classIndex);
    expect(result.interpreter.probability).toBeCloseTo(expected.probability, 6);
    expect(Math.max(...result.interpreter.raw)).toBeGreaterThan(0);
    expect(relativeError(result.interpreter.raw, expected.raw)).toBeLessThan(1e-5);
  });

  it("runs the generated module's predict and gradCam with no extra calls", () => {
    expect(result.generated.classIndex).toBe(expected.classIndex);
    expect(result.generated.probability).toBeCloseTo(expected.probability, 6);
    expect(result.generated.raw).toHaveLength(expected.raw.length);
    expect(relativeError(result.generated.raw, expected.raw)).toBeLessThan(1e-4);
  });

  it('leaves no tensor behind', () => {
    expect(result.tensorsLeft).toBe(0);
  });

  it('type-checks, the generated module included', () => {
    const tsc = spawnSync(
      'node',
      [
        join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(REPOSITORY, 'examples', 'embed', 'browser', 'tsconfig.json'),
      ],
      { encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
