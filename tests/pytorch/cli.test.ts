/**
 * `segc build --target pytorch` through the command line: the files it writes, the bundled
 * trained weights converted to safetensors under segc's names and run by the module as segc
 * runs them, readable structure (a class per block, shared between calls with the same code),
 * byte-identical rebuilds, and errors with positions for what PyTorch cannot name.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';
import { decodeSafetensors } from '../../src/runtime/safetensors.js';
import { REPOSITORY, compileExample } from '../codegen/helpers.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { python, readNpy, torchMissing, writeNpy } from './helpers.js';
import { segc } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'segc-pytorch-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const missing = torchMissing();

describe('segc build --target pytorch', () => {
  it("writes the module, its runtime, train.py and the weights under segc's names", async () => {
    const out = join(work, 'gap');
    const result = await segc(
      'build',
      join(REPOSITORY, 'examples/gap_cam.seg'),
      '--target',
      'pytorch',
      '--weights',
      join(REPOSITORY, 'weights/gap_cam'),
      '-o',
      out,
    );
    expect(result.code, result.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'gap_cam.py',
      'gap_cam.safetensors',
      'segc_torch.py',
      'segc_train.py',
      'train.py',
    ]);
    const file = decodeSafetensors(
      new Uint8Array(readFileSync(join(out, 'gap_cam.safetensors'))),
      'gap_cam.safetensors',
    );
    const names = weightDeclarations(compileExample('gap_cam').graph)
      .map((d) => d.name.replace(/\//g, '.'))
      .sort();
    expect(file.entries.map((e) => e.key)).toEqual(names);
    expect(file.metadata.model).toBe('GapCam');
    const again = join(work, 'gap-again');
    await segc(
      'build',
      join(REPOSITORY, 'examples/gap_cam.seg'),
      '--target',
      'pytorch',
      '--weights',
      join(REPOSITORY, 'weights/gap_cam'),
      '-o',
      again,
    );
    for (const name of readdirSync(out))
      expect(readFileSync(join(again, name)).equals(readFileSync(join(out, name))), name).toBe(true);
  });

  it('writes one class per block, shared by calls whose code is the same', async () => {
    const out = join(work, 'resnet');
    expect(
      (await segc('build', join(REPOSITORY, 'examples/resnet50.seg'), '--target', 'pytorch', '-o', out)).code,
    ).toBe(0);
    const text = readFileSync(join(out, 'resnet50.py'), 'utf8');
    const classes = [...text.matchAll(/^class (\w+)\(segc\.Block\):/gm)].map((m) => m[1]);
    const calls = [...text.matchAll(/self\.add\("[^"]+", (\w+)\(\)\)/g)].map((m) => m[1]);
    expect(classes.at(-1)).toBe('ResNet50');
    // Each of ResNet-50's 16 bottleneck calls uses a class; the calls after the first of a stage share one.
    expect(calls.length).toBeGreaterThanOrEqual(16);
    expect(new Set(calls).size).toBeLessThan(calls.length);
    expect(text).toMatch(/# \S+: conv -> \[N, 64, 112, 112\] \(std\/backbones\.seg:\d+\)/);
  });

  it('refuses --weights for other targets (usage, exit 2)', async () => {
    const result = await segc(
      'build',
      join(REPOSITORY, 'examples/gap_cam.seg'),
      '--weights',
      'w',
      '-o',
      join(work, 'ts'),
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain('--weights is read by --target pytorch and onnx only');
  });

  it('reports a layer path PyTorch cannot name at its position (exit 1), writing nothing', async () => {
    const source = join(work, 'bad.seg');
    writeFileSync(
      source,
      'model M() {\n  input x: f32[N, H, W, 3]\n  let training = x -> conv(4, 3)\n  output y = training -> relu\n}\n',
    );
    const out = join(work, 'bad');
    const result = await segc('build', source, '--target', 'pytorch', '-o', out);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'bad.seg:3:23: error E1104: the layer path `training/conv` cannot name a PyTorch submodule: its segment `training` is an attribute of nn.Module',
    );
    expect(result.err).toContain('hint: rename the binding or the `@name` that gives this segment');
    expect(() => readdirSync(out)).toThrow();
  });

  it.skipIf(missing !== undefined)('runs the bundled trained weights in PyTorch as segc runs them', async () => {
    await useBackend('cpu');
    const out = join(work, 'gap');
    const input = tf.tidy(() => tf.div(tf.add(seededTensor([3, 28, 28, 1], 8), 1), 2));
    writeNpy(join(out, 'input.npy'), input);
    const run = python([
      join(out, 'gap_cam.py'),
      '--weights',
      join(out, 'gap_cam.safetensors'),
      '--input',
      join(out, 'input.npy'),
      '--output',
      join(out, 'out.npy'),
      '--output-name',
      'probabilities',
    ]);
    expect(run.stderr).toBe('');
    const model = compileExample('gap_cam');
    const weights = await loadWeights(
      join(REPOSITORY, 'weights/gap_cam'),
      weightDeclarations(model.graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype })),
    );
    const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
    const outputs = interpreter.predict(input);
    const expected = outputs.probabilities!.dataSync();
    const actual = readNpy(join(out, 'out.npy'));
    expect(actual.shape).toEqual([3, 10]);
    expect(Math.max(...Array.from(expected, (v, i) => Math.abs(v - actual.values[i]!)))).toBeLessThanOrEqual(1e-5);
    tf.dispose([...Object.values(outputs), ...weights.values(), input]);
    interpreter.dispose();
  });
});

describe('the web page with weights trained in PyTorch', () => {
  it('npm run web -- --weights FILE.safetensors serves them converted to the tfjs format, values unchanged', async () => {
    const { prepareWeights } = await import('../../examples/web/assets.js');
    await useBackend('cpu');
    const out = join(work, 'page');
    const safetensors = join(work, 'gap', 'gap_cam.safetensors');
    await prepareWeights(out, 'examples/gap_cam.seg', { directory: safetensors });
    const model = compileExample('gap_cam');
    const expected = weightDeclarations(model.graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype }));
    const served = await loadWeights(join(out, 'weights'), expected);
    const original = await loadWeights(join(REPOSITORY, 'weights/gap_cam'), expected);
    expect(JSON.parse(readFileSync(join(out, 'weights', 'model.json'), 'utf8')).generatedBy).toBe(
      'segc web build: converted from gap_cam.safetensors (safetensors, PyTorch)',
    );
    for (const [name, tensor] of original)
      expect(Array.from(served.get(name)!.dataSync()), name).toEqual(Array.from(tensor.dataSync()));
    tf.dispose([...served.values(), ...original.values()]);
  });
});
