/**
 * `segc/node` on the sources: compiling files from disk with relative and `std/` imports and
 * plain parameter values, and `loadModel` with a weights folder, with bad input reported as
 * diagnostics with positions, and no tensor left behind.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { compileFile, loadModel, saveWeights } from '../../src/node/index.js';
import { useBackend } from '../ops/backends.js';
import { REPOSITORY } from './reference.js';

const directory = mkdtempSync(join(tmpdir(), 'segc-node-entry-'));

beforeAll(() => useBackend('cpu'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('compileFile', () => {
  it('takes parameters as plain values', () => {
    const result = compileFile(join(REPOSITORY, 'examples', 'deeplabv3plus.seg'), { params: { classes: 4, os: 8 } });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const graph = result.models[0]!.graph!;
    expect(graph.nodes[graph.outputs[0]!.node]!.type.shape.at(-1)).toEqual({ kind: 'const', value: 4 });
  });

  it('reads relative imports beside the file and std/ from the package', () => {
    writeFileSync(
      join(directory, 'blocks.seg'),
      'block Stem(x, width: int) {\n  return x -> conv(width, 3) -> relu\n}\n',
    );
    writeFileSync(
      join(directory, 'model.seg'),
      [
        'import { Stem } from "./blocks.seg"',
        'import { GapHead } from "std/heads.seg"',
        'model Small(classes: int = 3) {',
        '  input image: f32[N, 16, 16, 1]',
        '  output logits = GapHead(Stem(image, 8), classes)',
        '}',
        '',
      ].join('\n'),
    );
    const result = compileFile(join(directory, 'model.seg'), { params: { classes: 5 } });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect([...result.sources.keys()].map((path) => path.slice(path.lastIndexOf('/') + 1)).sort()).toEqual([
      'blocks.seg',
      'heads.seg',
      'model.seg',
    ]);
  });
});

describe('loadModel', () => {
  it('loads the bundled GapCam weights and predicts, leaving no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const { model, compiled } = await loadModel(join(REPOSITORY, 'examples', 'gap_cam.seg'), {
      weights: join(REPOSITORY, 'weights', 'gap_cam'),
    });
    expect(compiled.name).toBe('GapCam');
    const input = tf.zeros([2, 28, 28, 1]);
    const outputs = model.predict(input);
    const sums = tf.sum(outputs['probabilities']!, 1);
    expect(Array.from(await sums.data()).map((s) => Math.abs(s - 1) < 1e-5)).toEqual([true, true]);
    tf.dispose([input, sums, ...Object.values(outputs)]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("saves a model's weights to a folder that loads back to the same predictions", async () => {
    const source = await loadModel(join(REPOSITORY, 'examples', 'gap_cam.seg'), {
      weights: join(REPOSITORY, 'weights', 'gap_cam'),
    });
    const saved = join(directory, 'gap_cam-weights');
    await saveWeights(saved, source.model.weightTensors(), {
      model: 'GapCam',
      generatedBy: 'tests/package/node-entry.test.ts',
    });
    const copy = await loadModel(join(REPOSITORY, 'examples', 'gap_cam.seg'), { weights: saved });
    const input = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3);
    const [a, b] = [source.model.predict(input), copy.model.predict(input)];
    expect(Array.from(await b['logits']!.data())).toEqual(Array.from(await a['logits']!.data()));
    tf.dispose([input, ...Object.values(a), ...Object.values(b)]);
    source.model.dispose();
    copy.model.dispose();
  });

  it("throws the file's diagnostics, with their positions", async () => {
    const broken = join(directory, 'broken.seg');
    writeFileSync(broken, 'model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> nosuchop(4)\n}\n');
    const error = await loadModel(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    const [diagnostic] = (error as DiagnosticError).diagnostics;
    expect([diagnostic!.code, diagnostic!.message, diagnostic!.span.start.line, diagnostic!.span.start.column]).toEqual(
      ['E0211', 'unknown block or operation `nosuchop`', 3, 19],
    );
  });

  it('says so when the file declares no model', async () => {
    const blocks = join(directory, 'only-blocks.seg');
    writeFileSync(blocks, 'block Stem(x) {\n  return x -> relu\n}\n');
    const error = await loadModel(blocks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      `E0216 \`${blocks}\` declares no model`,
    ]);
  });

  it('refuses weights that belong to another model, before making a tensor', async () => {
    const before = tf.memory().numTensors;
    const error = await loadModel(join(REPOSITORY, 'examples', 'gap_cam.seg'), {
      weights: join(REPOSITORY, 'weights', 'acol'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).message).toMatch(/features\/conv\/kernel|weight/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
