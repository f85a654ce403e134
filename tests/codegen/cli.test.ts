/**
 * `segc build`: the files it writes (module, IR JSON; with `--target js` the JavaScript and
 * declarations too), that the JavaScript runs like the TypeScript, and its usage errors.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readIR } from '../../src/ir/json.js';
import { initialWeights } from '../../src/runtime/model.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { GOLDEN, REPOSITORY, compileExample, typeCheck } from './helpers.js';

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let [out, err] = ['', ''];
  const cwd = process.cwd();
  process.chdir(REPOSITORY);
  try {
    const code = await main(argv, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

describe('segc build', () => {
  const directory = mkdtempSync(join(tmpdir(), 'segc-build-'));
  symlinkSync(join(REPOSITORY, 'node_modules'), join(directory, 'node_modules'), 'dir');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes the module, its IR, and with --target js the JavaScript and declarations', async () => {
    const result = await segc('build', 'examples/gap_cam.seg', '-o', directory, '--target', 'js');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    for (const name of ['gap_cam.ts', 'gap_cam.ir.json', 'gap_cam.js', 'gap_cam.d.ts'])
      expect(existsSync(join(directory, name)), name).toBe(true);
    expect(readFileSync(join(directory, 'gap_cam.ts'), 'utf8')).toBe(readFileSync(join(GOLDEN, 'gap_cam.ts'), 'utf8'));
    expect(readIR(readFileSync(join(directory, 'gap_cam.ir.json'), 'utf8')).model).toBe('GapCam');
  });

  it('emits declarations a strict TypeScript consumer can use', () => {
    const consumer = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import { createGapCam, WEIGHTS, type GapCamOutputs } from './gap_cam.js';",
      'export function classify(weights: ReadonlyMap<string, tf.Tensor>, image: tf.Tensor4D): tf.Tensor2D {',
      '  const model = createGapCam(weights);',
      '  const outputs: GapCamOutputs = model.predict({ image });',
      '  model.dispose();',
      '  return WEIGHTS.length > 0 ? outputs.probabilities : outputs.logits;',
      '}',
    ].join('\n');
    const declarations = readFileSync(join(directory, 'gap_cam.d.ts'), 'utf8');
    expect(typeCheck({ 'gap_cam.d.ts': declarations, 'consumer.ts': consumer })).toEqual([]);
  });

  it('the JavaScript predicts exactly what the TypeScript module predicts', async () => {
    await useBackend('cpu');
    const model = compileExample('gap_cam');
    const weights = initialWeights(model.graph, 2);
    const input = seededTensor<tf.Rank.R4>([1, 28, 28, 1], 4);
    type Create = (w: ReadonlyMap<string, tf.Tensor>) => {
      predict(i: object): Record<string, tf.Tensor>;
      dispose(): void;
    };
    const javascript = (await import(join(directory, 'gap_cam.js'))) as { createGapCam: Create };
    const typescript = (await import('./golden/gap_cam.js')) as unknown as { createGapCam: Create };
    const [a, b] = [javascript.createGapCam(weights), typescript.createGapCam(weights)];
    const [left, right] = [a.predict({ image: input }), b.predict({ image: input })];
    expect(Array.from(left.probabilities!.dataSync())).toEqual(Array.from(right.probabilities!.dataSync()));
    tf.dispose([Object.values(left), Object.values(right), [...weights.values()], input]);
    a.dispose();
    b.dispose();
  });

  it.each([
    [['build', 'examples/gap_cam.seg'], 'build needs an output directory: -o DIR'],
    [
      ['build', 'examples/gap_cam.seg', '-o', 'x', '--target', 'wasm'],
      '--target must be ts, js, pytorch or onnx, got `wasm`',
    ],
    [['build', '-o', 'x'], 'build needs a .seg file'],
  ])('refuses %j with exit code 2', async (argv, message) => {
    const result = await segc(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('reports a model with errors as diagnostics, exit code 1, and writes nothing', async () => {
    const output = join(directory, 'none');
    const result = await segc('build', 'tests/codegen/no-such-file.seg', '-o', output);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/E\d{4}/);
    expect(existsSync(output)).toBe(false);
  });
});
