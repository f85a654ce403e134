/**
 * A generated module's `load…` with the project's loaders: weights saved as `segc train` saves
 * them, fetched over (stubbed) HTTP, give the same predictions as the same weights handed to
 * `create…`; damaged weights are refused before any tensor is made; loaded tensors are released.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchWeights } from '../../src/codegen/runtime/weights-loader.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { saveWeights } from '../../src/runtime/node/weights-fs.js';
import { initialWeights } from '../../src/runtime/model.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import * as generated from './golden/gap_cam.js';
import { compileExample } from './helpers.js';

/** Serves `directory` at http://weights.test/gap_cam/, optionally with one file replaced. */
function serve(directory: string, replace: Record<string, Uint8Array> = {}): void {
  vi.stubGlobal('fetch', async (url: URL | string) => {
    const name = String(url).replace('http://weights.test/gap_cam/', '');
    try {
      const bytes = replace[name] ?? readFileSync(join(directory, name));
      return new Response(new Uint8Array(bytes), { status: 200 });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

describe('loading a generated module over HTTP', () => {
  const directory = mkdtempSync(join(tmpdir(), 'segc-loader-'));
  afterEach(() => vi.unstubAllGlobals());

  it('predicts as the module created from the same weights', async () => {
    await useBackend('cpu');
    const weights = initialWeights(compileExample('gap_cam').graph, 8);
    await saveWeights(directory, weights, { model: 'GapCam' });
    serve(directory);
    const input = seededTensor<tf.Rank.R4>([1, 28, 28, 1], 3);
    const before = tf.memory().numTensors;
    const loaded = await generated.loadGapCam(fetchWeights('http://weights.test/gap_cam/'));
    const created = generated.createGapCam(weights);
    const [a, b] = [loaded.predict({ image: input }), created.predict({ image: input })];
    expect(Array.from(a.logits.dataSync())).toEqual(Array.from(b.logits.dataSync()));
    tf.dispose([Object.values(a), Object.values(b)]);
    loaded.dispose();
    created.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...weights.values(), input]);
  });

  it('refuses a damaged shard with a diagnostic, making no tensor', async () => {
    serve(directory, { 'group1-shard1of1.bin': new Uint8Array(12) });
    const before = tf.memory().numTensors;
    const error = await generated.loadGapCam(fetchWeights('http://weights.test/gap_cam/')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostics[0]!.message).toContain('group1-shard1of1.bin');
    expect(tf.memory().numTensors).toBe(before);
    rmSync(directory, { recursive: true, force: true });
  });
});
